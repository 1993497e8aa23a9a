package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app/apptesting"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// deviceOwnerChain is a chain with a funded owner whose only grant (register
// on device/*) has expired, after it registered own-1 and own-2 on node 0.
func deviceOwnerChain(t *testing.T) (*apptesting.Chain, *apptesting.Account, [2]devtestutil.TestDevice) {
	t.Helper()
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	owner := apptesting.NewAccount("grantless-owner")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, owner.Address, apptesting.Coins(1_000_000)))
	expires := c.Time.Add(3 * apptesting.BlockTime)
	c.DeliverTx(g.Authority, &accesstypes.MsgGrant{
		Granter: g.Authority.String(), Subject: owner.String(), Resource: "device/*",
		Actions: []string{accesstypes.ActionRegister}, ExpiresAt: &expires,
	})
	c.SyncAccount(owner)
	ds := [2]devtestutil.TestDevice{
		devtestutil.NewTestDevice("own-1", owner.String(), g.Nodes[0].Operator.String()),
		devtestutil.NewTestDevice("own-2", owner.String(), g.Nodes[0].Operator.String()),
	}
	c.DeliverTx(owner, ds[0].RegisterMsg(), ds[1].RegisterMsg())
	for !c.Time.After(expires) {
		c.NextBlock()
	}
	ok, err := c.App.AccessKeeper.HasLiveGrant(c.Context(), owner.Address)
	require.NoError(t, err)
	require.False(t, ok, "the owner's grant has expired")
	return c, owner, ds
}

// requireGateRefuses requires CheckTx to refuse tx with ErrSenderNotPermitted.
func requireGateRefuses(t *testing.T, c *apptesting.Chain, tx []byte, what string) {
	t.Helper()
	res := c.CheckTx(tx)
	require.Equal(t, accesstypes.ModuleName, res.Codespace, "%s: %s", what, res.Log)
	require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), res.Code, "%s: %s", what, res.Log)
}

func deviceStatus(t *testing.T, c *apptesting.Chain, id string) devicetypes.DeviceStatus {
	t.Helper()
	d, err := c.App.DeviceKeeper.GetDevice(c.Context(), id)
	require.NoError(t, err)
	return d.Status
}

// TestGateAdmitsOwnersForTheirOwnDevices: an owner whose grant expired is
// still admitted for x/device owner messages about devices it owns and has
// not revoked (suspend, resume, revoke) — in CheckTx and in a block — and
// for nothing else: not a bank send, not a tx mixing a device message with
// one, not a registration, not a message about another owner's device or a
// device it revoked.
func TestGateAdmitsOwnersForTheirOwnDevices(t *testing.T) {
	c, owner, ds := deviceOwnerChain(t)
	g := c.Genesis
	suspend := func(id string) sdk.Msg {
		return &devicetypes.MsgSuspendDevice{Signer: owner.String(), DeviceId: id, Reason: "lost"}
	}

	require.Zero(t, c.CheckTx(c.SignTx(owner, suspend(ds[0].ID))).Code)
	res := c.DeliverTx(owner, suspend(ds[0].ID))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, devicetypes.DEVICE_STATUS_SUSPENDED, deviceStatus(t, c, ds[0].ID))
	c.DeliverTx(owner,
		&devicetypes.MsgResumeDevice{Signer: owner.String(), DeviceId: ds[0].ID},
		&devicetypes.MsgRevokeDevice{Signer: owner.String(), DeviceId: ds[1].ID, Reason: "stolen"})
	require.Equal(t, devicetypes.DEVICE_STATUS_ACTIVE, deviceStatus(t, c, ds[0].ID))
	require.Equal(t, devicetypes.DEVICE_STATUS_REVOKED, deviceStatus(t, c, ds[1].ID))

	send := banktypes.NewMsgSend(owner.Address, g.Authority.Address, apptesting.Coins(1))
	other := devtestutil.NewTestDevice("someone-elses", g.Accounts[0].String(), g.Nodes[0].Operator.String())
	c.DeliverTx(g.Accounts[0], other.RegisterMsg())
	newDevice := devtestutil.NewTestDevice("own-3", owner.String(), g.Nodes[0].Operator.String())
	for what, msgs := range map[string][]sdk.Msg{
		"bank send":                    {send},
		"device message plus a send":   {suspend(ds[0].ID), send},
		"registration":                 {newDevice.RegisterMsg()},
		"another owner's device":       {suspend(other.ID)},
		"a device it revoked":          {&devicetypes.MsgResumeDevice{Signer: owner.String(), DeviceId: ds[1].ID}},
		"own device and another's":     {suspend(ds[0].ID), suspend(other.ID)},
		"a device that does not exist": {suspend("no-such-device")},
	} {
		requireGateRefuses(t, c, c.SignTx(owner, msgs...), what)
	}
	// A proposer that includes a refused tx gets the same refusal in the block.
	block := c.NextBlock(c.SignTx(owner, send))
	require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), block.TxResults[0].Code, block.TxResults[0].Log)
	require.Equal(t, devicetypes.DEVICE_STATUS_ACTIVE, deviceStatus(t, c, ds[0].ID))
}

// TestGateAdmitsNewOwnerOfTransferredDevice: the recipient of a transfer
// needs no grant, only tokens for fees, to manage the device it now owns;
// the previous owner no longer can, and the recipient is admitted for
// nothing else.
func TestGateAdmitsNewOwnerOfTransferredDevice(t *testing.T) {
	c, owner, ds := deviceOwnerChain(t)
	g := c.Genesis
	heir := apptesting.NewAccount("heir")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, heir.Address, apptesting.Coins(1_000_000)))
	c.SyncAccount(heir)

	// The grantless owner hands own-1 over.
	c.DeliverTx(owner, &devicetypes.MsgTransferDevice{Owner: owner.String(), DeviceId: ds[0].ID, NewOwner: heir.String()})

	c.DeliverTx(heir, &devicetypes.MsgSuspendDevice{Signer: heir.String(), DeviceId: ds[0].ID, Reason: "inventory"})
	require.Equal(t, devicetypes.DEVICE_STATUS_SUSPENDED, deviceStatus(t, c, ds[0].ID))

	requireGateRefuses(t, c, c.SignTx(owner, &devicetypes.MsgResumeDevice{Signer: owner.String(), DeviceId: ds[0].ID}), "previous owner")
	requireGateRefuses(t, c, c.SignTx(heir, banktypes.NewMsgSend(heir.Address, g.Authority.Address, apptesting.Coins(1))), "heir's bank send")
	requireGateRefuses(t, c, c.SignTx(heir, &devicetypes.MsgSuspendDevice{Signer: heir.String(), DeviceId: ds[1].ID}), "heir, a device it does not own")
}
