package store_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
)

// Retention deletes whole committed batches older than the cutoff, oldest
// first, never an uncommitted or newer one; pruned readings answer
// ErrPruned, the rest still prove; the watermark survives a reopen.
func TestPruneCommitted(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	// Epoch 1: seqs 1..3 ingested at t=100; epoch 2: 4..5 at t=200;
	// epoch 3: 6..6 at t=300 (closed, not committed); 7 pending.
	for i, ing := range []int64{100, 200, 300} {
		n := []int{3, 2, 1}[i]
		head, err := s.Head("s")
		require.NoError(t, err)
		_, err = s.Append("s", head+1, makeReadings("s", head+1, n, 8), ing)
		require.NoError(t, err)
		_, err = s.CloseEpoch(uint64(i + 1))
		require.NoError(t, err)
	}
	_, err := s.Append("s", 7, makeReadings("s", 7, 1, 8), 400)
	require.NoError(t, err)
	require.NoError(t, s.MarkCommitted(1, 10))
	require.NoError(t, s.MarkCommitted(2, 11))

	mark, err := s.PruneCommitted("s", 150)
	require.NoError(t, err)
	require.Equal(t, uint64(3), mark, "epoch 1 (window end 100) is older than 150; epoch 2 is not")
	_, _, err = s.Prove("node", "s", 2)
	require.True(t, errors.Is(err, store.ErrPruned), "%v", err)
	_, err = s.Reading("s", 3)
	require.ErrorIs(t, err, store.ErrNotFound)
	p, _, err := s.Prove("node", "s", 4)
	require.NoError(t, err)
	require.Equal(t, uint64(4), p.Reading.Seq)

	// A cutoff past everything stops at the uncommitted epoch 3.
	mark, err = s.PruneCommitted("s", 1_000)
	require.NoError(t, err)
	require.Equal(t, uint64(5), mark, "epoch 3 is not on chain: it and the pending reading stay")
	_, _, err = s.Prove("node", "s", 6)
	require.NoError(t, err)
	r, err := s.Reading("s", 7)
	require.NoError(t, err)
	require.NotEmpty(t, r.Payload)

	// Pruning again changes nothing; the watermark survives a reopen.
	mark, err = s.PruneCommitted("s", 1_000)
	require.NoError(t, err)
	require.Equal(t, uint64(5), mark)
	require.NoError(t, s.Close())
	s = openStore(t, dir)
	got, err := s.Pruned("s")
	require.NoError(t, err)
	require.Equal(t, uint64(5), got)
	_, _, err = s.Prove("node", "s", 5)
	require.ErrorIs(t, err, store.ErrPruned)
	head, err := s.Head("s")
	require.NoError(t, err)
	require.Equal(t, uint64(7), head, "pruning never moves the head: seqs are not reused")

	// Unknown streams and bad ids.
	mark, err = s.PruneCommitted("other", 1_000)
	require.NoError(t, err)
	require.Zero(t, mark)
	_, err = s.PruneCommitted("bad/id", 1)
	require.ErrorIs(t, err, store.ErrInvalid)
}

// TestProveWhilePruning: a proof racing retention answers ErrPruned (or a
// proof), never ErrCorrupt: the watermark Prove read first may be older
// than the delete it then runs into.
func TestProveWhilePruning(t *testing.T) {
	s := openStore(t, t.TempDir())
	const epochs, per = 200, 50
	for i := 1; i <= epochs; i++ {
		head, err := s.Head("s")
		require.NoError(t, err)
		_, err = s.Append("s", head+1, makeReadings("s", head+1, per, 8), int64(i))
		require.NoError(t, err)
		_, err = s.CloseEpoch(uint64(i))
		require.NoError(t, err)
		require.NoError(t, s.MarkCommitted(uint64(i), int64(i)))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for cut := int64(2); cut <= epochs+1; cut++ {
			if _, err := s.PruneCommitted("s", cut); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	proved, pruned := 0, 0
	rng := rand.New(rand.NewPCG(1, 2))
	for {
		seq := rng.Uint64N(epochs*per) + 1
		select {
		case <-done:
			t.Logf("%d proofs, %d pruned answers while retention ran", proved, pruned)
			require.Positive(t, proved+pruned)
			// Retention ran to the end: everything is pruned now.
			for _, seq := range []uint64{1, epochs * per} {
				_, _, err := s.Prove("node", "s", seq)
				require.ErrorIs(t, err, store.ErrPruned)
			}
			return
		default:
		}
		p, e, err := s.Prove("node", "s", seq)
		switch {
		case err == nil:
			// A proof served in the race is a whole one: it verifies
			// against its epoch's root.
			require.Equal(t, seq, p.Reading.Seq)
			require.NoError(t, p.Verify(e.Root, uint64(len(e.Batches))))
			proved++
		case errors.Is(err, store.ErrPruned):
			pruned++
		default:
			t.Fatalf("prove %d while pruning: %v", seq, err)
		}
	}
}
