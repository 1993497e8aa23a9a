package commit_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/store"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// Blocks that come faster than CloseDelay (skip_timeout_commit, or a delay
// set above the block time) must not put the close off forever: the delay
// counts from when the close became due, not from the latest block.
func TestCloseDelayAboveBlockInterval(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	appendN(t, st, "s", 5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go chain.produceBlocks(ctx, 20*time.Millisecond)
	r := start(t, commit.Config{CloseDelay: 100 * time.Millisecond}, st, chain, chain, nil)
	require.Eventually(t, func() bool { return r.c.Stats().EpochsCommitted >= 1 }, 5*time.Second, 10*time.Millisecond,
		"no epoch committed while blocks come every 20ms and the close delay is 100ms")
	require.Zero(t, st.PendingCount())
}

// unreadableChain has blocks but its state cannot be read (the in-process
// node is not serving yet).
type unreadableChain struct{ *fakeChain }

func (unreadableChain) LastEpoch(context.Context, string) (uint64, error) {
	return 0, errors.New("not serving yet")
}

// Stopped while resume still waits for the chain, Run closes nothing: the
// store was never checked against the chain.
func TestRunStoppedBeforeResumeClosesNothing(t *testing.T) {
	st := openStore(t, t.TempDir())
	appendN(t, st, "s", 3)
	chain := unreadableChain{newFakeChain()}
	chain.NextBlock()
	var resumed atomic.Bool
	c := commit.New(commit.Config{Operator: operator, PollInterval: time.Millisecond, OnResumed: func() { resumed.Store(true) }},
		st, chain, chain, log.NewNopLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	require.NoError(t, c.Run(ctx))
	last, err := st.LastEpoch()
	require.NoError(t, err)
	require.Nil(t, last, "an epoch was closed in an unchecked store")
	require.False(t, resumed.Load())
	chain.mu.Lock()
	defer chain.mu.Unlock()
	require.Zero(t, chain.broadcasts)
}

// markedEpochOnChain is a store whose epoch 1 is closed and marked
// committed, and a chain holding a commitment of epoch 1 with root (nil:
// the store's own root).
func markedEpochOnChain(t *testing.T, root []byte) (*store.Store, *fakeChain) {
	t.Helper()
	st := openStore(t, t.TempDir())
	appendN(t, st, "a", 2)
	e, err := st.CloseEpoch(1)
	require.NoError(t, err)
	require.NoError(t, st.MarkCommitted(1, 1))
	if root == nil {
		root = e.Root
	}
	chain := newFakeChain()
	_, err = chain.Broadcast(context.Background(), &streamtypes.MsgCommitEpoch{Sender: operator, Epoch: 1,
		Root: root, ReadingCount: e.ReadingCount, StreamCount: 1, WindowStart: e.WindowStart, WindowEnd: e.WindowEnd})
	require.NoError(t, err)
	chain.NextBlock()
	return st, chain
}

// At restart the chain's root of the store's last epoch is compared even
// when the store already marked that epoch committed.
func TestResumeChecksMarkedEpochRoot(t *testing.T) {
	st, chain := markedEpochOnChain(t, bytes.Repeat([]byte{9}, 32))
	c := commit.New(commit.Config{Operator: operator, PollInterval: time.Millisecond}, st, chain, chain, log.NewNopLogger())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	require.ErrorIs(t, c.Run(ctx), commit.ErrRootMismatch)
}

// A restart in step with a marked epoch resumes without counting it again.
func TestResumeMarkedEpochInStep(t *testing.T) {
	st, chain := markedEpochOnChain(t, nil)
	var resumed atomic.Bool
	r := start(t, commit.Config{OnResumed: func() { resumed.Store(true) }}, st, chain, chain, nil)
	require.Eventually(t, resumed.Load, time.Second, 5*time.Millisecond)
	require.Zero(t, r.c.Stats().EpochsCommitted)
}

// While the node catches up, the store is not compared with the stale
// chain (a lost store would look in step with a chain behind its first
// commit) and ingest stays closed; once synced, resume runs.
func TestResumeWaitsWhileCatchingUp(t *testing.T) {
	st := openStore(t, t.TempDir())
	appendN(t, st, "s", 3)
	chain := newFakeChain()
	chain.NextBlock()
	var catchingUp atomic.Bool
	catchingUp.Store(true)
	var resumed atomic.Bool
	var asked atomic.Int64
	r := start(t, commit.Config{
		CatchingUp: func(context.Context) (bool, error) { asked.Add(1); return catchingUp.Load(), nil },
		OnResumed:  func() { resumed.Store(true) },
	}, st, chain, chain, nil)
	// The committer has asked several times, over new blocks, and was
	// told to wait each time.
	for asked.Load() < 3 {
		chain.NextBlock()
		time.Sleep(10 * time.Millisecond)
	}
	require.False(t, resumed.Load())
	last, err := st.LastEpoch()
	require.NoError(t, err)
	require.Nil(t, last, "closed an epoch while catching up")

	catchingUp.Store(false)
	require.Eventually(t, resumed.Load, 5*time.Second, 5*time.Millisecond)
	// Blocks keep coming: one to close the epoch at, one to include it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go chain.produceBlocks(ctx, 20*time.Millisecond)
	require.Eventually(t, func() bool { return r.c.Stats().EpochsCommitted == 1 }, 5*time.Second, 10*time.Millisecond)
}
