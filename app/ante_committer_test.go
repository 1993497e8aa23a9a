package app_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// TestCommitterThroughTheApp: a node's committer is a plain account until
// the operator names it; then the gate admits it and its MsgCommitEpoch, in
// a real block, lands under the operator's node; once cleared it is refused
// again before execution.
func TestCommitterThroughTheApp(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	operator := g.Nodes[0].Operator

	committer := apptesting.NewAccount("committer")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, committer.Address, apptesting.Coins(1_000_000)))
	c.SyncAccount(committer)
	commit := func(epoch uint64) []byte {
		return c.SignTx(committer, &streamtypes.MsgCommitEpoch{
			Sender: committer.String(), Epoch: epoch, Root: bytes.Repeat([]byte{byte(epoch)}, 32),
			ReadingCount: 1, StreamCount: 1, WindowStart: 1, WindowEnd: 1,
		})
	}
	requireRefused := func(when string) {
		t.Helper()
		res := c.CheckTx(commit(1))
		require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), res.Code, "%s: %s", when, res.Log)
		require.Equal(t, accesstypes.ModuleName, res.Codespace, when)
	}
	requireRefused("before it is named")

	res := c.DeliverTx(operator, &edgetypes.MsgSetCommitter{Operator: operator.String(), Committer: committer.String()})
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Zero(t, c.CheckTx(commit(1)).Code)
	res = c.NextBlock(commit(1))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	c.SyncAccount(committer)
	last, err := c.App.StreamKeeper.GetLastEpoch(c.Context(), operator.Address)
	require.NoError(t, err)
	require.Equal(t, uint64(1), last, "the committer's epoch is the operator's node's")

	// Its heartbeat (what the data plane sends every few blocks) is the
	// operator's node's.
	res = c.NextBlock(c.SignTx(committer, &edgetypes.MsgHeartbeat{
		Sender: committer.String(), Node: operator.String(), Load: edgetypes.Load{CpuMillicores: 250},
	}))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	c.SyncAccount(committer)
	node, err := c.App.EdgeKeeper.GetNode(c.Context(), operator.Address)
	require.NoError(t, err)
	require.Equal(t, uint64(250), node.LastLoad.CpuMillicores)
	require.Equal(t, c.Height(), node.LastHeartbeatHeight)

	// It is admitted for its node's reports only: a bank send, alone or next
	// to a commitment, is refused before execution and costs it nothing.
	before := c.Balance(committer.Address, app.FeeDenom)
	for name, msgs := range map[string][]sdk.Msg{
		"a bank send": {banktypes.NewMsgSend(committer.Address, g.Authority.Address, apptesting.Coins(1))},
		"a commitment and a bank send": {
			&streamtypes.MsgCommitEpoch{Sender: committer.String(), Epoch: 2, Root: bytes.Repeat([]byte{2}, 32),
				ReadingCount: 1, StreamCount: 1, WindowStart: 1, WindowEnd: 1},
			banktypes.NewMsgSend(committer.Address, g.Authority.Address, apptesting.Coins(1)),
		},
	} {
		res := c.CheckTx(c.SignTx(committer, msgs...))
		require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), res.Code, name)
		require.Contains(t, res.Log, "may only send MsgCommitEpoch and MsgHeartbeat", name)
	}
	require.Equal(t, before, c.Balance(committer.Address, app.FeeDenom))

	res = c.DeliverTx(operator, &edgetypes.MsgSetCommitter{Operator: operator.String()})
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	requireRefused("after it is cleared")
}
