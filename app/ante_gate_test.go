package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
)

// TestPermissionedSenderGate: the authority, an edge operator and the holder
// of a live grant get in; a funded stranger is refused in CheckTx and in a
// block, pays no fee, and the same holds again once its grant expires.
func TestPermissionedSenderGate(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis

	stranger := apptesting.NewAccount("stranger")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, stranger.Address, apptesting.Coins(1_000_000)))
	c.SyncAccount(stranger)
	strangerSend := func() []byte {
		return c.SignTx(stranger, banktypes.NewMsgSend(stranger.Address, g.Authority.Address, apptesting.Coins(1)))
	}
	refused := func(when string) {
		t.Helper()
		before := c.Balance(stranger.Address, app.FeeDenom)
		res := c.CheckTx(strangerSend())
		require.Equal(t, accesstypes.ModuleName, res.Codespace, when)
		require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), res.Code, when)
		require.Contains(t, res.Log, stranger.String())

		// A proposer that includes it anyway gets the same refusal in the block.
		block := c.NextBlock(strangerSend())
		require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), block.TxResults[0].Code, when)
		require.Equal(t, before, c.Balance(stranger.Address, app.FeeDenom), "%s: a refused sender must pay nothing", when)
	}
	refused("no grant")

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
