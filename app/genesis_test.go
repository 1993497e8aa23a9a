package app_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/x/auth/tx"

	"github.com/trustedge/trustedge/app/apptesting"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// TestInitChainValidatorSet checks that InitChain hands CometBFT the bonded
// genesis edge nodes, with their consensus keys and powers, and that it
// accepts a genesis.json listing the same validators.
func TestInitChainValidatorSet(t *testing.T) {
	cfg := apptesting.DefaultConfig()
	g := apptesting.NewGenesis(t, cfg)

	// Distinct powers, plus a jailed and a zero-power node that must stay out.
	edgeGen := g.EdgeGenesis(t)
	for i := range g.Nodes {
		g.Nodes[i].Power = int64(10 * (i + 1))
		edgeGen.Nodes[i].Power = g.Nodes[i].Power
	}
	jailed := apptesting.NewNode("jailed", 7)
	apptesting.AddJailed(edgeGen, jailed)
	idle := apptesting.NewNode("idle", 0)
	edgeGen.Nodes = append(edgeGen.Nodes, idle.EdgeNode())
	g.SetEdgeGenesis(t, edgeGen)

	want := g.ValidatorUpdates() // built from g.Nodes: the 4 bonded nodes only
	require.Len(t, want, 4)

	c := apptesting.NewChain(t, nil, g.ChainID)
	req := g.InitChainRequest(t)
	res, err := c.InitChain(req)
	require.NoError(t, err)
	for _, v := range want {
		require.Len(t, v.PubKey.GetEd25519(), 32)
	}
	require.Equal(t, want, apptesting.SortValidatorUpdates(res.Validators))

	// The set is also what x/edge records as applied, and nothing is left
	// pending for the first EndBlock.
	c.NextBlock()
	ctx := c.Context()
	for _, n := range g.Nodes {
		v, err := c.App.EdgeKeeper.Validators.Get(ctx, n.ConsKey.PubKey().Address())
		require.NoError(t, err)
		require.Equal(t, n.Power, v.Power)
	}
	has, err := c.App.EdgeKeeper.Validators.Has(ctx, jailed.ConsKey.PubKey().Address())
	require.NoError(t, err)
	require.False(t, has, "jailed node in the validator set")
	has, err = c.App.EdgeKeeper.Validators.Has(ctx, idle.ConsKey.PubKey().Address())
	require.NoError(t, err)
	require.False(t, has, "zero-power node in the validator set")
}

// TestInitChainRejectsMismatchedValidators: a genesis.json whose validators
// differ from the edge nodes must not start.
func TestInitChainRejectsMismatchedValidators(t *testing.T) {
	g := apptesting.NewGenesis(t, apptesting.DefaultConfig())
	req := g.InitChainRequest(t)
	req.Validators[0].Power++
	_, err := apptesting.NewChain(t, nil, g.ChainID).InitChain(req)
	require.ErrorContains(t, err, "genesisValidators")

	req = g.InitChainRequest(t)
	req.Validators = req.Validators[1:]
	_, err = apptesting.NewChain(t, nil, g.ChainID).InitChain(req)
	require.ErrorContains(t, err, "len(RequestInitChain.Validators) != len(GenesisValidators)")
}

// TestInitChainWithoutAuthority: an edge genesis without the consortium
// authority fails `genesis validate`, and InitChain refuses it too, with an
// error saying what is missing.
func TestInitChainWithoutAuthority(t *testing.T) {
	g := apptesting.NewGenesis(t, apptesting.DefaultConfig())
	edgeGen := g.EdgeGenesis(t)
	edgeGen.Authority = ""
	g.SetEdgeGenesis(t, edgeGen)

	c := apptesting.NewChain(t, nil, g.ChainID)
	// What `trustedged genesis validate` runs.
	txCfg := tx.NewTxConfig(c.App.Codec(), tx.DefaultSignModes)
	err := c.App.BasicModuleManager.ValidateGenesis(c.App.Codec(), txCfg, g.AppState)
	require.ErrorIs(t, err, edgetypes.ErrInvalidGenesis)
	require.ErrorContains(t, err, "genesis set-authority")

	var res *abci.ResponseInitChain
	require.NotPanics(t, func() { res, err = c.InitChain(g.InitChainRequest(t)) })
	require.Error(t, err)
	require.Nil(t, res)
	require.ErrorContains(t, err, "no consortium authority set")
	require.ErrorIs(t, err, edgetypes.ErrInvalidGenesis)
	require.Zero(t, c.Height())
}

// TestInitChainWithoutNodes: a chain cannot start without a validator.
func TestInitChainWithoutNodes(t *testing.T) {
	cfg := apptesting.DefaultConfig()
	cfg.NumNodes = 0
	g := apptesting.NewGenesis(t, cfg)
	req := g.InitChainRequest(t)
	c := apptesting.NewChain(t, nil, g.ChainID)
	txCfg := tx.NewTxConfig(c.App.Codec(), tx.DefaultSignModes)
	err := c.App.BasicModuleManager.ValidateGenesis(c.App.Codec(), txCfg, g.AppState)
	require.ErrorContains(t, err, "genesis add-edge-node", "`genesis validate` says what is missing")
	_, err = c.InitChain(req)
	require.ErrorContains(t, err, "validator set is empty")
}
