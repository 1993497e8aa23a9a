package commit_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/internal/syncbuf"
	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/store"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

var operator = sdk.AccAddress(bytes.Repeat([]byte{0xe1}, 20)).String()

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// appendN appends n readings to stream after its head, with a positive
// ingest time (the chain refuses a window starting at 0).
func appendN(t testing.TB, st *store.Store, stream string, n int) {
	t.Helper()
	head, err := st.Head(stream)
	require.NoError(t, err)
	rs := make([]store.Reading, n)
	for i := range rs {
		rs[i] = store.Reading{Time: int64(head) + int64(i) + 1, Payload: []byte(fmt.Sprintf("%s/%d", stream, head+uint64(i)+1))}
	}
	_, err = st.Append(stream, head+1, rs, time.Now().UnixNano())
	require.NoError(t, err)
}

// running is a committer started in the background.
type running struct {
	c    *commit.Committer
	stop func() error
}

func start(t testing.TB, cfg commit.Config, st *store.Store, chain commit.Chain, b commit.Broadcaster, logger log.Logger) *running {
	t.Helper()
	if cfg.Operator == "" {
		cfg.Operator = operator
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 2 * time.Millisecond
	}
	if logger == nil {
		logger = log.NewNopLogger()
	}
	c := commit.New(cfg, st, chain, b, logger)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return &running{c: c, stop: stop}
}

// fastConfig fills the test operator and 1 ms polls into cfg.
func fastConfig(cfg commit.Config) commit.Config {
	if cfg.Operator == "" {
		cfg.Operator = operator
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Millisecond
	}
	return cfg
}

// runToEnd runs a committer (1 ms polls, chain as broadcaster) until Run
// returns by itself, and returns its error. Run lasting to the 5 s deadline
// fails the test: the cases that use it must stop on their own.
func runToEnd(t testing.TB, cfg commit.Config, st *store.Store, chain commit.Chain, b commit.Broadcaster, logger log.Logger) (*commit.Committer, error) {
	t.Helper()
	c := commit.New(fastConfig(cfg), st, chain, b, logger)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.Run(ctx)
	require.NoError(t, ctx.Err(), "Run lasted to the deadline")
	return c, err
}

// runWatched starts a committer (1 ms polls) in the background with a 10 s
// deadline and returns the channel Run's error arrives on, for tests that
// drive the chain and wait for the committer to stop (or require it not
// to have), and the cancel that stops it.
func runWatched(t testing.TB, cfg commit.Config, st *store.Store, chain commit.Chain, b commit.Broadcaster, logger log.Logger) (*commit.Committer, <-chan error, context.CancelFunc) {
	t.Helper()
	c := commit.New(fastConfig(cfg), st, chain, b, logger)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(cancel)
	return c, done, cancel
}

// requireChainMatchesStore checks epochs 1..n: each on chain with the
// store's root and counts, marked committed at the chain's height, the
// batches contiguous per stream; it returns the readings committed.
func requireChainMatchesStore(t *testing.T, chain *fakeChain, st *store.Store, n uint64) uint64 {
	t.Helper()
	next := map[string]uint64{}
	var total uint64
	for i := uint64(1); i <= n; i++ {
		c, found, err := chain.EpochCommit(context.Background(), operator, i)
		require.NoError(t, err)
		require.True(t, found, "epoch %d on chain", i)
		e, err := st.Epoch(i)
		require.NoError(t, err)
		require.Equal(t, e.Root, c.Root, "epoch %d root", i)
		require.Equal(t, e.ReadingCount, c.ReadingCount)
		require.Equal(t, uint32(len(e.Batches)), c.StreamCount)
		require.Equal(t, e.WindowStart, c.WindowStart)
		require.Equal(t, e.WindowEnd, c.WindowEnd)
		require.Equal(t, c.Height, e.CommittedHeight, "epoch %d marked at the chain's height", i)
		for _, b := range e.Batches {
			require.Equal(t, max(next[b.StreamID], 1), b.FirstSeq, "epoch %d stream %s", i, b.StreamID)
			next[b.StreamID] = b.LastSeq + 1
		}
		total += e.ReadingCount
	}
	last, _ := chain.LastEpoch(context.Background(), operator)
	require.Equal(t, n, last)
	return total
}

func TestCommitterRebroadcastsLostTx(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	chain.dropAccepted = 1 // CheckTx accepts the first tx, no block ever has it
	appendN(t, st, "s1", 5)
	chain.NextBlock()
	r := start(t, commit.Config{ResendAfterBlocks: 2}, st, chain, chain, nil)

	waitFor(t, 5*time.Second, "first broadcast", func() bool { return r.c.Stats().Broadcasts == 1 })
	chain.NextBlock() // one block after the broadcast: not yet
	chain.waitPolled(t, 2)
	require.Equal(t, []int64{1}, chain.sentAt(), "no resend before ResendAfterBlocks")
	chain.NextBlock() // two blocks after: re-broadcast, the next block has it
	waitFor(t, 5*time.Second, "re-broadcast", func() bool { return r.c.Stats().Resends == 1 })
	chain.NextBlock()
	waitFor(t, 5*time.Second, "epoch 1 committed", func() bool { return r.c.Stats().EpochsCommitted == 1 })
	require.NoError(t, r.stop())

	requireChainMatchesStore(t, chain, st, 1)
	require.Equal(t, []int64{1, 3}, chain.sentAt(), "resent exactly ResendAfterBlocks after the first broadcast")
	s := r.c.Stats()
	require.Equal(t, uint64(2), s.Broadcasts)
	require.Equal(t, uint64(5), s.ReadingsCommitted)
	require.Zero(t, chain.failedInBlock)
}

// TestCommitterCommitsForOperatorWithCommitterKey: signed by the node's
// committer account, the epochs are the operator's on chain (the msg
// names the node), and the committer sees them there.
func TestCommitterCommitsForOperatorWithCommitterKey(t *testing.T) {
	committer := sdk.AccAddress(bytes.Repeat([]byte{0xc0}, 20)).String()
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	chain.committers[committer] = operator
	appendN(t, st, "s", 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go chain.produceBlocks(ctx, 5*time.Millisecond)
	r := start(t, commit.Config{Sender: committer}, st, chain, chain, nil)
	waitFor(t, 5*time.Second, "epoch 1 committed", func() bool { return r.c.Stats().EpochsCommitted == 1 })
	require.NoError(t, r.stop())
	cancel()
	requireChainMatchesStore(t, chain, st, 1)
	last, _ := chain.LastEpoch(context.Background(), committer)
	require.Zero(t, last, "nothing recorded under the committer account")
}

func TestCommitterRetriesBroadcastErrors(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	chain.failBroadcasts = 3
	appendN(t, st, "s1", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go chain.produceBlocks(ctx, 5*time.Millisecond)
	r := start(t, commit.Config{PollInterval: time.Millisecond}, st, chain, chain, nil)

	waitFor(t, 10*time.Second, "epoch 1 committed", func() bool { return r.c.Stats().EpochsCommitted == 1 })
	require.NoError(t, r.stop())
	s := r.c.Stats()
	require.Equal(t, uint64(3), s.BroadcastErrors, "every failure retried")
	require.Equal(t, uint64(1), s.Broadcasts)
	requireChainMatchesStore(t, chain, st, 1)
}

func TestCommitterResumeMarksEpochCommittedWhileStopped(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	appendN(t, st, "a", 3)
	// The committer closed and broadcast epoch 1, then died before seeing
	// it in a block.
	e, err := st.CloseEpoch(1)
	require.NoError(t, err)
	_, err = chain.Broadcast(context.Background(), &streamtypes.MsgCommitEpoch{
		Sender: operator, Epoch: 1, Root: e.Root, ReadingCount: e.ReadingCount,
		StreamCount: uint32(len(e.Batches)), WindowStart: e.WindowStart, WindowEnd: e.WindowEnd,
	})
	require.NoError(t, err)
	chain.NextBlock()
	chain.NextBlock()

	r := start(t, commit.Config{}, st, chain, chain, nil)
	waitFor(t, 5*time.Second, "epoch 1 marked", func() bool { return r.c.Stats().EpochsCommitted == 1 })
	require.NoError(t, r.stop())
	got, err := st.Epoch(1)
	require.NoError(t, err)
	require.Equal(t, int64(1), got.CommittedHeight)
	require.Equal(t, 1, chain.broadcasts, "nothing re-broadcast")
}

func TestCommitterRefusesStoreChainMismatch(t *testing.T) {
	cases := map[string]struct {
		storeEpochs     int
		markFirst       bool
		chainEpochs     uint64
		wantStoreLastEp uint64
	}{
		"store lost (chain ahead)":         {storeEpochs: 0, chainEpochs: 2},
		"store behind by one":              {storeEpochs: 1, chainEpochs: 2, wantStoreLastEp: 1},
		"store ahead by two":               {storeEpochs: 3, chainEpochs: 1, wantStoreLastEp: 3},
		"store committed what chain lacks": {storeEpochs: 1, markFirst: true, chainEpochs: 0, wantStoreLastEp: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st := openStore(t, t.TempDir())
			for i := 1; i <= tc.storeEpochs; i++ {
				appendN(t, st, "s", 1)
				_, err := st.CloseEpoch(uint64(i))
				require.NoError(t, err)
			}
			if tc.markFirst {
				require.NoError(t, st.MarkCommitted(1, 5))
			}
			appendN(t, st, "s", 1)
			chain := newFakeChain()
			for i := uint64(1); i <= tc.chainEpochs; i++ {
				_, err := chain.Broadcast(context.Background(), &streamtypes.MsgCommitEpoch{
					Sender: operator, Epoch: i, Root: bytes.Repeat([]byte{byte(i)}, 32), ReadingCount: 1, StreamCount: 1, WindowStart: 1, WindowEnd: 1,
				})
				require.NoError(t, err)
				chain.NextBlock()
			}
			broadcasts := chain.broadcasts

			_, err := runToEnd(t, commit.Config{}, st, chain, chain, log.NewNopLogger())
			require.ErrorIs(t, err, commit.ErrStoreMismatch)
			require.Contains(t, err.Error(), fmt.Sprintf("the chain's last epoch for %s is %d", operator, tc.chainEpochs))

			// Nothing changed on either side.
			require.Equal(t, broadcasts, chain.broadcasts)
			last, err := st.LastEpoch()
			require.NoError(t, err)
			if tc.wantStoreLastEp == 0 {
				require.Nil(t, last)
			} else {
				require.Equal(t, tc.wantStoreLastEp, last.Number)
			}
			require.Equal(t, uint64(1), st.PendingCount())
		})
	}
}

// TestCommitterStopsOnRootMismatch: the chain holds another root for an
// epoch of this store (another process committed for the operator, here
// before the restart). The committer says so loudly, marks nothing and
// stops: the epoch stays uncommitted, so its readings are neither pruned
// nor served as committed.
func TestCommitterStopsOnRootMismatch(t *testing.T) {
	st := openStore(t, t.TempDir())
	appendN(t, st, "a", 2)
	e, err := st.CloseEpoch(1)
	require.NoError(t, err)
	chain := newFakeChain()
	_, err = chain.Broadcast(context.Background(), &streamtypes.MsgCommitEpoch{
		Sender: operator, Epoch: 1, Root: bytes.Repeat([]byte{9}, 32), ReadingCount: e.ReadingCount,
		StreamCount: 1, WindowStart: e.WindowStart, WindowEnd: e.WindowEnd,
	})
	require.NoError(t, err)
	chain.NextBlock()

	var logs syncbuf.Buffer
	c, err := runToEnd(t, commit.Config{}, st, chain, chain, log.NewLogger(&logs, log.OutputJSONOption()))
	require.ErrorIs(t, err, commit.ErrRootMismatch)
	requireMismatchLeftUncommitted(t, st, c, &logs)
}

// TestCommitterStopsOnRootMismatchInFlight: the same while running — a
// second process gets its epoch 1 into the block before ours.
func TestCommitterStopsOnRootMismatchInFlight(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	chain.NextBlock()
	var logs syncbuf.Buffer
	c, done, _ := runWatched(t, commit.Config{}, st, chain, chain, log.NewLogger(&logs, log.OutputJSONOption()))
	// Resumed first: a resume after the other commitment lands is a store
	// mismatch, not this case.
	waitFor(t, 5*time.Second, "committer resumed", func() bool { return c.Stats().LastHeight == 1 })

	// The other process's commitment is in the mempool first.
	_, err := chain.Broadcast(context.Background(), &streamtypes.MsgCommitEpoch{
		Sender: operator, Epoch: 1, Root: bytes.Repeat([]byte{9}, 32), ReadingCount: 2,
		StreamCount: 1, WindowStart: 1, WindowEnd: 2,
	})
	require.NoError(t, err)
	appendN(t, st, "a", 2)
	// Our committer closes epoch 1 at height 1 or 2, depending on whether
	// its first poll saw the readings, and broadcasts it behind the other
	// one. (Waiting on Stats().InFlight raced: when the close happened at
	// height 1, the mismatch could clear it before the test looked.)
	chain.NextBlock()
	waitFor(t, 5*time.Second, "our epoch 1 broadcast", func() bool {
		chain.mu.Lock()
		defer chain.mu.Unlock()
		return chain.broadcasts == 2
	})
	chain.NextBlock() // the other commitment won; ours fails as a duplicate
	select {
	case err := <-done:
		require.ErrorIs(t, err, commit.ErrRootMismatch)
	case <-time.After(10 * time.Second):
		t.Fatal("committer did not stop on a root mismatch")
	}
	requireMismatchLeftUncommitted(t, st, c, &logs)
}

func requireMismatchLeftUncommitted(t *testing.T, st *store.Store, c *commit.Committer, logs *syncbuf.Buffer) {
	t.Helper()
	require.Equal(t, uint64(1), c.Stats().RootMismatches)
	require.Zero(t, c.Stats().EpochsCommitted)
	require.Contains(t, logs.String(), `"level":"error"`)
	require.Contains(t, logs.String(), "EPOCH ROOT MISMATCH")
	got, err := st.Epoch(1)
	require.NoError(t, err)
	require.Zero(t, got.CommittedHeight, "not marked committed")
	pruned, err := st.PruneCommitted("a", math.MaxInt64)
	require.NoError(t, err)
	require.Zero(t, pruned, "readings of an epoch the chain does not hold are never pruned")
	_, err = st.Reading("a", 1)
	require.NoError(t, err)
}

func TestCommitterClosesEveryNBlocks(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	r := start(t, commit.Config{EveryBlocks: 3}, st, chain, chain, nil)
	for h := int64(1); h <= 13; h++ {
		appendN(t, st, "s", 1)
		before := chain.broadcasts
		chain.NextBlock()
		waitFor(t, 5*time.Second, "height seen", func() bool { return r.c.Stats().LastHeight == h })
		if h%3 == 0 {
			waitFor(t, 5*time.Second, "broadcast at a multiple of 3", func() bool {
				chain.mu.Lock()
				defer chain.mu.Unlock()
				return chain.broadcasts == before+1
			})
		} else {
			chain.waitPolled(t, h)
		}
	}
	require.NoError(t, r.stop())
	last, _ := chain.LastEpoch(context.Background(), operator)
	require.Equal(t, uint64(4), last) // closed at 3, 6, 9, 12
	for i := uint64(1); i <= last; i++ {
		c, _, _ := chain.EpochCommit(context.Background(), operator, i)
		require.Equal(t, int64(3*i+1), c.Height, "epoch %d closed at height %d", i, 3*i)
		require.Equal(t, uint64(3), c.ReadingCount)
	}
	require.Equal(t, uint64(1), st.PendingCount(), "the reading of height 13 waits for height 15")
}

func TestNewRefusesBadConfig(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	for name, cfg := range map[string]commit.Config{
		"no operator":       {},
		"not bech32":        {Operator: "node-1"},
		"negative interval": {Operator: operator, PollInterval: -time.Second},
		"negative every":    {Operator: operator, EveryBlocks: -1},
	} {
		require.Panics(t, func() { commit.New(cfg, st, chain, chain, nil) }, name)
	}
}

// paramChain is a fake chain whose max_readings_per_epoch param is lower
// than the committer's configured cap.
type paramChain struct {
	*fakeChain
	max uint64
}

func (p paramChain) MaxReadingsPerEpoch(context.Context) (uint64, error) { return p.max, nil }

// slowBroadcaster delays every broadcast, as a loaded node does (CheckTx
// behind a block commit).
type slowBroadcaster struct {
	b     commit.Broadcaster
	delay time.Duration
}

func (s slowBroadcaster) Broadcast(ctx context.Context, m sdk.Msg) (string, error) {
	time.Sleep(s.delay)
	return s.b.Broadcast(ctx, m)
}

// The chain's param caps epochs even when the node is configured higher:
// a larger epoch would be refused in every block. Blocks come until every
// reading is committed, however long the broadcasts take.
func TestCommitterHonoursChainEpochLimit(t *testing.T) {
	for name, delay := range map[string]time.Duration{"fast broadcasts": 0, "slow broadcasts": 35 * time.Millisecond} {
		t.Run(name, func(t *testing.T) {
			st := openStore(t, t.TempDir())
			for i := 0; i < 5; i++ {
				appendN(t, st, "s"+strconv.Itoa(i), 4) // five appends of 4 readings
			}
			chain := paramChain{fakeChain: newFakeChain(), max: 8}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go chain.produceBlocks(ctx, 5*time.Millisecond)
			r := start(t, commit.Config{}, st, chain, slowBroadcaster{chain.fakeChain, delay}, nil)
			waitFor(t, 10*time.Second, "all readings committed", func() bool { return r.c.Stats().ReadingsCommitted == 20 })
			require.NoError(t, r.stop())
			cancel()
			last, _ := chain.LastEpoch(context.Background(), operator)
			require.GreaterOrEqual(t, last, uint64(3), "20 readings at <= 8 per epoch")
			for i := uint64(1); i <= last; i++ {
				c, _, _ := chain.EpochCommit(context.Background(), operator, i)
				require.LessOrEqual(t, c.ReadingCount, uint64(8), "epoch %d", i)
			}
		})
	}
}

// lowerableParams is a fake chain whose max_readings_per_epoch the test
// can lower, and whose blocks refuse every commitment (as they refuse one
// above the param: CheckTx accepts it, the block does not).
type lowerableParams struct {
	*fakeChain
	mu  sync.Mutex
	max uint64
}

func (p *lowerableParams) MaxReadingsPerEpoch(context.Context) (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.max, nil
}

func (p *lowerableParams) Broadcast(context.Context, sdk.Msg) (string, error) {
	return "accepted-then-refused", nil
}

// TestCommitterStopsOnEpochTheChainRefuses: an epoch closed before the
// authority lowered max_readings_per_epoch below its count is refused in
// every block. The committer does not resend it forever: at the first
// resend it sees the limit and stops with ErrEpochRefused, leaving the
// epoch uncommitted.
func TestCommitterStopsOnEpochTheChainRefuses(t *testing.T) {
	st := openStore(t, t.TempDir())
	appendN(t, st, "s", 10)
	chain := &lowerableParams{fakeChain: newFakeChain(), max: 100}
	c, done, _ := runWatched(t, commit.Config{ResendAfterBlocks: 2}, st, chain, chain, log.NewNopLogger())

	chain.NextBlock()
	waitFor(t, 5*time.Second, "epoch 1 broadcast", func() bool { return c.Stats().Broadcasts == 1 })
	chain.mu.Lock()
	chain.max = 8
	chain.mu.Unlock()
	for range 3 {
		chain.NextBlock()
	}
	select {
	case err := <-done:
		require.ErrorIs(t, err, commit.ErrEpochRefused)
		require.Contains(t, err.Error(), "epoch 1 holds 10 readings, the chain now takes at most 8")
	case <-time.After(10 * time.Second):
		t.Fatal("committer kept resending an epoch the chain refuses")
	}
	e, err := st.Epoch(1)
	require.NoError(t, err)
	require.Zero(t, e.CommittedHeight)
}
