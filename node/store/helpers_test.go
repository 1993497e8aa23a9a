package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
	"github.com/trustedge/trustedge/x/stream/proof"
)

// openStore opens a store in dir and closes it at the end of the test
// unless the test closed it.
func openStore(tb testing.TB, dir string) *store.Store {
	tb.Helper()
	s, err := store.Open(dir)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// makeReadings returns n readings whose payloads encode stream and seq, so
// any mix-up between readings changes a root.
func makeReadings(streamID string, firstSeq uint64, n int, payloadSize int) []store.Reading {
	rs := make([]store.Reading, n)
	for i := range rs {
		seq := firstSeq + uint64(i)
		p := make([]byte, payloadSize)
		copy(p, fmt.Sprintf("%s/%d", streamID, seq))
		rs[i] = store.Reading{Time: int64(1_700_000_000_000 + seq), Payload: p}
	}
	return rs
}

// ledger is the test's own record of what it appended: the independent
// source the store's epochs are checked against.
type ledger struct {
	mu       sync.Mutex
	readings map[string][]store.Reading // index seq-1
}

func newLedger() *ledger { return &ledger{readings: make(map[string][]store.Reading)} }

// append appends rs to the store and records them once the store accepted.
func (l *ledger) append(tb testing.TB, s *store.Store, streamID string, rs []store.Reading, ingest int64) uint64 {
	tb.Helper()
	l.mu.Lock()
	first := uint64(len(l.readings[streamID])) + 1
	l.mu.Unlock()
	last, err := s.Append(streamID, first, rs, ingest)
	require.NoError(tb, err)
	require.Equal(tb, first+uint64(len(rs))-1, last)
	l.mu.Lock()
	l.readings[streamID] = append(l.readings[streamID], rs...)
	l.mu.Unlock()
	return last
}

func (l *ledger) total() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n uint64
	for _, rs := range l.readings {
		n += uint64(len(rs))
	}
	return n
}

// batchRoot computes a batch root straight from x/stream/proof.
func (l *ledger) batchRoot(streamID string, first, last uint64) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	var leaves [][]byte
	for seq := first; seq <= last; seq++ {
		r := l.readings[streamID][seq-1]
		leaves = append(leaves, proof.ReadingLeaf(streamID, seq, r.Time, r.Payload))
	}
	return proof.BatchRoot(leaves)
}

// requireEpochMatches recomputes every batch root and the epoch root of e
// from the ledger, and checks the epoch's counts.
func (l *ledger) requireEpochMatches(tb testing.TB, e *store.Epoch) {
	tb.Helper()
	var want []proof.Batch
	var count uint64
	salts := map[string]bool{}
	for _, b := range e.Batches {
		// The salt is random (store.newSalt): not recomputable, but 32
		// bytes and never repeated.
		require.Len(tb, b.Salt, proof.SaltSize, "epoch %d batch %s salt", e.Number, b.StreamID)
		require.False(tb, salts[string(b.Salt)], "epoch %d: salt repeated", e.Number)
		salts[string(b.Salt)] = true
		want = append(want, proof.Batch{StreamID: b.StreamID, FirstSeq: b.FirstSeq, LastSeq: b.LastSeq,
			Root: l.batchRoot(b.StreamID, b.FirstSeq, b.LastSeq), Salt: b.Salt})
		count += b.Count()
	}
	proof.SortBatches(want)
	require.Equal(tb, want, e.Batches, "epoch %d batches", e.Number)
	require.Equal(tb, proof.EpochRoot(want), e.Root, "epoch %d root", e.Number)
	require.Equal(tb, count, e.ReadingCount, "epoch %d reading count", e.Number)
	require.NoError(tb, proof.ValidateBatches(e.Batches))
}
