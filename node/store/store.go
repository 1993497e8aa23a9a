package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble"

	"github.com/trustedge/trustedge/node/ingest"
)

// Reading is one stored reading; its seq is implied by its position.
type Reading struct {
	// Time is the device's clock (unix ns), as the device signed it.
	Time    int64
	Payload []byte
}

// Store is an edge node's off-chain stream store. It is safe for concurrent
// use: Appends to different streams run in parallel and share fsyncs;
// CloseEpoch runs beside them.
type Store struct {
	db *pebble.DB

	// life guards db against use after Close: every call holds it shared.
	life   sync.RWMutex
	closed bool

	// mu guards streams, pending and pendingCount. It is only held for
	// in-memory work, never across a disk write.
	mu           sync.Mutex
	streams      map[string]*streamState
	pending      []pendingRange // committed Appends in no epoch, oldest first (inAppendOrder)
	pendingCount uint64

	// epochMu serializes the epoch writers (CloseEpoch, MarkCommitted and
	// finishing a captured epoch) and guards lastNumber and captured.
	epochMu    sync.Mutex
	lastNumber uint64    // last epoch number, captured or closed; 0 if none
	captured   *manifest // the last epoch if it is captured but not closed
	// lastClosed is the last closed epoch, for LastEpoch without a read.
	lastClosed atomic.Pointer[Epoch]

	proofCache epochCache
	// windowEnds memoizes closed epochs' window ends for retention
	// (prune.go); windowEndsLen counts its entries to bound it.
	windowEnds    sync.Map
	windowEndsLen atomic.Int64

	// afterCapture, when set (tests), runs after CloseEpoch has persisted the
	// captured ranges and before it computes roots; an error stops it there,
	// as a crash would.
	afterCapture func() error
}

// streamState is one stream's head. Its mutex serializes the Appends of the
// stream across their disk write, so the head check and the write are one
// step; other streams are not blocked.
type streamState struct {
	mu     sync.Mutex
	loaded bool
	head   uint64
}

// pendingRange is one committed Append: seqs first..last of a stream,
// acknowledged at ingest time (gateway clock, unix ns).
type pendingRange struct {
	stream      string
	first, last uint64
	ingest      int64
}

func (r pendingRange) count() uint64 { return r.last - r.first + 1 }

// Open opens (or creates) the store in dir. If a crash interrupted an
// epoch between capturing its readings and writing its roots, Open
// finishes that epoch.
func Open(dir string) (*Store, error) {
	db, err := pebble.Open(dir, pebbleOptions())
	if err != nil {
		return nil, fmt.Errorf("open stream store %s: %w", dir, err)
	}
	// pebble syncs the files in dir, not dir's own entry in its parent: on
	// a first start, a power cut before the file system commits that entry
	// would lose the whole store, batches acknowledged with a sync included.
	if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
		return nil, errors.Join(fmt.Errorf("sync the parent of %s: %w", dir, err), db.Close())
	}
	s := &Store{db: db, streams: make(map[string]*streamState)}
	s.proofCache.init(proofCacheSize)
	if err := s.load(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return s, nil
}

// syncDir fsyncs a directory, making the entries in it durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// pebbleOptions: a larger memtable than pebble's 4 MiB default, because the
// store is write-heavy (every reading is written once and read back once
// when its epoch closes) and fewer flushes mean fewer L0 files to compact.
func pebbleOptions() *pebble.Options {
	o := &pebble.Options{
		MemTableSize:       64 << 20,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             quietLogger{},
	}
	return o.EnsureDefaults()
}

// quietLogger drops pebble's info lines (WAL replay notes on every reopen,
// which the store cannot route to the node's logger: Open takes no logger)
// and keeps its fatal errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}

func (quietLogger) Fatalf(format string, args ...any) { pebble.DefaultLogger.Fatalf(format, args...) }

// load rebuilds the in-memory state: the pending Appends and the last epoch.
func (s *Store) load() error {
	lo, hi := tableBounds(tablePending)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return err
	}
	var loaded []pendingRange
	for ok := it.First(); ok; ok = it.Next() {
		stream, first, err := parseStreamSeqKey(tablePending, it.Key())
		if err != nil {
			return errors.Join(err, it.Close())
		}
		last, ingest, err := decodePendingValue(it.Value())
		if err != nil {
			return errors.Join(err, it.Close())
		}
		r := pendingRange{stream: stream, first: first, last: last, ingest: ingest}
		loaded = append(loaded, r)
		s.pendingCount += r.count()
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return err
	}
	s.pending = inAppendOrder(loaded)
	return s.loadEpochs()
}

// Close closes the database; later calls return ErrClosed. It waits for
// calls in progress.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	return s.db.Close()
}

// enter marks a call in progress; it fails once the store is closed.
func (s *Store) enter() error {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return ErrClosed
	}
	return nil
}

func (s *Store) leave() { s.life.RUnlock() }

// stream returns the state of streamID, creating it (unloaded) if needed.
func (s *Store) stream(streamID string) *streamState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.streams[streamID]
	if !ok {
		st = &streamState{}
		s.streams[streamID] = st
	}
	return st
}

// loadHead reads the head of st from disk the first time; st.mu is held.
func (s *Store) loadHead(streamID string, st *streamState) error {
	if st.loaded {
		return nil
	}
	v, closer, err := s.db.Get(headKey(streamID))
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		st.head = 0
	case err != nil:
		return err
	default:
		st.head, err = decodeU64(v)
		if cerr := closer.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	st.loaded = true
	return nil
}

// Head is the stream's last acknowledged seq, 0 if it has none.
func (s *Store) Head(streamID string) (uint64, error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	return s.head(streamID)
}

// head reads a stream's head without adding it to s.streams: lookups of
// ids nobody appends to (a query for a random stream) must not grow memory.
func (s *Store) head(streamID string) (uint64, error) {
	s.mu.Lock()
	st, ok := s.streams[streamID]
	s.mu.Unlock()
	if !ok {
		st = &streamState{}
	} else {
		st.mu.Lock()
		defer st.mu.Unlock()
	}
	if err := s.loadHead(streamID, st); err != nil {
		return 0, err
	}
	return st.head, nil
}

// Reading returns the stored reading (stream, seq), or ErrNotFound.
func (s *Store) Reading(streamID string, seq uint64) (Reading, error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return Reading{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := s.enter(); err != nil {
		return Reading{}, err
	}
	defer s.leave()
	return s.readingLocked(streamID, seq)
}

// PendingCount is the number of readings acknowledged but in no epoch yet.
func (s *Store) PendingCount() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendingCount
}

// Pending is PendingCount and the number of acknowledged batches (Appends)
// in no epoch yet: the store keeps one entry in memory per such batch.
func (s *Store) Pending() (readings, batches uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendingCount, uint64(len(s.pending))
}
