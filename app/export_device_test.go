package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"

	"github.com/trustedge/trustedge/app/apptesting"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// TestZeroHeightExportDeviceKeys: device keys are valid over height ranges
// of the chain that recorded them. A zero-height export restarts at height
// 1, so the export resets them: on the new chain the current key verifies
// from the first block and a key retired on the old chain never verifies
// again (kept, the retired key would have verified until the old rotation
// height). The retired key stays in the history, covering no height.
func TestZeroHeightExportDeviceKeys(t *testing.T) {
	a := apptesting.Setup(t, apptesting.DefaultConfig())
	g := a.Genesis
	for a.Height() < 5 {
		a.NextBlock()
	}
	owner := g.Accounts[0]
	d := devtestutil.NewTestDevice("sensor-1", owner.String(), g.Nodes[0].Operator.String())
	res := a.DeliverTx(owner, d.RegisterMsg()) // registered at height 6
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	for a.Height() < 20 {
		a.NextBlock()
	}
	newKey := devtestutil.NewDeviceKey(devicetypes.KEY_TYPE_ED25519, "new")
	rot := d.RotateMsg(1, newKey)
	rot.OldKeySignature = d.Key.RotationSignature(a.ChainID, d.ID, 1, newKey.PubKey())
	res = a.DeliverTx(owner, rot) // v1 covers [6, 21), v2 from 21
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	a.NextBlock()

	msg := []byte("reading")
	verify := func(c *apptesting.Chain, key devtestutil.DeviceKey) error {
		_, err := c.App.DeviceKeeper.VerifySignature(c.Context(), d.ID, msg, key.Sign(msg), 0)
		return err
	}
	require.NoError(t, verify(a, newKey), "old chain: current key")
	require.ErrorIs(t, verify(a, d.Key), devicetypes.ErrInvalidSignature, "old chain: retired key")

	exp, err := a.App.ExportAppStateAndValidators(true, nil, nil)
	require.NoError(t, err)
	// The export adjusts a branch: the old chain's own state keeps its heights.
	rec, err := a.App.DeviceKeeper.Devices.Get(a.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, int64(21), rec.KeySinceHeight)

	b := a.FromZeroHeightExport(exp)
	for h := int64(1); h <= 22; h++ {
		b.NextBlock()
		require.NoError(t, verify(b, newKey), "new chain height %d: current key", b.Height())
		require.ErrorIs(t, verify(b, d.Key), devicetypes.ErrInvalidSignature, "new chain height %d: retired key", b.Height())
	}
	rec, err = b.App.DeviceKeeper.Devices.Get(b.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, uint64(2), rec.KeyVersion)
	require.Zero(t, rec.KeySinceHeight)
	require.Zero(t, rec.RegisteredHeight)
	old, err := b.App.DeviceKeeper.KeyHistory.Get(b.Context(), collections.Join(d.ID, uint64(1)))
	require.NoError(t, err, "retired key kept in the history")
	require.Equal(t, d.Key.PubKey(), old.Pubkey)
	require.Zero(t, old.ValidFromHeight)
	require.Zero(t, old.ValidUntilHeight)
}

// TestZeroHeightExportKeepsSDKAuthority: the genesis file's consensus
// params (as the SDK's export writes them) name no authority; the chain
// started from it still gives the consortium authority the SDK modules
// (here x/consensus params), instead of a module address nobody can sign
// for.
func TestZeroHeightExportKeepsSDKAuthority(t *testing.T) {
	a := apptesting.Setup(t, apptesting.DefaultConfig())
	a.NextBlock()
	exp, err := a.App.ExportAppStateAndValidators(true, nil, nil)
	require.NoError(t, err)
	b := a.FromZeroHeightExport(exp)
	b.Genesis = a.Genesis
	b.NextBlock()
	require.Equal(t, a.Genesis.Authority.String(), b.App.GetConsensusParams(b.Context()).Authority.GetAuthority())

	b.SyncAccount(a.Genesis.Authority)
	cur := b.App.GetConsensusParams(b.Context())
	block := *cur.Block
	block.MaxGas = 123_456_789
	res := b.DeliverTx(a.Genesis.Authority, &consensustypes.MsgUpdateParams{
		Authority: a.Genesis.Authority.String(), Block: &block, Evidence: cur.Evidence, Validator: cur.Validator, Abci: cur.Abci,
	})
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	b.NextBlock()
	require.Equal(t, int64(123_456_789), b.App.GetConsensusParams(b.Context()).Block.MaxGas)
}
