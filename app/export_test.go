package app_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// runHistory drives chain A through blocks with real signed txs of every
// kind the genesis round trip must carry: bank sends (one creating an
// account), a node registration, a power change and a heartbeat.
func runHistory(t *testing.T, a *apptesting.Chain) (newNode *apptesting.Node) {
	t.Helper()
	g := a.Genesis
	fresh := apptesting.NewAccount("fresh-recipient")

	// Block 1: two sends; the second creates an account on chain.
	a.DeliverTxs(
		[]*apptesting.Account{g.Accounts[0], g.Accounts[1]},
		[][]sdk.Msg{
			{banktypes.NewMsgSend(g.Accounts[0].Address, g.Accounts[1].Address, apptesting.Coins(1_000))},
			{banktypes.NewMsgSend(g.Accounts[1].Address, fresh.Address, apptesting.Coins(2_500))},
		})
	require.Equal(t, int64(2_500), a.Balance(fresh.Address, app.FeeDenom))

	// Block 2: the authority registers a 5th node (10 of 40 total power,
	// inside the 30% per-block cap).
	newNode = apptesting.NewNode("node-5", 10)
	res := a.DeliverTx(g.Authority, &edgetypes.MsgRegisterNode{
		Authority: g.Authority.String(), Operator: newNode.Operator.String(),
		ConsensusPubkey: newNode.ConsPubKeyAny(), Power: newNode.Power, Moniker: newNode.Moniker,
		Region: "ap-south", Capacity: edgetypes.Capacity{CpuMillicores: 8000, MemoryMib: 16384},
		Endpoints: edgetypes.Endpoints{Gateway: "https://node-5.example.com"},
	})
	require.Equal(t, []abci.ValidatorUpdate{newNode.ValidatorUpdate(10)}, res.ValidatorUpdates)

	// Block 3: the authority raises node 0's power; node 1's operator
	// sends a heartbeat.
	res = a.DeliverTxs(
		[]*apptesting.Account{g.Authority, g.Nodes[1].Operator},
		[][]sdk.Msg{
			{&edgetypes.MsgSetPower{Authority: g.Authority.String(), Operator: g.Nodes[0].Operator.String(), Power: 12}},
			{&edgetypes.MsgHeartbeat{Sender: g.Nodes[1].Operator.String(), Load: edgetypes.Load{CpuMillicores: 1500, ActiveTasks: 3}}},
		})
	require.Equal(t, []abci.ValidatorUpdate{g.Nodes[0].ValidatorUpdate(12)}, res.ValidatorUpdates)
	hbHeight := a.Height()

	// Block 4: empty.
	res = a.NextBlock()
	require.Empty(t, res.ValidatorUpdates)

	ctx := a.Context()
	n1, err := a.App.EdgeKeeper.Nodes.Get(ctx, g.Nodes[1].Operator.Address)
	require.NoError(t, err)
	require.Equal(t, hbHeight, n1.LastHeartbeatHeight)
	require.Equal(t, uint32(3), n1.LastLoad.ActiveTasks)
	n5, err := a.App.EdgeKeeper.Nodes.Get(ctx, newNode.Operator.Address)
	require.NoError(t, err)
	require.Equal(t, int64(2), n5.JoinedHeight)
	return newNode
}

// TestExportImportRoundTrip exports a chain with history, starts two new
// chains from the export and checks they agree with each other, with the
// original state, and with the export itself.
func TestExportImportRoundTrip(t *testing.T) {
	cfg := apptesting.DefaultConfig()
	// A heartbeat window that the history stays inside: the param and the
	// heights it reads must survive the round trip, no node goes stale.
	cfg.EdgeParams.HeartbeatTimeoutBlocks = 50
	a := apptesting.SetupOnDisk(t, cfg)
	newNode := runHistory(t, a)
	require.Equal(t, int64(4), a.Height())

	exp, err := a.App.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	require.Equal(t, a.Height()+1, exp.Height)

	// The exported validators are the edge nodes with their current power.
	wantVals := []abci.ValidatorUpdate{newNode.ValidatorUpdate(10), a.Genesis.Nodes[0].ValidatorUpdate(12)}
	for _, n := range a.Genesis.Nodes[1:] {
		wantVals = append(wantVals, n.ValidatorUpdate(n.Power))
	}
	wantVals = apptesting.SortValidatorUpdates(wantVals)
	expVals := apptesting.GenesisValidatorsToUpdates(exp.Validators)
	require.Equal(t, wantVals, apptesting.SortValidatorUpdates(expVals))

	// A restart from disk changes nothing: same commit, same export.
	lastCommit := a.App.LastCommitID()
	a.Restart()
	require.Equal(t, lastCommit, a.App.LastCommitID())
	again, err := a.App.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	require.Equal(t, string(exp.AppState), string(again.AppState))

	// B (memory) and C (pebble) start from the export, as `trustedged
	// export` > genesis.json > a new network would.
	initReq := func() *abci.RequestInitChain {
		cp := exp.ConsensusParams
		return &abci.RequestInitChain{
			ChainId:         a.ChainID,
			Time:            a.Time,
			ConsensusParams: &cp,
			Validators:      apptesting.GenesisValidatorsToUpdates(exp.Validators),
			AppStateBytes:   exp.AppState,
			InitialHeight:   exp.Height,
		}
	}
	b := apptesting.NewChain(t, nil, a.ChainID)
	c := apptesting.NewDiskChain(t, a.ChainID)
	resB, err := b.InitChain(initReq())
	require.NoError(t, err)
	resC, err := c.InitChain(initReq())
	require.NoError(t, err)
	// In v0.55 InitChain answers LastCommitID().Hash, the hash before
	// genesis is applied; the genesis state is first hashed by the first
	// FinalizeBlock, compared below.
	require.Equal(t, resB.AppHash, resC.AppHash, "InitChain app hash")
	require.Equal(t, wantVals, apptesting.SortValidatorUpdates(resB.Validators))
	require.Equal(t, wantVals, apptesting.SortValidatorUpdates(resC.Validators))

	blkB, blkC := b.NextBlock(), c.NextBlock()
	require.Equal(t, exp.Height, b.Height(), "B starts at the exported height")
	require.NotEmpty(t, blkB.AppHash)
	require.Equal(t, blkB.AppHash, blkC.AppHash, "app hash after the first block")
	require.Empty(t, blkB.ValidatorUpdates, "nothing changed: CometBFT already has this set")
	require.Equal(t, b.App.LastCommitID(), c.App.LastCommitID())

	// Store by store, B holds what A held.
	for _, name := range []string{
		authtypes.StoreKey, banktypes.StoreKey, edgetypes.StoreKey,
		consensustypes.StoreKey, upgradetypes.StoreKey,
	} {
		compareStores(t, name, a.App, b.App)
	}

	// B exports exactly what A exported.
	expB, err := b.App.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	require.Equal(t, string(exp.AppState), string(expB.AppState), "re-export differs")
	require.Equal(t, exp.ConsensusParams, expB.ConsensusParams)
	require.Equal(t, wantVals, apptesting.SortValidatorUpdates(apptesting.GenesisValidatorsToUpdates(expB.Validators)))
	require.Equal(t, exp.Height+1, expB.Height)
}

// storeSkips are key prefixes compared by neither side, per store.
//
// None of auth, bank, edge, consensus or upgrade keeps height-dependent
// data that the export drops, so nothing of theirs is skipped: x/edge's
// per-block scratch (Dirty, BlockPowerChange) is emptied by every EndBlock
// and its Validators map is rebuilt from the nodes by InitGenesis, and must
// come out byte-identical; node heights (joined, last heartbeat) are node
// data and are exported. The one exception is auth's unordered-tx nonces:
// they are keyed by tx timeout, pruned by block time and not exported
// (unordered txs are off here, so the prefix is empty anyway).
var storeSkips = map[string][][]byte{
	authtypes.StoreKey: {authtypes.UnorderedNoncesKey},
}

// compareStores diffs the committed store name of both apps with the SDK's
// DiffKVStores, as its import/export simulation does.
func compareStores(t *testing.T, name string, appA, appB *app.App) {
	t.Helper()
	storeA := appA.CommitMultiStore().GetKVStore(appA.GetKey(name))
	storeB := appB.CommitMultiStore().GetKVStore(appB.GetKey(name))
	require.NotZero(t, countKeys(storeA), "store %s is empty in A", name)
	diffA, diffB := simtestutil.DiffKVStores(storeA, storeB, storeSkips[name])
	require.Equal(t, len(diffA), len(diffB))
	for i := range diffA {
		t.Errorf("store %s differs at key %X:\n  A: %X\n  B: %X", name, diffA[i].Key, diffA[i].Value, diffB[i].Value)
	}
	require.Equal(t, countKeys(storeA), countKeys(storeB), "store %s: key count", name)
}

func countKeys(s storetypes.KVStore) int {
	it := s.Iterator(nil, nil)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n
}

// TestZeroHeightExportRestartsHeartbeatWindow: a zero-height export starts
// a new chain at height 1, so node heights of the old chain must not carry
// over: a node that heartbeated at old height 13 must still go stale once
// the new chain passes heartbeat_timeout_blocks without a heartbeat.
func TestZeroHeightExportRestartsHeartbeatWindow(t *testing.T) {
	const timeout = 5
	cfg := apptesting.DefaultConfig()
	cfg.EdgeParams.HeartbeatTimeoutBlocks = timeout
	a := apptesting.Setup(t, cfg)
	g := a.Genesis
	status := func(c *apptesting.Chain, n *apptesting.Node) edgetypes.NodeStatus {
		node, err := c.App.EdgeKeeper.Nodes.Get(c.Context(), n.Operator.Address)
		require.NoError(t, err)
		return node.Status
	}

	for a.Height() < 12 {
		a.NextBlock()
	}
	require.Equal(t, edgetypes.NODE_STATUS_STALE, status(a, g.Nodes[0]), "silent node not stale on A")

	signers := make([]*apptesting.Account, len(g.Nodes))
	msgs := make([][]sdk.Msg, len(g.Nodes))
	for i, n := range g.Nodes {
		signers[i] = n.Operator
		msgs[i] = []sdk.Msg{&edgetypes.MsgHeartbeat{Sender: n.Operator.String()}}
	}
	a.DeliverTxs(signers, msgs) // height 13
	a.NextBlock()
	for _, n := range g.Nodes {
		require.Equal(t, edgetypes.NODE_STATUS_ACTIVE, status(a, n))
	}

	exp, err := a.App.ExportAppStateAndValidators(true, nil, nil)
	require.NoError(t, err)
	require.Zero(t, exp.Height)
	// Exporting for zero height leaves A's own state alone, down to the
	// CheckTx state the export reads from.
	for _, ctx := range []sdk.Context{a.Context(), a.App.NewContext(true)} {
		n0, err := a.App.EdgeKeeper.Nodes.Get(ctx, g.Nodes[0].Operator.Address)
		require.NoError(t, err)
		require.Equal(t, int64(13), n0.LastHeartbeatHeight)
	}

	b := a.FromZeroHeightExport(exp)
	for b.Height() < timeout {
		b.NextBlock()
		require.Equal(t, edgetypes.NODE_STATUS_ACTIVE, status(b, g.Nodes[0]), "stale too early at height %d", b.Height())
	}
	b.NextBlock()
	for _, n := range g.Nodes {
		require.Equal(t, edgetypes.NODE_STATUS_STALE, status(b, n), "node %s not stale at height %d", n.Moniker, b.Height())
	}
}
