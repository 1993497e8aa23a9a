package commit_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/internal/syncbuf"
	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/store"
)

// TestCommitterStopsWhenStoreFailsWhileSettling: the chain has the epoch in
// flight but the store cannot mark it. That is no chain read to retry: Run
// returns the store's error, so the data plane halts ingest.
func TestCommitterStopsWhenStoreFailsWhileSettling(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	appendN(t, st, "s1", 3)
	chain.NextBlock()
	var logs syncbuf.Buffer
	c, done, _ := runWatched(t, commit.Config{}, st, chain, chain, log.NewLogger(&logs, log.OutputJSONOption()))
	waitFor(t, 5*time.Second, "epoch 1 broadcast", func() bool { return c.Stats().Broadcasts == 1 })

	require.NoError(t, st.Close()) // every store call now fails with ErrClosed
	chain.NextBlock()              // epoch 1 is included: MarkCommitted fails
	select {
	case err := <-done:
		require.ErrorIs(t, err, store.ErrClosed)
		require.Contains(t, err.Error(), "mark epoch 1 committed")
	case <-time.After(10 * time.Second):
		t.Fatal("committer kept running on a failing store")
	}
	require.Zero(t, c.Stats().ChainReadErrors, "a store failure is not a chain read error")
	require.NotContains(t, logs.String(), "reading epoch state from chain")
}

// flakyReads is a fake chain whose state reads fail while fail is set; it
// counts them.
type flakyReads struct {
	*fakeChain
	fail  atomic.Bool
	reads atomic.Int64
}

func (f *flakyReads) LastEpoch(ctx context.Context, node string) (uint64, error) {
	if f.fail.Load() {
		f.reads.Add(1)
		return 0, errors.New("connection refused")
	}
	return f.fakeChain.LastEpoch(ctx, node)
}

// TestCommitterBacksOffChainReadErrors: while the chain cannot be read, the
// committer asks with a growing backoff (not at every block), warns once
// rather than at every failure, still retries a failed broadcast, and does
// not resend a tx the chain may already hold. Once reads work again the
// epoch is settled.
func TestCommitterBacksOffChainReadErrors(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := &flakyReads{fakeChain: newFakeChain()}
	chain.failBroadcasts = 1
	appendN(t, st, "s1", 3)
	chain.NextBlock()
	var logs syncbuf.Buffer
	r := start(t, commit.Config{PollInterval: time.Millisecond, OnResumed: func() { chain.fail.Store(true) }},
		st, chain, chain.fakeChain, log.NewLogger(&logs, log.OutputJSONOption()))

	// The first broadcast fails; its retry goes out although every read
	// about the flight fails.
	waitFor(t, 5*time.Second, "broadcast retried while reads fail", func() bool { return r.c.Stats().Broadcasts == 1 })
	const blocks = 50
	for h := int64(2); h <= blocks; h++ { // epoch 1 is on chain from block 2
		chain.NextBlock()
		waitFor(t, 5*time.Second, "height seen", func() bool { return r.c.Stats().LastHeight == h })
	}
	s := r.c.Stats()
	reads := chain.reads.Load() // after the snapshot: s counts no read it misses
	require.Less(t, reads, int64(25), "one read per block: no backoff")
	require.Positive(t, s.ChainReadErrors)
	require.LessOrEqual(t, s.ChainReadErrors, uint64(reads))
	require.Zero(t, s.Resends, "no resend without an answer from the chain")
	require.Zero(t, s.EpochsCommitted)
	require.Equal(t, 1, strings.Count(logs.String(), "reading epoch state from chain failed"), "warned once")

	chain.fail.Store(false)
	chain.NextBlock()
	waitFor(t, 10*time.Second, "epoch 1 settled once reads work", func() bool { return r.c.Stats().EpochsCommitted == 1 })
	require.NoError(t, r.stop())
	requireChainMatchesStore(t, chain.fakeChain, st, 1)
	require.Contains(t, logs.String(), "chain readable again")
}

// failingParams is a fake chain whose max_readings_per_epoch cannot be read.
type failingParams struct{ *fakeChain }

func (failingParams) MaxReadingsPerEpoch(context.Context) (uint64, error) {
	return 0, errors.New("query failed")
}

// TestCommitterConfiguredCapRefusesNothing: the configured
// MaxReadingsPerEpoch only cuts epochs. One Append above it makes an epoch
// the chain takes; when its first tx is lost, the resend goes out and the
// committer does not stop with ErrEpochRefused, whether the chain does not
// expose its param or it could not be read.
func TestCommitterConfiguredCapRefusesNothing(t *testing.T) {
	for name, wrap := range map[string]func(*fakeChain) commit.Chain{
		"no param reader":   func(c *fakeChain) commit.Chain { return c },
		"param read failed": func(c *fakeChain) commit.Chain { return failingParams{c} },
	} {
		t.Run(name, func(t *testing.T) {
			st := openStore(t, t.TempDir())
			fc := newFakeChain() // takes DefaultMaxReadingsPerEpoch (10M)
			fc.dropAccepted = 1
			appendN(t, st, "s", 5)
			fc.NextBlock()
			c, done, cancel := runWatched(t, commit.Config{ResendAfterBlocks: 2, MaxReadingsPerEpoch: 3}, st, wrap(fc), fc, log.NewNopLogger())
			waitFor(t, 5*time.Second, "first broadcast", func() bool { return c.Stats().Broadcasts == 1 })
			for h := int64(2); c.Stats().EpochsCommitted == 0; h++ {
				fc.NextBlock()
				waitFor(t, 5*time.Second, "block polled", func() bool { return fc.polled(h) || len(done) > 0 })
				select {
				case err := <-done:
					t.Fatalf("committer stopped at height %d: %v", h, err)
				default:
				}
			}
			require.Equal(t, uint64(1), c.Stats().Resends)
			cancel()
			require.NoError(t, <-done)
			requireChainMatchesStore(t, fc, st, 1)
		})
	}
}
