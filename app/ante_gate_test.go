package app_test

import (
	"strings"
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// TestPermissionedSenderGate: the authority, an edge operator and the holder
// of a live grant get in; a stranger is refused with ErrSenderNotPermitted
// in CheckTx and in a block, and the same holds again once its grant
// expires. The stranger first holds less than the fee: had fees been
// deducted before the gate, its tx would fail with insufficient funds
// instead, so the refusal code proves the gate runs first (a refused
// sender pays nothing and its tx never reaches the mempool).
func TestPermissionedSenderGate(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis

	stranger := apptesting.NewAccount("stranger")
	// An account on chain (it has a number and signs like any other) that
	// cannot pay the fee.
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, stranger.Address, apptesting.Coins(1)))
	c.SyncAccount(stranger)
	require.Less(t, c.Balance(stranger.Address, app.FeeDenom), apptesting.DefaultFeeAmt)
	strangerSend := func() []byte {
		return c.SignTx(stranger, banktypes.NewMsgSend(stranger.Address, g.Authority.Address, apptesting.Coins(1)))
	}
	refused := func(when string) {
		t.Helper()
		res := c.CheckTx(strangerSend())
		require.Equal(t, accesstypes.ModuleName, res.Codespace, "%s: %s", when, res.Log)
		require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), res.Code, "%s: %s", when, res.Log)
		require.Equal(t, uint32(20), res.Code, "the code README and clients document")
		require.Contains(t, res.Log, stranger.String())

		// A proposer that includes it anyway gets the same refusal in the block.
		block := c.NextBlock(strangerSend())
		require.Equal(t, accesstypes.ModuleName, block.TxResults[0].Codespace, when)
		require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), block.TxResults[0].Code, "%s: %s", when, block.TxResults[0].Log)
	}
	refused("no grant, cannot pay the fee")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, stranger.Address, apptesting.Coins(1_000_000)))
	refused("no grant, funded")

	for name, signer := range map[string]*apptesting.Account{
		"authority": g.Authority, "operator": g.Nodes[0].Operator, "grant holder": g.Accounts[0],
	} {
		tx := c.SignTx(signer, banktypes.NewMsgSend(signer.Address, stranger.Address, apptesting.Coins(1)))
		require.Zero(t, c.CheckTx(tx).Code, name)
	}

	// A grant with an expiry admits the stranger until block time reaches it.
	expires := c.Time.Add(3 * apptesting.BlockTime)
	c.DeliverTx(g.Authority, &accesstypes.MsgGrant{
		Granter: g.Authority.String(), Subject: stranger.String(), Resource: "device/*",
		Actions: []string{accesstypes.ActionRegister}, ExpiresAt: &expires,
	})
	res := c.DeliverTx(stranger, banktypes.NewMsgSend(stranger.Address, g.Authority.Address, apptesting.Coins(1)))
	require.Zero(t, res.TxResults[0].Code)
	for !c.Time.After(expires) {
		c.NextBlock()
	}
	refused("after expiry")
}

// TestGateAdmitsNamespaceAdmins: an account the authority made admin of a
// namespace holds no grant, yet must reach x/access to grant and revoke in
// that namespace. It is admitted while it is an admin, and refused again
// once the authority removes it.
func TestGateAdmitsNamespaceAdmins(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	admin := apptesting.NewAccount("ns-admin")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, admin.Address, apptesting.Coins(1_000_000)))
	setAdmin := func(enabled bool) {
		t.Helper()
		res := c.DeliverTx(g.Authority, &accesstypes.MsgSetNamespaceAdmin{
			Authority: g.Authority.String(), Namespace: "stream", Admin: admin.String(), Enabled: enabled,
		})
		require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	}
	grant := func() *accesstypes.MsgGrant {
		return &accesstypes.MsgGrant{
			Granter: admin.String(), Subject: g.Accounts[1].String(), Resource: "stream/x", Actions: []string{"read"},
		}
	}

	setAdmin(true)
	c.SyncAccount(admin)
	res := c.DeliverTx(admin, grant())
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	var got accesstypes.Grant
	require.NoError(t, c.App.AccessKeeper.Grants.Walk(c.Context(), nil, func(_ uint64, gr accesstypes.Grant) (bool, error) {
		if gr.Resource == "stream/x" {
			got = gr
			return true, nil
		}
		return false, nil
	}))
	require.Equal(t, admin.String(), got.Granter, "the admin's grant is in state")

	setAdmin(false)
	c.SyncAccount(admin)
	ct := c.CheckTx(c.SignTx(admin, &accesstypes.MsgRevoke{Sender: admin.String(), GrantId: got.Id}))
	require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), ct.Code, ct.Log)
	_, err := c.App.AccessKeeper.Grants.Get(c.Context(), got.Id)
	require.NoError(t, err, "grant still there")
}

// TestConsensusParamsCannotSplitTheAuthority: x/consensus MsgUpdateParams
// naming another authority is refused before execution (the SDK modules
// and x/edge would answer to different accounts); naming the current one,
// or none, is fine.
func TestConsensusParamsCannotSplitTheAuthority(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	cur := c.App.GetConsensusParams(c.Context())
	update := func(auth string) *consensustypes.MsgUpdateParams {
		m := &consensustypes.MsgUpdateParams{
			Authority: g.Authority.String(), Block: cur.Block, Evidence: cur.Evidence, Validator: cur.Validator, Abci: cur.Abci,
		}
		if auth != "" {
			m.Auth = &cmtproto.AuthorityParams{Authority: auth}
		}
		return m
	}
	res := c.CheckTx(c.SignTx(g.Authority, update(g.Accounts[0].String())))
	require.Equal(t, edgetypes.ErrUnauthorized.ABCICode(), res.Code, res.Log)
	require.Equal(t, edgetypes.ModuleName, res.Codespace)
	require.Contains(t, res.Log, "tx edge update-authority")

	// The same address spelled in upper case is refused too: the SDK
	// modules compare the stored string with their messages' authority,
	// so it would lock out every canonically spelled authority message.
	upper := strings.ToUpper(g.Authority.String())
	res = c.CheckTx(c.SignTx(g.Authority, update(upper)))
	require.Equal(t, edgetypes.ErrInvalidAddress.ABCICode(), res.Code, res.Log)
	require.Contains(t, res.Log, "spelled canonically")

	for _, auth := range []string{"", g.Authority.String()} {
		block := c.DeliverTx(g.Authority, update(auth))
		require.Zero(t, block.TxResults[0].Code, "auth %q: %s", auth, block.TxResults[0].Log)
	}
	c.NextBlock()
	require.Equal(t, g.Authority.String(), c.App.GetConsensusParams(c.Context()).Authority.GetAuthority())
	// ... and the canonical authority still runs the SDK modules.
	block := c.DeliverTx(g.Authority, &banktypes.MsgUpdateParams{Authority: g.Authority.String(), Params: banktypes.DefaultParams()})
	require.Zero(t, block.TxResults[0].Code, block.TxResults[0].Log)
}

// TestUpdateAuthorityStoresCanonical: x/edge MsgUpdateAuthority naming the
// new authority in upper case stores (and hands the SDK modules) the
// canonical spelling, which then runs bank's MsgUpdateParams.
func TestUpdateAuthorityStoresCanonical(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	next := g.Accounts[0]
	res := c.DeliverTx(g.Authority, &edgetypes.MsgUpdateAuthority{Authority: g.Authority.String(), NewAuthority: strings.ToUpper(next.String())})
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	c.NextBlock()
	require.Equal(t, next.String(), c.App.GetConsensusParams(c.Context()).Authority.GetAuthority())
	c.SyncAccount(next)
	block := c.DeliverTx(next, &banktypes.MsgUpdateParams{Authority: next.String(), Params: banktypes.DefaultParams()})
	require.Zero(t, block.TxResults[0].Code, block.TxResults[0].Log)
}
