package store

import (
	"crypto/sha256"
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
				hashes, err := s.readingLeafHashes(&scratch, batches[i])
				if err != nil {
					errOnce.Do(func() { firstEr = err })
					next.Store(int64(len(batches))) // stop the other workers early
					return
				}
				batches[i].Root = proof.RootFromLeafHashes(hashes)
			}
		}()
	}
	wg.Wait()
	return firstEr
}

// leafScratch is reused across batches by one worker: one leaf encoding at
// a time, and one buffer holding the batch's leaf hashes, sliced per leaf.
type leafScratch struct {
	leaf   []byte
	flat   []byte
	hashes [][]byte
	hasher proof.LeafHasher
}

// readingLeafHashes returns the leaf hashes of b's readings in seq order,
// failing if any seq of FirstSeq..LastSeq is missing. Each leaf is hashed
// as it is read, so a batch costs 32 bytes per reading, not its payloads
// (a 100k-reading batch of 1 KiB payloads: 3 MB, not 100+ MB). The result
// aliases sc and is valid until the next call with sc.
func (s *Store) readingLeafHashes(sc *leafScratch, b proof.Batch) ([][]byte, error) {
	lo := streamSeqKey(tableReading, b.StreamID, b.FirstSeq)
	hi := streamSeqKey(tableReading, b.StreamID, b.LastSeq)
	hi = prefixUpper(hi) // inclusive of LastSeq
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()

	sc.flat = sc.flat[:0]
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
		sc.leaf = proof.AppendReadingLeaf(sc.leaf[:0], b.StreamID, seq, int64(binary.BigEndian.Uint64(v)), v[8:])
		sc.flat = sc.hasher.Append(sc.flat, sc.leaf)
		want++
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if want != b.LastSeq+1 {
		return nil, fmt.Errorf("%w: stream %s: reading %d missing", ErrCorrupt, b.StreamID, want)
	}
	sc.hashes = sc.hashes[:0]
	for i := 0; i < len(sc.flat); i += sha256.Size {
		sc.hashes = append(sc.hashes, sc.flat[i:i+sha256.Size:i+sha256.Size])
	}
	return sc.hashes, nil
}
