package store

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble"

	"github.com/trustedge/trustedge/node/ingest"
)

// ErrPruned: the reading was committed and then removed by retention; its
// batch root stays on chain, the reading and its proof are gone.
var ErrPruned = errors.New("reading pruned by retention")

// tablePruned holds each stream's retention watermark:
//
//	x | stream -> last pruned seq(8)
//
// Readings 1..watermark are deleted; everything above is kept.
const tablePruned byte = 'x'

func prunedKey(streamID string) []byte {
	return append([]byte{tablePruned}, streamID...)
}

// Pruned is the stream's retention watermark: readings up to it are gone.
func (s *Store) Pruned(streamID string) (uint64, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	return s.prunedLocked(streamID)
}

func (s *Store) prunedLocked(streamID string) (uint64, error) {
	v, closer, err := s.db.Get(prunedKey(streamID))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	return decodeU64(v)
}

// PruneCommitted deletes the stream's raw readings that are older than
// before (unix ns, compared with the ingest window end of their epoch) and
// whose epoch is committed on chain, a whole batch at a time, oldest first.
// Uncommitted or newer batches stop it, so a reading is never deleted
// before the chain holds its root. It returns the new watermark. The
// deletion and the watermark are one batch, so a crash leaves both or
// neither; it is not synced, because losing it only means the next pass
// prunes the same readings again.
func (s *Store) PruneCommitted(streamID string, before int64) (uint64, error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	// One pruner per stream at a time: the stream's lock also keeps
	// Appends of this stream out while the watermark moves (cheap: pruning
	// only touches committed, immutable readings).
	st := s.stream(streamID)
	st.mu.Lock()
	defer st.mu.Unlock()

	mark, err := s.prunedLocked(streamID)
	if err != nil {
		return 0, err
	}
	prefix := streamPrefix(tableBatchIndex, streamID)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixUpper(prefix)})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	newMark := mark
	for ok := it.SeekGE(streamSeqKey(tableBatchIndex, streamID, mark+1)); ok; ok = it.Next() {
		_, last, err := parseStreamSeqKey(tableBatchIndex, it.Key())
		if err != nil {
			return 0, err
		}
		epoch, first, err := decodeBatchIndexValue(it.Value())
		if err != nil {
			return 0, err
		}
		if first != newMark+1 {
			return 0, fmt.Errorf("%w: stream %s batch %d..%d does not follow watermark %d", ErrCorrupt, streamID, first, last, newMark)
		}
		h, err := s.committedHeight(epoch)
		if err != nil {
			return 0, err
		}
		if h == 0 {
			break // not on chain yet: keep it and everything after it
		}
		end, err := s.windowEnd(epoch)
		if err != nil {
			return 0, err
		}
		if end >= before {
			break
		}
		newMark = last
	}
	if err := it.Error(); err != nil {
		return 0, err
	}
	if newMark == mark {
		return mark, nil
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(streamSeqKey(tableReading, streamID, mark+1), streamSeqKey(tableReading, streamID, newMark+1), nil); err != nil {
		return 0, err
	}
	if err := b.Set(prunedKey(streamID), u64(newMark), nil); err != nil {
		return 0, err
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return 0, err
	}
	return newMark, nil
}

// StreamIDs lists the streams this store has readings of, in id order.
func (s *Store) StreamIDs() ([]string, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	lo, hi := tableBounds(tableHead)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var ids []string
	for ok := it.First(); ok; ok = it.Next() {
		ids = append(ids, string(it.Key()[1:]))
	}
	return ids, it.Error()
}

// windowEnd is closed epoch n's ingest window end, memoized: a retention
// pass asks it once per stream, and decoding the manifest (every batch of
// the epoch) each time would make a pass quadratic in the streams.
func (s *Store) windowEnd(n uint64) (int64, error) {
	if v, ok := s.windowEnds.Load(n); ok {
		return v.(int64), nil
	}
	m, err := s.manifest(n)
	if err != nil {
		return 0, err
	}
	// Bounded: with one epoch a block and retention on, entries would pile
	// up for as long as the node runs. Past the bound the cache starts
	// over; a pass then re-reads the manifests it needs once.
	if s.windowEndsLen.Add(1) > maxWindowEnds {
		s.windowEnds.Clear()
		s.windowEndsLen.Store(1)
	}
	s.windowEnds.Store(n, m.WindowEnd)
	return m.WindowEnd, nil
}

// maxWindowEnds bounds the window-end cache (~100 B an entry).
const maxWindowEnds = 100_000
