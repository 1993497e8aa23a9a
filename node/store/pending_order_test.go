package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
)

// reopen closes s and opens its directory again, as a node restart does.
func reopen(t *testing.T, s *store.Store, dir string) *store.Store {
	t.Helper()
	require.NoError(t, s.Close())
	return openStore(t, dir)
}

// TestCloseEpochMaxOldestFirstAfterReopen: Open rebuilds the pending
// Appends oldest first, not in key order (stream id, seq), so a capped
// epoch after a restart takes the same Appends it would have taken before.
func TestCloseEpochMaxOldestFirstAfterReopen(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	l := newLedger()
	// Ingest order z, a, z, b; key order would be a, b, z1, z11.
	l.append(t, s, "z", makeReadings("z", 1, 10, 8), 1)
	l.append(t, s, "a", makeReadings("a", 1, 10, 8), 2)
	l.append(t, s, "z", makeReadings("z", 11, 10, 8), 3)
	l.append(t, s, "b", makeReadings("b", 1, 10, 8), 4)
	s = reopen(t, s, dir)

	e1, err := s.CloseEpochMax(1, 25) // z1..10, a1..10 (z11..20 would pass 25)
	require.NoError(t, err)
	require.Len(t, e1.Batches, 2)
	require.Equal(t, "a", e1.Batches[0].StreamID)
	require.Equal(t, "z", e1.Batches[1].StreamID)
	require.Equal(t, uint64(10), e1.Batches[1].LastSeq)
	require.Equal(t, int64(1), e1.WindowStart)
	require.Equal(t, int64(2), e1.WindowEnd)
	l.requireEpochMatches(t, e1)

	e2, err := s.CloseEpochMax(2, 5) // one Append, the oldest left: z11..20
	require.NoError(t, err)
	require.Len(t, e2.Batches, 1)
	require.Equal(t, "z", e2.Batches[0].StreamID)
	require.Equal(t, uint64(11), e2.Batches[0].FirstSeq)
	l.requireEpochMatches(t, e2)
	require.Equal(t, uint64(10), s.PendingCount(), "b left")
}

// TestReopenKeepsSeqOrderWhenClockStepsBack: an Append stamped earlier than
// the stream's previous one (the gateway's clock stepped back) still waits
// behind it after a restart: a stream's epochs must take its seqs in order.
func TestReopenKeepsSeqOrderWhenClockStepsBack(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	l := newLedger()
	l.append(t, s, "a", makeReadings("a", 1, 2, 8), 50)
	l.append(t, s, "b", makeReadings("b", 1, 2, 8), 30)
	l.append(t, s, "a", makeReadings("a", 3, 2, 8), 10) // clock stepped back
	l.append(t, s, "c", makeReadings("c", 1, 2, 8), 50) // same time as a's first: id order
	s = reopen(t, s, dir)

	// One Append per epoch: b (30), then a1..2 and a3..4 (both ordered at
	// 50, a's latest time so far), then c (50, after a by id).
	want := []struct {
		stream      string
		first, last uint64
	}{{"b", 1, 2}, {"a", 1, 2}, {"a", 3, 4}, {"c", 1, 2}}
	for i, w := range want {
		n := uint64(i + 1)
		e, err := s.CloseEpochMax(n, 1)
		require.NoError(t, err)
		require.Len(t, e.Batches, 1, "epoch %d", n)
		got := e.Batches[0]
		require.Equal(t, w.stream, got.StreamID, "epoch %d", n)
		require.Equal(t, w.first, got.FirstSeq, "epoch %d", n)
		require.Equal(t, w.last, got.LastSeq, "epoch %d", n)
		l.requireEpochMatches(t, e)
	}
	require.Zero(t, s.PendingCount())
}
