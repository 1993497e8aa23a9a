package store

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// Epoch is a closed epoch: what the node commits on chain and proves
// readings against. Epochs returned by the store share their Batches with
// its caches: treat them as read-only.
type Epoch struct {
	Number uint64
	// Batches are the epoch's per-stream batches, sorted by stream id.
	Batches []proof.Batch
	// Root is the epoch root over Batches (proof.EpochRoot).
	Root         []byte
	ReadingCount uint64
	// WindowStart and WindowEnd are the min and max ingest time (gateway
	// clock, unix ns) of the epoch's readings.
	WindowStart, WindowEnd int64
	// CommittedHeight is the block that committed the epoch on chain, 0 until
	// MarkCommitted.
	CommittedHeight int64
}

func (m *manifest) epoch(committedHeight int64) *Epoch {
	return &Epoch{
		Number: m.Number, Batches: m.Batches, Root: m.Root, ReadingCount: m.ReadingCount,
		WindowStart: m.WindowStart, WindowEnd: m.WindowEnd, CommittedHeight: committedHeight,
	}
}

// CloseEpoch puts every reading acknowledged and in no epoch yet into epoch
// number, which must be LastEpoch+1 (1 for the first), computes its batch
// roots and epoch root, and stores it. It returns (nil, nil) when nothing is
// pending. Appends keep going while the trees are built.
//
// It runs in two durable steps. Capture: under a short lock the pending
// ranges are taken from memory, then one synced batch deletes their pending
// markers and writes the epoch's manifest without roots plus the batch
// index. Roots: the readings are read back and hashed, and the manifest is
// rewritten closed. A crash after capture leaves a captured epoch that Open
// (or the next CloseEpoch) finishes from the same ranges, so a reading is in
// exactly one epoch whatever happens. If a previous call stopped after
// capturing epoch number, this call finishes and returns it.
func (s *Store) CloseEpoch(number uint64) (*Epoch, error) {
	return s.CloseEpochMax(number, 0)
}

// CloseEpochMax is CloseEpoch taking at most maxReadings readings (0: no
// limit), oldest Appends first and whole Appends only (at least one, even
// if it alone is larger). The chain refuses a commitment over its
// max_readings_per_epoch param; after a long chain outage the backlog is
// drained over several epochs instead of getting stuck in one oversized one.
func (s *Store) CloseEpochMax(number, maxReadings uint64) (*Epoch, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	s.epochMu.Lock()
	defer s.epochMu.Unlock()

	if m := s.captured; m != nil {
		e, err := s.finish(m)
		if err != nil || m.Number == number {
			return e, err
		}
	}
	if number != s.lastNumber+1 {
		return nil, fmt.Errorf("%w: close epoch %d: the next epoch is %d", ErrInvalid, number, s.lastNumber+1)
	}

	ranges := s.takePending(maxReadings)
	if len(ranges) == 0 {
		return nil, nil
	}
	m, err := capturedManifest(number, ranges)
	if err == nil {
		err = s.persistCapture(m, ranges)
	}
	if err != nil {
		s.restorePending(ranges)
		return nil, err
	}
	s.lastNumber, s.captured = number, m

	if s.afterCapture != nil {
		if err := s.afterCapture(); err != nil {
			return nil, err
		}
	}
	return s.finish(m)
}

// takePending removes from the in-memory pending set the oldest Appends
// holding up to maxReadings readings (all if 0) and returns them. Appends
// are kept in commit order (after a restart, ingest order: inAppendOrder),
// which is seq order within a stream, so what remains of each stream still
// starts right after what was taken.
func (s *Store) takePending(maxReadings uint64) []pendingRange {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, taken := len(s.pending), s.pendingCount
	if maxReadings > 0 && s.pendingCount > maxReadings {
		taken = 0
		for n = 0; n < len(s.pending); n++ {
			c := s.pending[n].count()
			if n > 0 && taken+c > maxReadings {
				break
			}
			taken += c
		}
	}
	rs := s.pending[:n:n]
	s.pending = slices.Clone(s.pending[n:])
	s.pendingCount -= taken
	return rs
}

// restorePending puts back ranges whose capture failed, ahead of the
// Appends that committed since (they have later seqs).
func (s *Store) restorePending(rs []pendingRange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(slices.Clone(rs), s.pending...)
	for _, r := range rs {
		s.pendingCount += r.count()
	}
}

// capturedManifest groups ranges into one batch per stream. A stream's
// ranges must be contiguous: Append only takes head+1 and CloseEpoch takes
// every committed range, so a hole means the database was tampered with.
func capturedManifest(number uint64, ranges []pendingRange) (*manifest, error) {
	sorted := slices.Clone(ranges)
	slices.SortFunc(sorted, func(a, b pendingRange) int {
		if c := cmp.Compare(a.stream, b.stream); c != 0 {
			return c
		}
		return cmp.Compare(a.first, b.first)
	})
	m := &manifest{Number: number, WindowStart: sorted[0].ingest, WindowEnd: sorted[0].ingest}
	for _, r := range sorted {
		m.ReadingCount += r.count()
		m.WindowStart = min(m.WindowStart, r.ingest)
		m.WindowEnd = max(m.WindowEnd, r.ingest)
		if n := len(m.Batches); n > 0 && m.Batches[n-1].StreamID == r.stream {
			if r.first != m.Batches[n-1].LastSeq+1 {
				return nil, fmt.Errorf("%w: stream %s pending ranges not contiguous at %d..%d", ErrCorrupt, r.stream, m.Batches[n-1].LastSeq, r.first)
			}
			m.Batches[n-1].LastSeq = r.last
			continue
		}
		m.Batches = append(m.Batches, proof.Batch{StreamID: r.stream, FirstSeq: r.first, LastSeq: r.last, Salt: newSalt()})
	}
	return m, nil
}

// newSalt draws a batch's salt (proof.BatchLeaf) from crypto/rand, so no
// reader of another stream can reproduce the batch's leaf hash. It is
// stored with the captured epoch: finishing a captured epoch again after a
// crash gives the same root.
func newSalt() []byte {
	salt := make([]byte, proof.SaltSize)
	_, _ = rand.Read(salt) // never fails (crypto/rand since Go 1.24)
	return salt
}

// persistCapture moves ranges from pending into epoch m in one synced batch.
func (s *Store) persistCapture(m *manifest, ranges []pendingRange) error {
	b := s.db.NewBatch()
	defer b.Close()
	for _, r := range ranges {
		if err := b.Delete(streamSeqKey(tablePending, r.stream, r.first), nil); err != nil {
			return err
		}
	}
	for _, bt := range m.Batches {
		if err := b.Set(streamSeqKey(tableBatchIndex, bt.StreamID, bt.LastSeq), batchIndexValue(m.Number, bt.FirstSeq), nil); err != nil {
			return err
		}
	}
	if err := b.Set(numberKey(tableEpoch, m.Number), m.encode(), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("capture epoch %d: %w", m.Number, err)
	}
	return nil
}

// finish computes the roots of captured epoch m and stores it closed.
// s.epochMu is held (or the store is still opening).
func (s *Store) finish(m *manifest) (*Epoch, error) {
	closed := *m
	closed.Batches = slices.Clone(m.Batches)
	if err := s.batchRoots(closed.Batches); err != nil {
		return nil, fmt.Errorf("epoch %d roots: %w", m.Number, err)
	}
	if err := proof.ValidateBatches(closed.Batches); err != nil {
		return nil, fmt.Errorf("%w: epoch %d: %v", ErrCorrupt, m.Number, err)
	}
	closed.Root = proof.EpochRoot(closed.Batches)
	closed.Closed = true
	// Synced although it could be recomputed after a crash: the caller
	// broadcasts this root next, and Open should not redo the hashing.
	if err := s.db.Set(numberKey(tableEpoch, m.Number), closed.encode(), pebble.Sync); err != nil {
		return nil, fmt.Errorf("close epoch %d: %w", m.Number, err)
	}
	s.captured = nil
	e := closed.epoch(0)
	s.lastClosed.Store(e)
	cp := *e
	return &cp, nil
}

// loadEpochs reads the last epoch at Open and finishes it if a crash left
// it captured.
func (s *Store) loadEpochs() error {
	lo, hi := tableBounds(tableEpoch)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return err
	}
	var m *manifest
	if it.Last() {
		if len(it.Key()) != 9 {
			err = fmt.Errorf("%w: epoch key %x", ErrCorrupt, it.Key())
		} else {
			n := numberFromKey(it.Key())
			m, err = decodeManifest(n, it.Value())
		}
	}
	if err := errors.Join(err, it.Error(), it.Close()); err != nil {
		return err
	}
	if m == nil {
		return nil
	}
	s.lastNumber = m.Number
	if !m.Closed {
		s.captured = m
		_, err := s.finish(m)
		return err
	}
	h, err := s.committedHeight(m.Number)
	if err != nil {
		return err
	}
	s.lastClosed.Store(m.epoch(h))
	return nil
}

func numberFromKey(k []byte) uint64 { n, _ := decodeU64(k[1:]); return n }

// LastEpoch is the last closed epoch, nil if there is none.
func (s *Store) LastEpoch() (*Epoch, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	e := s.lastClosed.Load()
	if e == nil {
		return nil, nil
	}
	cp := *e
	return &cp, nil
}

// Epoch returns closed epoch n: ErrNotFound if there is none, ErrPending if
// it is captured but its roots are not written yet.
func (s *Store) Epoch(n uint64) (*Epoch, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	m, err := s.manifest(n)
	if err != nil {
		return nil, err
	}
	h, err := s.committedHeight(n)
	if err != nil {
		return nil, err
	}
	return m.epoch(h), nil
}

// manifest reads closed epoch n.
func (s *Store) manifest(n uint64) (*manifest, error) {
	v, closer, err := s.db.Get(numberKey(tableEpoch, n))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, fmt.Errorf("%w: epoch %d", ErrNotFound, n)
	}
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	m, err := decodeManifest(n, v)
	if err != nil {
		return nil, err
	}
	if !m.Closed {
		return nil, fmt.Errorf("%w: epoch %d is captured, its roots are not written yet", ErrPending, n)
	}
	return m, nil
}

func (s *Store) committedHeight(n uint64) (int64, error) {
	v, closer, err := s.db.Get(numberKey(tableCommitted, n))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	h, err := decodeU64(v)
	return int64(h), err
}

// MarkCommitted records that the chain committed epoch n at height. Marking
// again at the same height is a no-op; at another height it is refused (the
// chain commits an epoch once).
func (s *Store) MarkCommitted(n uint64, height int64) error {
	if height <= 0 {
		return fmt.Errorf("%w: commit height %d", ErrInvalid, height)
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	s.epochMu.Lock()
	defer s.epochMu.Unlock()

	m, err := s.manifest(n)
	if err != nil {
		return err
	}
	switch h, err := s.committedHeight(n); {
	case err != nil:
		return err
	case h == height:
		return nil
	case h != 0:
		return fmt.Errorf("%w: epoch %d already committed at height %d, not %d", ErrInvalid, n, h, height)
	}
	if err := s.db.Set(numberKey(tableCommitted, n), u64(uint64(height)), pebble.Sync); err != nil {
		return fmt.Errorf("mark epoch %d committed: %w", n, err)
	}
	if last := s.lastClosed.Load(); last != nil && last.Number == n && bytes.Equal(last.Root, m.Root) {
		s.lastClosed.Store(m.epoch(height))
	}
	return nil
}
