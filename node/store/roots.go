package store

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// batchRoots sets the Root of every batch from its stored readings. Batches
// are independent, so they are hashed by up to GOMAXPROCS workers (this is
// the edge node, not the state machine: parallelism does not change a root).
func (s *Store) batchRoots(batches []proof.Batch) error {
	workers := min(runtime.GOMAXPROCS(0), len(batches))
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		firstEr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch leafScratch
			for {
				i := int(next.Add(1) - 1)
				if i >= len(batches) {
					return
				}
				leaves, err := s.readingLeaves(&scratch, batches[i])
				if err != nil {
					errOnce.Do(func() { firstEr = err })
					next.Store(int64(len(batches))) // stop the other workers early
					return
				}
				batches[i].Root = proof.BatchRoot(leaves)
			}
		}()
	}
	wg.Wait()
	return firstEr
}

// leafScratch is reused across batches by one worker: one buffer holds all
// leaf encodings of a batch, sliced per leaf.
type leafScratch struct {
	buf     []byte
	offsets []int
	leaves  [][]byte
}

// readingLeaves returns the leaf encodings of b's readings in seq order,
// failing if any seq of FirstSeq..LastSeq is missing. The result aliases sc
// and is valid until the next call with sc.
func (s *Store) readingLeaves(sc *leafScratch, b proof.Batch) ([][]byte, error) {
	lo := streamSeqKey(tableReading, b.StreamID, b.FirstSeq)
	hi := streamSeqKey(tableReading, b.StreamID, b.LastSeq)
	hi = prefixUpper(hi) // inclusive of LastSeq
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()

	sc.buf, sc.offsets = sc.buf[:0], sc.offsets[:0]
	want := b.FirstSeq
	for ok := it.First(); ok; ok = it.Next() {
		_, seq, err := parseStreamSeqKey(tableReading, it.Key())
		if err != nil {
			return nil, err
		}
		if seq != want {
			return nil, fmt.Errorf("%w: stream %s: reading %d missing", ErrCorrupt, b.StreamID, want)
		}
		v := it.Value()
		if len(v) < 8 {
			return nil, fmt.Errorf("%w: reading %s/%d value of %d bytes", ErrCorrupt, b.StreamID, seq, len(v))
		}
		sc.offsets = append(sc.offsets, len(sc.buf))
		sc.buf = proof.AppendReadingLeaf(sc.buf, b.StreamID, seq, int64(binary.BigEndian.Uint64(v)), v[8:])
		want++
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if want != b.LastSeq+1 {
		return nil, fmt.Errorf("%w: stream %s: reading %d missing", ErrCorrupt, b.StreamID, want)
	}
	sc.offsets = append(sc.offsets, len(sc.buf))
	sc.leaves = sc.leaves[:0]
	for i := 0; i+1 < len(sc.offsets); i++ {
		sc.leaves = append(sc.leaves, sc.buf[sc.offsets[i]:sc.offsets[i+1]:sc.offsets[i+1]])
	}
	return sc.leaves, nil
}
