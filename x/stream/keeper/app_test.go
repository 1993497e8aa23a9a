package keeper_test

import (
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/app/apptesting"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

// appChain runs x/stream inside the real app on pebble, through signed
// txs and the ante handler: account 0 registers a device on node 0 and
// creates a stream for it (under the grants apptesting gives test
// accounts), node 0 commits epochs 1 and 2, account 0 records a reading.
func appChain(t *testing.T) (*apptesting.Chain, *abci.ResponseFinalizeBlock) {
	t.Helper()
	c := apptesting.SetupOnDisk(t, apptesting.DefaultConfig())
	owner, node := c.Genesis.Accounts[0], c.Genesis.Nodes[0].Operator
	c.NextBlock()
	c.DeliverTx(owner, devtestutil.NewTestDevice("sensor-1", owner.String(), node.String()).RegisterMsg())
	c.DeliverTx(owner, streamtestutil.CreateMsg(owner.String(), "pm25", "sensor-1"))
	c.DeliverTx(node, streamtestutil.CommitMsg(node.String(), 1))
	res := c.DeliverTx(node, streamtestutil.CommitMsg(node.String(), 2))
	c.DeliverTx(owner, &types.MsgRecordReading{Sender: owner.String(), StreamId: "pm25", Seq: 1, Time: 7, Payload: []byte{1}})
	return c, res
}

// A commitment tx in the real app, ante handler and signature check
// included, stays far below the default tx gas.
func TestCommitEpochTxInApp(t *testing.T) {
	c, res := appChain(t)
	gas := res.TxResults[0].GasUsed
	t.Logf("MsgCommitEpoch tx gas used: %d (wanted %d)", gas, res.TxResults[0].GasWanted)
	require.Less(t, gas, int64(100_000))

	// A repeated epoch is refused by the chain with the module's code.
	node := c.Genesis.Nodes[0].Operator
	blk := c.NextBlock(c.SignTx(node, streamtestutil.CommitMsg(node.String(), 2)))
	require.Equal(t, types.ModuleName, blk.TxResults[0].Codespace)
	require.Equal(t, types.ErrEpochNotContiguous.ABCICode(), blk.TxResults[0].Code)
}

// The app's export carries the x/stream state, it validates, and a chain
// started from it has the same streams, commitments and readings.
func TestAppExportImport(t *testing.T) {
	c, _ := appChain(t)
	exp, err := c.App.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	var state map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(exp.AppState, &state))
	var gs types.GenesisState
	require.NoError(t, c.App.Codec().UnmarshalJSON(state[types.ModuleName], &gs))
	require.NoError(t, gs.Validate(c.App.StreamKeeper.AddressCodec()))
	require.Len(t, gs.Streams, 1)
	require.Len(t, gs.Commits, 2)
	require.Len(t, gs.Readings, 1)

	cp := exp.ConsensusParams
	b := apptesting.NewChain(t, nil, c.ChainID)
	_, err = b.InitChain(&abci.RequestInitChain{
		ChainId: c.ChainID, Time: c.Time, ConsensusParams: &cp, InitialHeight: exp.Height,
		Validators: apptesting.GenesisValidatorsToUpdates(exp.Validators), AppStateBytes: exp.AppState,
	})
	require.NoError(t, err)
	b.NextBlock()
	again, err := b.App.StreamKeeper.ExportGenesis(b.Context())
	require.NoError(t, err)
	require.Equal(t, &gs, again)
}
