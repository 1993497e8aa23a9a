package app_test

import (
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// requireOneAuthority: the consensus-params authority (what bank,
// consensus, upgrade and auth answer to) equals the x/edge consortium
// authority, and that authority runs an SDK module's authority message.
func requireOneAuthority(t *testing.T, c *apptesting.Chain, signer *apptesting.Account) {
	t.Helper()
	edgeAuth, err := c.App.EdgeKeeper.Authority.Get(c.Context())
	require.NoError(t, err)
	require.Equal(t, signer.Address, sdk.AccAddress(edgeAuth), "x/edge authority")
	require.Equal(t, signer.String(), c.App.GetConsensusParams(c.Context()).Authority.GetAuthority(),
		"consensus-params authority split from the x/edge authority")
	c.SyncAccount(signer)
	block := c.DeliverTx(signer, &banktypes.MsgUpdateParams{Authority: signer.String(), Params: banktypes.DefaultParams()})
	require.Zero(t, block.TxResults[0].Code, "the consortium authority lost the SDK modules: %s", block.TxResults[0].Log)
}

// A present but empty consensus-params Auth would be copied as is by
// CometBFT and clear the authority (the SDK modules would then answer to an
// address nobody can sign for): refused before execution.
func TestConsensusParamsCannotClearTheAuthority(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	cur := c.App.GetConsensusParams(c.Context())
	clear := &consensustypes.MsgUpdateParams{
		Authority: g.Authority.String(), Block: cur.Block, Evidence: cur.Evidence, Validator: cur.Validator, Abci: cur.Abci,
		Auth: &cmtproto.AuthorityParams{Authority: ""},
	}
	res := c.CheckTx(c.SignTx(g.Authority, clear))
	require.Equal(t, edgetypes.ErrInvalidAddress.ABCICode(), res.Code, res.Log)
	require.Equal(t, edgetypes.ModuleName, res.Codespace)
	require.Contains(t, res.Log, "omit auth")
	block := c.NextBlock(c.SignTx(g.Authority, clear))
	require.Equal(t, edgetypes.ErrInvalidAddress.ABCICode(), block.TxResults[0].Code)
	c.NextBlock()
	requireOneAuthority(t, c, g.Authority)
}

// The SDK checks its modules' authority messages against the consensus
// params the tx started with. A tx of the outgoing authority A holding
// [x/edge MsgUpdateAuthority(A -> B), x/consensus MsgUpdateParams(auth A)]
// would hand over and then write A back (x/edge naming B, the SDK modules
// A); with MsgSoftwareUpgrade it would schedule an upgrade after handing
// over. The circuit refuses the second message, so the whole tx fails and
// A stays the one authority.
func TestHandoverAndSDKAuthorityMsgInOneTxIsRefused(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	next := g.Accounts[0]
	cur := c.App.GetConsensusParams(c.Context())
	for _, second := range []sdk.Msg{
		&consensustypes.MsgUpdateParams{
			Authority: g.Authority.String(), Block: cur.Block, Evidence: cur.Evidence, Validator: cur.Validator, Abci: cur.Abci,
			Auth: &cmtproto.AuthorityParams{Authority: g.Authority.String()},
		},
		&upgradetypes.MsgSoftwareUpgrade{Authority: g.Authority.String(), Plan: upgradetypes.Plan{Name: "evil", Height: c.Height() + 100}},
	} {
		c.SyncAccount(g.Authority)
		block := c.NextBlock(c.SignTx(g.Authority,
			&edgetypes.MsgUpdateAuthority{Authority: g.Authority.String(), NewAuthority: next.String()}, second))
		r := block.TxResults[0]
		require.Equal(t, edgetypes.ErrUnauthorized.ABCICode(), r.Code, r.Log)
		require.Equal(t, edgetypes.ModuleName, r.Codespace)
		require.Contains(t, r.Log, "changed in this tx")
		requireOneAuthority(t, c, g.Authority)
	}
	_, err := c.App.UpgradeKeeper.GetUpgradePlan(c.Context())
	require.Error(t, err, "no upgrade plan scheduled")
}

// A handover takes effect for the next tx, even in the same block: the
// SDK loads the consensus params per tx, so the new authority runs bank's
// MsgUpdateParams right after it, and the old one is refused.
func TestHandoverTakesEffectForTheNextTx(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	old, next := g.Authority, g.Accounts[0]
	c.SyncAccount(old)
	c.SyncAccount(next)
	handover := c.SignTx(old, &edgetypes.MsgUpdateAuthority{Authority: old.String(), NewAuthority: next.String()})
	old.Seq++
	bankByOld := c.SignTx(old, &banktypes.MsgUpdateParams{Authority: old.String(), Params: banktypes.DefaultParams()})
	bankByNew := c.SignTx(next, &banktypes.MsgUpdateParams{Authority: next.String(), Params: banktypes.DefaultParams()})
	next.Seq++
	edgeByNew := c.SignTx(next, &edgetypes.MsgUpdateParams{Authority: next.String(), Params: edgetypes.DefaultParams()})
	block := c.NextBlock(handover, bankByNew, edgeByNew, bankByOld)
	require.Zero(t, block.TxResults[0].Code, block.TxResults[0].Log)
	require.Zero(t, block.TxResults[1].Code, "the new authority runs bank in the next tx: %s", block.TxResults[1].Log)
	require.Zero(t, block.TxResults[2].Code, block.TxResults[2].Log)
	require.NotZero(t, block.TxResults[3].Code, "the old authority lost the SDK modules in the same block")

	requireOneAuthority(t, c, next)
	c.SyncAccount(old)
	res := c.CheckTx(c.SignTx(old, &banktypes.MsgUpdateParams{Authority: old.String(), Params: banktypes.DefaultParams()}))
	require.NotZero(t, res.Code, "the old authority lost the SDK modules")
}

// The circuit holds exactly the SDK modules' authority messages, found from
// their descriptors; user messages and trustedge's own are never touched.
func TestAuthorityCircuitHoldsSDKAuthorityMsgs(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	held := app.SDKAuthorityMsgsForTest(c.App)
	for _, m := range []sdk.Msg{
		&banktypes.MsgUpdateParams{}, &banktypes.MsgSetSendEnabled{}, &consensustypes.MsgUpdateParams{},
		&upgradetypes.MsgSoftwareUpgrade{}, &upgradetypes.MsgCancelUpgrade{},
	} {
		require.Contains(t, held, sdk.MsgTypeURL(m))
	}
	for _, m := range []sdk.Msg{&banktypes.MsgSend{}, &edgetypes.MsgUpdateAuthority{}, &edgetypes.MsgUpdateParams{}} {
		require.NotContains(t, held, sdk.MsgTypeURL(m))
	}
}
