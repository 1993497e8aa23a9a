package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/app/apptesting"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// TestJailedNodeIsNoDeviceHome: with the real x/edge keeper, a device can be
// neither registered on nor moved to a node jailed for double signing
// (x/device ErrNodeJailed in the block result; the tx pays its fee).
func TestJailedNodeIsNoDeviceHome(t *testing.T) {
	g := apptesting.NewGenesis(t, apptesting.DefaultConfig())
	edgeGen := g.EdgeGenesis(t)
	jailed := apptesting.NewNode("jailed-node", 0)
	apptesting.AddJailed(edgeGen, jailed)
	g.SetEdgeGenesis(t, edgeGen)
	c := apptesting.Start(t, apptesting.NewChain(t, nil, g.ChainID), g)
	c.NextBlock()

	a := g.Accounts[0]
	onJailed := devtestutil.NewTestDevice("on-jailed", a.String(), jailed.Operator.String())
	res := c.NextBlock(c.SignTx(a, onJailed.RegisterMsg())).TxResults[0]
	a.Seq++ // a tx refused by its message still uses the sequence
	require.Equal(t, devicetypes.ModuleName, res.Codespace, res.Log)
	require.Equal(t, devicetypes.ErrNodeJailed.ABCICode(), res.Code, res.Log)
	_, err := c.App.DeviceKeeper.GetDevice(c.Context(), onJailed.ID)
	require.ErrorIs(t, err, devicetypes.ErrDeviceNotFound)

	d := devtestutil.NewTestDevice("on-active", a.String(), g.Nodes[0].Operator.String())
	c.DeliverTx(a, d.RegisterMsg())
	res = c.NextBlock(c.SignTx(a, &devicetypes.MsgMoveDevice{Owner: a.String(), DeviceId: d.ID, NewHomeNode: jailed.Operator.String()})).TxResults[0]
	require.Equal(t, devicetypes.ErrNodeJailed.ABCICode(), res.Code, res.Log)
	got, err := c.App.DeviceKeeper.GetDevice(c.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, g.Nodes[0].Operator.String(), got.HomeNode)
}
