package store_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
)

func TestCloseEpochRootsMatchIndependentComputation(t *testing.T) {
	s := openStore(t, t.TempDir())
	l := newLedger()

	e, err := s.CloseEpoch(1)
	require.NoError(t, err)
	require.Nil(t, e, "nothing pending: no epoch")
	last, err := s.LastEpoch()
	require.NoError(t, err)
	require.Nil(t, last)

	// Streams appended out of id order, one in several Appends, ingest
	// times out of order: batches come out sorted and merged, the window is
	// min..max.
	l.append(t, s, "zeta", makeReadings("zeta", 1, 7, 64), 500)
	l.append(t, s, "alpha", makeReadings("alpha", 1, 1, 0), 300)
	l.append(t, s, "mid", makeReadings("mid", 1, 4, 1024), 900)
	l.append(t, s, "zeta", makeReadings("zeta", 8, 3, 64), 400)

	e, err = s.CloseEpoch(1)
	require.NoError(t, err)
	require.NotNil(t, e)
	require.Equal(t, uint64(1), e.Number)
	require.Len(t, e.Batches, 3)
	require.Equal(t, []string{"alpha", "mid", "zeta"}, []string{e.Batches[0].StreamID, e.Batches[1].StreamID, e.Batches[2].StreamID})
	require.Equal(t, uint64(1), e.Batches[2].FirstSeq)
	require.Equal(t, uint64(10), e.Batches[2].LastSeq)
	require.Equal(t, int64(300), e.WindowStart)
	require.Equal(t, int64(900), e.WindowEnd)
	require.Zero(t, e.CommittedHeight)
	l.requireEpochMatches(t, e)
	require.Zero(t, s.PendingCount())

	// The next epoch holds only what came after.
	l.append(t, s, "zeta", makeReadings("zeta", 11, 2, 64), 1000)
	e2, err := s.CloseEpoch(2)
	require.NoError(t, err)
	require.Len(t, e2.Batches, 1)
	require.Equal(t, uint64(11), e2.Batches[0].FirstSeq)
	require.Equal(t, uint64(12), e2.Batches[0].LastSeq)
	require.Equal(t, int64(1000), e2.WindowStart)
	require.Equal(t, int64(1000), e2.WindowEnd)
	l.requireEpochMatches(t, e2)

	got, err := s.Epoch(1)
	require.NoError(t, err)
	require.Equal(t, e, got)
	last, err = s.LastEpoch()
	require.NoError(t, err)
	require.Equal(t, e2, last)
	_, err = s.Epoch(3)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Epoch(0)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestCloseEpochRefusesWrongNumber(t *testing.T) {
	s := openStore(t, t.TempDir())
	l := newLedger()
	l.append(t, s, "s1", makeReadings("s1", 1, 2, 8), 1)

	for _, n := range []uint64{0, 2, 7} {
		_, err := s.CloseEpoch(n)
		require.ErrorIs(t, err, store.ErrInvalid, "epoch %d", n)
		require.Equal(t, uint64(2), s.PendingCount(), "a refused close captures nothing")
	}
	e, err := s.CloseEpoch(1)
	require.NoError(t, err)
	l.requireEpochMatches(t, e)

	l.append(t, s, "s1", makeReadings("s1", 3, 1, 8), 2)
	_, err = s.CloseEpoch(1)
	require.ErrorIs(t, err, store.ErrInvalid, "epoch 1 exists")
	require.Equal(t, uint64(1), s.PendingCount())
}

func TestMarkCommitted(t *testing.T) {
	s := openStore(t, t.TempDir())
	l := newLedger()
	l.append(t, s, "s1", makeReadings("s1", 1, 2, 8), 1)
	e, err := s.CloseEpoch(1)
	require.NoError(t, err)

	require.ErrorIs(t, s.MarkCommitted(1, 0), store.ErrInvalid)
	require.ErrorIs(t, s.MarkCommitted(1, -5), store.ErrInvalid)
	require.ErrorIs(t, s.MarkCommitted(2, 10), store.ErrNotFound)

	require.NoError(t, s.MarkCommitted(1, 42))
	require.NoError(t, s.MarkCommitted(1, 42), "same height again is a no-op")
	require.ErrorIs(t, s.MarkCommitted(1, 43), store.ErrInvalid, "an epoch commits once")

	got, err := s.Epoch(1)
	require.NoError(t, err)
	require.Equal(t, int64(42), got.CommittedHeight)
	last, err := s.LastEpoch()
	require.NoError(t, err)
	require.Equal(t, int64(42), last.CommittedHeight)
	require.Equal(t, e.Root, last.Root)
}

// TestEveryReadingInExactlyOneEpoch closes epochs while writers append to
// many streams, then checks that the epochs partition every stream's seqs
// 1..head with no overlap, in epoch order, and that each root is right.
func TestEveryReadingInExactlyOneEpoch(t *testing.T) {
	s := openStore(t, t.TempDir())
	l := newLedger()
	const (
		writers          = 8
		streamsPerWriter = 25
		appendsPerWriter = 300
	)
	var done atomic.Bool
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range appendsPerWriter {
				id := fmt.Sprintf("w%d.s%d", w, rng.IntN(streamsPerWriter))
				l.mu.Lock()
				first := uint64(len(l.readings[id])) + 1
				l.mu.Unlock()
				l.append(t, s, id, makeReadings(id, first, 1+rng.IntN(20), 48), int64(i))
			}
		}()
	}
	var epochs []*store.Epoch
	go func() { wg.Wait(); done.Store(true) }()
	for n := uint64(1); ; {
		finished := done.Load()
		e, err := s.CloseEpoch(n)
		require.NoError(t, err)
		if e != nil {
			epochs = append(epochs, e)
			n++
		}
		if finished {
			break
		}
	}
	require.Zero(t, s.PendingCount())
	require.Greater(t, len(epochs), 2, "epochs closed while appends ran")

	next := map[string]uint64{} // next seq each stream's next batch must start at
	var total uint64
	for i, e := range epochs {
		require.Equal(t, uint64(i+1), e.Number)
		l.requireEpochMatches(t, e)
		for _, b := range e.Batches {
			want := next[b.StreamID]
			if want == 0 {
				want = 1
			}
			require.Equal(t, want, b.FirstSeq, "epoch %d stream %s", e.Number, b.StreamID)
			next[b.StreamID] = b.LastSeq + 1
		}
		total += e.ReadingCount
		stored, err := s.Epoch(e.Number)
		require.NoError(t, err)
		require.Equal(t, e, stored)
	}
	require.Equal(t, l.total(), total)
	for id, rs := range l.readings {
		require.Equal(t, uint64(len(rs))+1, next[id], "stream %s fully covered", id)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir)
	require.NoError(t, err)
	l := newLedger()
	l.append(t, s, "a", makeReadings("a", 1, 5, 32), 10)
	l.append(t, s, "b", makeReadings("b", 1, 3, 32), 20)
	e1, err := s.CloseEpoch(1)
	require.NoError(t, err)
	require.NoError(t, s.MarkCommitted(1, 7))
	l.append(t, s, "a", makeReadings("a", 6, 2, 32), 30)
	require.NoError(t, s.Close())

	_, err = s.Append("a", 8, makeReadings("a", 8, 1, 1), 1)
	require.ErrorIs(t, err, store.ErrClosed)
	_, err = s.CloseEpoch(2)
	require.ErrorIs(t, err, store.ErrClosed)
	require.ErrorIs(t, s.Close(), store.ErrClosed)

	s = openStore(t, dir)
	for id, want := range map[string]uint64{"a": 7, "b": 3, "c": 0} {
		head, err := s.Head(id)
		require.NoError(t, err)
		require.Equal(t, want, head, id)
	}
	r, err := s.Reading("a", 7)
	require.NoError(t, err)
	require.Equal(t, l.readings["a"][6], r)
	require.Equal(t, uint64(2), s.PendingCount())

	last, err := s.LastEpoch()
	require.NoError(t, err)
	e1.CommittedHeight = 7
	require.Equal(t, e1, last)

	p, _, err := s.Prove("node", "b", 2)
	require.NoError(t, err)
	require.NoError(t, p.Verify(e1.Root, 2))
	_, _, err = s.Prove("node", "a", 6)
	require.ErrorIs(t, err, store.ErrPending)

	// Appends continue from the stored head; the pending ones go to epoch 2.
	_, err = s.Append("a", 7, makeReadings("a", 7, 1, 1), 1)
	var se *store.SeqError
	require.ErrorAs(t, err, &se)
	require.True(t, se.Replay)
	e2, err := s.CloseEpoch(2)
	require.NoError(t, err)
	require.Len(t, e2.Batches, 1)
	require.Equal(t, uint64(6), e2.Batches[0].FirstSeq)
	require.Equal(t, uint64(7), e2.Batches[0].LastSeq)
	require.Equal(t, int64(30), e2.WindowStart)
	l.requireEpochMatches(t, e2)
}

func TestCloseEpochMaxDrainsOldestAppendsFirst(t *testing.T) {
	s := openStore(t, t.TempDir())
	l := newLedger()
	// Commit order: a1..10, b1..10, a11..20, c1..30, b11..15.
	l.append(t, s, "a", makeReadings("a", 1, 10, 8), 1)
	l.append(t, s, "b", makeReadings("b", 1, 10, 8), 2)
	l.append(t, s, "a", makeReadings("a", 11, 10, 8), 3)
	l.append(t, s, "c", makeReadings("c", 1, 30, 8), 4)
	l.append(t, s, "b", makeReadings("b", 11, 5, 8), 5)

	e1, err := s.CloseEpochMax(1, 25) // a1..10, b1..10 (a11..20 would pass 25)
	require.NoError(t, err)
	require.Equal(t, uint64(20), e1.ReadingCount)
	require.Equal(t, int64(1), e1.WindowStart)
	require.Equal(t, int64(2), e1.WindowEnd)
	l.requireEpochMatches(t, e1)
	require.Equal(t, uint64(45), s.PendingCount())

	e2, err := s.CloseEpochMax(2, 5) // one Append at least, even over the limit
	require.NoError(t, err)
	require.Equal(t, uint64(10), e2.ReadingCount)
	require.Equal(t, "a", e2.Batches[0].StreamID)
	require.Equal(t, uint64(11), e2.Batches[0].FirstSeq)
	l.requireEpochMatches(t, e2)

	e3, err := s.CloseEpochMax(3, 1000)
	require.NoError(t, err)
	require.Equal(t, uint64(35), e3.ReadingCount)
	require.Len(t, e3.Batches, 2)
	require.Equal(t, uint64(11), e3.Batches[0].FirstSeq, "b continues after epoch 1")
	l.requireEpochMatches(t, e3)
	require.Zero(t, s.PendingCount())
}
