package commit_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/internal/syncbuf"
	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/store"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// storeOneAhead is a store with epoch 1 closed (marked committed at height
// 1 if mark) and epoch 2 closed but never committed: one epoch ahead of a
// chain that holds epoch 1.
func storeOneAhead(t *testing.T, mark bool) (*store.Store, *store.Epoch) {
	t.Helper()
	st := openStore(t, t.TempDir())
	appendN(t, st, "a", 2)
	e1, err := st.CloseEpoch(1)
	require.NoError(t, err)
	if mark {
		require.NoError(t, st.MarkCommitted(1, 1))
	}
	appendN(t, st, "a", 2)
	_, err = st.CloseEpoch(2)
	require.NoError(t, err)
	return st, e1
}

// commitOnChain puts a commitment of epoch 1 with root in block 1.
func commitOnChain(t *testing.T, chain *fakeChain, e *store.Epoch, root []byte) {
	t.Helper()
	_, err := chain.Broadcast(context.Background(), &streamtypes.MsgCommitEpoch{
		Sender: operator, Epoch: e.Number, Root: root, ReadingCount: e.ReadingCount,
		StreamCount: uint32(len(e.Batches)), WindowStart: e.WindowStart, WindowEnd: e.WindowEnd,
	})
	require.NoError(t, err)
	chain.NextBlock()
}

// TestResumeInFlightChecksPreviousEpoch: with the store one epoch ahead of
// the chain (L = C+1), epoch C is checked before L is re-broadcast. A
// foreign root stops the committer with nothing sent; a matching epoch the
// store had not marked is marked at the chain's height.
func TestResumeInFlightChecksPreviousEpoch(t *testing.T) {
	for _, mark := range []bool{false, true} {
		t.Run(fmt.Sprintf("root mismatch, epoch C marked=%v", mark), func(t *testing.T) {
			st, e1 := storeOneAhead(t, mark)
			chain := newFakeChain()
			commitOnChain(t, chain, e1, bytes.Repeat([]byte{9}, 32))
			broadcasts := chain.broadcasts

			var logs syncbuf.Buffer
			c, err := runToEnd(t, commit.Config{}, st, chain, chain, log.NewLogger(&logs, log.OutputJSONOption()))
			require.ErrorIs(t, err, commit.ErrRootMismatch)
			require.Equal(t, broadcasts, chain.broadcasts, "epoch 2 not sent")
			require.Equal(t, uint64(1), c.Stats().RootMismatches)
			require.Contains(t, logs.String(), "EPOCH ROOT MISMATCH")
			got, err := st.Epoch(1)
			require.NoError(t, err)
			if !mark {
				require.Zero(t, got.CommittedHeight, "not marked committed")
			}
		})
	}
	t.Run("unmarked epoch matches", func(t *testing.T) {
		st, e1 := storeOneAhead(t, false)
		chain := newFakeChain()
		commitOnChain(t, chain, e1, e1.Root)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go chain.produceBlocks(ctx, 5*time.Millisecond)
		r := start(t, commit.Config{}, st, chain, chain, nil)
		waitFor(t, 5*time.Second, "epochs 1 and 2 marked", func() bool { return r.c.Stats().EpochsCommitted == 2 })
		require.NoError(t, r.stop())
		requireChainMatchesStore(t, chain, st, 2) // epoch 1 marked at the chain's height 1
	})
}
