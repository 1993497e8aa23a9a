package app_test

import (
	"bytes"
	"strings"
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	"github.com/trustedge/trustedge/x/edge"
	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// TestUpgradeV2MigratesEthSigners runs the "v2" software upgrade the way a
// chain does — the authority's MsgSoftwareUpgrade plan, then x/upgrade's
// PreBlocker at the plan height — over x/edge state written as version 1
// kept it: addresses in any letter case, no index, and one address on two
// nodes. After the upgrade every kept address is in EIP-55 form and
// indexed, the later holder of a shared address and an address that does
// not parse are cleared, and x/edge is at version 2.
func TestUpgradeV2MigratesEthSigners(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	k := c.App.EdgeKeeper
	nodes := c.Genesis.Nodes
	shared := edgetestutil.EthAddress("upgrade/shared")
	own := edgetestutil.EthAddress("upgrade/own")
	// Which of nodes 0 and 1 comes first in operator order keeps the
	// shared address.
	first, second := nodes[0], nodes[1]
	if bytes.Compare(first.Operator.Address, second.Operator.Address) > 0 {
		first, second = second, first
	}

	// Version 1 state, written straight into the store.
	cms := c.App.CommitMultiStore().CacheMultiStore()
	ctx := sdk.NewContext(cms, cmtproto.Header{ChainID: c.ChainID, Height: c.Height(), Time: c.Time}, false, c.App.Logger())
	setEth := func(n *apptesting.Node, addr string) {
		rec, err := k.Nodes.Get(ctx, n.Operator.Address)
		require.NoError(t, err)
		rec.EthAddress = addr
		require.NoError(t, k.Nodes.Set(ctx, n.Operator.Address, rec))
	}
	setEth(first, strings.ToLower(shared))
	setEth(second, "0x"+strings.ToUpper(shared[2:]))
	setEth(nodes[2], "0x1234")
	setEth(nodes[3], strings.ToLower(own))
	require.NoError(t, k.EthSigners.Clear(ctx, nil))
	vm, err := c.App.UpgradeKeeper.GetModuleVersionMap(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(edge.ConsensusVersion), vm[edgetypes.ModuleName])
	vm[edgetypes.ModuleName] = 1
	// x/access as a chain from before grant horizons left it: version 1,
	// no horizons (its 1 -> 2 migration rebuilds them).
	vm[accesstypes.ModuleName] = 1
	require.NoError(t, c.App.AccessKeeper.GrantHorizons.Clear(ctx, nil))
	// x/stream as version 1 left it: no stream count (its 1 -> 2
	// migration counts the streams and bounds closed ones).
	vm[streamtypes.ModuleName] = 1
	require.NoError(t, c.App.StreamKeeper.StreamCount.Remove(ctx))
	require.NoError(t, c.App.UpgradeKeeper.SetModuleVersionMap(ctx, vm))
	cms.Write()
	c.NextBlock()

	// The plan is for the block after the one that schedules it: this
	// binary has the handler, and x/upgrade halts a chain whose binary
	// has a plan's handler before the plan's height (the operators
	// switched binaries too early).
	planHeight := c.NextHeight() + 1
	c.DeliverTx(c.Genesis.Authority, &upgradetypes.MsgSoftwareUpgrade{
		Authority: c.Genesis.Authority.String(),
		Plan:      upgradetypes.Plan{Name: app.UpgradeV2, Height: planHeight},
	})
	for c.Height() < planHeight {
		c.NextBlock()
	}

	ctx = c.Context()
	done, err := c.App.UpgradeKeeper.GetDoneHeight(ctx, app.UpgradeV2)
	require.NoError(t, err)
	require.Equal(t, planHeight, done, "the upgrade ran at its height")
	vm, err = c.App.UpgradeKeeper.GetModuleVersionMap(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), vm[edgetypes.ModuleName])
	require.Equal(t, uint64(2), vm[accesstypes.ModuleName])
	require.Equal(t, uint64(2), vm[streamtypes.ModuleName])
	_, err = c.App.StreamKeeper.StreamCount.Get(ctx)
	require.NoError(t, err, "x/stream's 1 -> 2 migration wrote the stream count")
	// Horizons rebuilt: the genesis owner's grants admit its txs again
	// (the ante gate reads horizons), and the owner's horizon is back.
	_, err = c.App.AccessKeeper.GrantHorizons.Get(ctx, accesstypes.AccountSubject(c.Genesis.Accounts[0].String()))
	require.NoError(t, err, "x/access horizons rebuilt by its 1 -> 2 migration")

	ethOf := func(n *apptesting.Node) string {
		rec, err := k.Nodes.Get(ctx, n.Operator.Address)
		require.NoError(t, err)
		return rec.EthAddress
	}
	holder := func(addr string) sdk.AccAddress {
		_, raw, err := edgetypes.ParseEthAddress(addr)
		require.NoError(t, err)
		op, err := k.EthSigners.Get(ctx, raw)
		require.NoError(t, err, "%s indexed", addr)
		return op
	}
	require.Equal(t, shared, ethOf(first), "kept by the first holder, in EIP-55 form")
	require.Equal(t, first.Operator.Address, holder(shared))
	require.Empty(t, ethOf(second), "the second holder of an address loses it")
	require.Empty(t, ethOf(nodes[2]), "an address that does not parse is cleared")
	require.Equal(t, own, ethOf(nodes[3]))
	require.Equal(t, nodes[3].Operator.Address, holder(own))
	n := 0
	require.NoError(t, k.EthSigners.Walk(ctx, nil, func([]byte, sdk.AccAddress) (bool, error) { n++; return false, nil }))
	require.Equal(t, 2, n, "one index entry per kept address")

	// The cleared operator may not take an address in use, and may claim a
	// free one again.
	update := func(addr string) *edgetypes.MsgUpdateNode {
		return &edgetypes.MsgUpdateNode{Operator: second.Operator.String(), Moniker: second.Moniker, EthAddress: addr}
	}
	res, err := c.FinalizeBlock(c.SignTx(second.Operator, update(own)))
	require.NoError(t, err)
	c.Commit()
	require.Equal(t, edgetypes.ErrEthAddressInUse.ABCICode(), res.TxResults[0].Code, res.TxResults[0].Log)
	second.Operator.Seq++
	fresh := edgetestutil.EthAddress("upgrade/fresh")
	c.DeliverTx(second.Operator, update(fresh))
	ctx = c.Context()
	require.Equal(t, fresh, ethOf(second))
	require.Equal(t, second.Operator.Address, holder(fresh))

	// Running the migration again changes nothing.
	ctx = c.Context()
	before := ethOf(first)
	require.NoError(t, k.MigrateEthSigners(ctx))
	require.Equal(t, before, ethOf(first))
	require.Equal(t, first.Operator.Address, holder(shared))
}
