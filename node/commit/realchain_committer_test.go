package commit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app/apptesting"
	"github.com/trustedge/trustedge/node/chainview"
	"github.com/trustedge/trustedge/node/commit"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// TestCommitterKeyLeavesTheOperatorAccountAlone: with a committer named on
// chain (x/edge MsgSetCommitter) the data plane signs every epoch with the
// committer's account, so the operator's own txs, sent meanwhile by another
// process (its CLI) with a sequence read from the chain, never collide with
// it: every heartbeat and every epoch lands, nothing fails in a block, and
// each account's sequence counts exactly its own txs.
func TestCommitterKeyLeavesTheOperatorAccountAlone(t *testing.T) {
	n := newAppNode(t)
	g := n.chain.Genesis
	op := g.Nodes[0].Operator
	committer := apptesting.NewAccount("committer")
	n.DeliverOutOfBand(g.Authority, send(g.Authority, committer, 1_000_000))
	n.DeliverOutOfBand(op, &edgetypes.MsgSetCommitter{Operator: op.String(), Committer: committer.String()})
	seq := func(addr sdk.AccAddress) uint64 {
		_, s, err := n.Account(context.Background(), addr)
		require.NoError(t, err)
		return s
	}
	opSeq0, committerSeq0 := seq(op.Address), seq(committer.Address)

	st := openStore(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.produceBlocks(ctx, 10*time.Millisecond)
	view := chainview.New(n.chain.App)
	r := start(t, commit.Config{Operator: op.String(), Sender: committer.String()}, st, view,
		newBroadcaster(t, n, committer, view), nil)
	cli := newBroadcaster(t, n, op)

	const beats = 20
	var want uint64
	for i := range beats {
		appendN(t, st, fmt.Sprintf("s%d", i%3), 5)
		want += 5
		_, err := cli.Broadcast(ctx, &edgetypes.MsgHeartbeat{Sender: op.String(), Load: edgetypes.Load{ActiveTasks: uint32(i)}})
		require.NoError(t, err, "heartbeat %d", i)
		time.Sleep(5 * time.Millisecond)
	}
	waitFor(t, 60*time.Second, "every reading committed", func() bool { return r.c.Stats().ReadingsCommitted == want })
	waitFor(t, 30*time.Second, "every heartbeat in a block", func() bool { return seq(op.Address) == opSeq0+beats })
	require.NoError(t, r.stop())
	cancel()

	last, err := st.LastEpoch()
	require.NoError(t, err)
	require.Greater(t, last.Number, uint64(1))
	require.Equal(t, want, requireOnChain(t, n, st, op.String(), last.Number), "epochs recorded under the operator's node")
	require.Empty(t, n.failedTxs(), "no tx failed in a block")
	require.Equal(t, committerSeq0+last.Number, seq(committer.Address), "the committer signed each epoch once")
	node, err := n.chain.App.EdgeKeeper.GetNode(n.chain.Context(), op.Address)
	require.NoError(t, err)
	require.Equal(t, uint32(beats-1), node.LastLoad.ActiveTasks, "the last heartbeat is on chain")
}
