package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	errorsmod "cosmossdk.io/errors"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

// requireRegisteredError requires err to carry an x/device ABCI code, as a
// tx result would show it.
func requireRegisteredError(t *testing.T, err error) {
	t.Helper()
	codespace, code, _ := errorsmod.ABCIInfo(err, false)
	require.Equal(t, types.ModuleName, codespace, "unregistered error: %v", err)
	require.GreaterOrEqual(t, code, uint32(2), "%v", err)
}

// FuzzMsgRegisterDevice feeds arbitrary ids, keys, kinds, protocols,
// metadata and addresses to the msg server. It must never panic; it either
// registers exactly the device asked for or fails with a registered error
// and leaves the store untouched.
func FuzzMsgRegisterDevice(f *testing.F) {
	edKey := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "seed").PubKey().Key
	secpKey := devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "seed").PubKey().Key
	f.Add("sensor-1", int32(1), edKey, int32(1), []byte{2, 5}, "model", "th-100", "fw", "1.0", "", "", true)
	f.Add("valve:7", int32(2), secpKey, int32(3), []byte{12}, "", "", "", "", "", "", true)
	f.Add("taken", int32(1), edKey, int32(1), []byte{1}, "", "", "", "", "", "", true)
	f.Add("sensor-1", int32(1), edKey[:31], int32(1), []byte{1}, "", "", "", "", "", "", true)
	f.Add("sensor-1", int32(2), edKey, int32(1), []byte{1}, "", "", "", "", "", "", true)
	f.Add("a/b", int32(1), edKey, int32(1), []byte{1}, "", "", "", "", "", "", true)
	f.Add("sensor-1", int32(1), edKey, int32(0), []byte{0, 13, 255}, "k", "\x00", "k", "v", "", "", true)
	f.Add("sensor-1", int32(1), edKey, int32(1), []byte{1}, "", "", "", "", "edge1xyz", "node", true)
	f.Add("sensor-1", int32(1), edKey, int32(1), []byte{1}, "", "", "", "", "", "", false)
	f.Add("", int32(-1), []byte{}, int32(99), []byte{}, "", "", "", "", "", "", true)

	f.Fuzz(func(t *testing.T, id string, keyType int32, key []byte, kind int32, protocols []byte,
		mk1, mv1, mk2, mv2, owner, node string, allowed bool,
	) {
		fx := devtestutil.NewFixture(t)
		node0 := fx.AddNode("node0")
		alice := devtestutil.AddrStr("alice")
		fx.Register(t, devtestutil.NewTestDevice("taken", alice, node0))
		fx.ResetEvents()

		msg := &types.MsgRegisterDevice{
			Owner: alice, DeviceId: id, KeyType: types.KeyType(keyType), Pubkey: key,
			Kind: types.DeviceKind(kind), HomeNode: node0,
		}
		if owner != "" {
			msg.Owner = owner
		}
		if node != "" {
			msg.HomeNode = node
		}
		for _, p := range protocols {
			msg.Protocols = append(msg.Protocols, types.Protocol(int8(p)))
		}
		if mk1 != "" || mv1 != "" {
			msg.Metadata = append(msg.Metadata, types.MetadataEntry{Key: mk1, Value: mv1})
		}
		if mk2 != "" || mv2 != "" {
			msg.Metadata = append(msg.Metadata, types.MetadataEntry{Key: mk2, Value: mv2})
		}
		if allowed {
			fx.Access.Allow(types.AccountSubject(msg.Owner), types.ActionRegister, types.DeviceResource(id))
		}

		before := fx.StoreSnapshot(t)
		_, err := fx.MsgServer.RegisterDevice(fx.Ctx, msg)
		if err != nil {
			requireRegisteredError(t, err)
			require.Equal(t, before, fx.StoreSnapshot(t), "state changed after %v", err)
			require.Empty(t, fx.Ctx.EventManager().Events())
			return
		}
		d := fx.Device(t, id)
		require.Equal(t, types.KeyType(keyType), d.Pubkey.Type)
		require.Equal(t, key, d.Pubkey.Key)
		require.NoError(t, d.ValidateStored(fx.AddrCodec), "stored device must be valid genesis")
		require.Equal(t, types.DEVICE_STATUS_ACTIVE, d.Status)
		require.Len(t, fx.TypedEvents(t), 1)
		gs, err := fx.Keeper.ExportGenesis(fx.Ctx)
		require.NoError(t, err)
		require.NoError(t, gs.Validate(fx.AddrCodec))
	})
}

// FuzzVerifySignature checks the verify helper against arbitrary messages,
// signatures and heights on a device with three rotations. It must never
// panic, must accept a genuine signature by the key valid at the height,
// and may accept a signature only if that key really made it.
func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte("reading"), []byte{}, int64(0), uint8(3), true)
	f.Add([]byte("reading"), []byte{}, int64(15), uint8(0), true)
	f.Add([]byte("reading"), []byte{}, int64(25), uint8(1), true)
	f.Add([]byte("reading"), []byte{}, int64(25), uint8(0), true)
	f.Add([]byte{}, make([]byte, 64), int64(30), uint8(2), false)
	f.Add([]byte("x"), []byte{1, 2, 3}, int64(-5), uint8(9), false)
	f.Add([]byte("x"), []byte{}, int64(1<<62), uint8(0), true)
	f.Add([]byte("x"), []byte{}, int64(9), uint8(0), true)

	f.Fuzz(func(t *testing.T, msg, sig []byte, height int64, keyIdx uint8, genuine bool) {
		fx := devtestutil.NewFixture(t)
		node0 := fx.AddNode("node0")
		alice := devtestutil.AddrStr("alice")
		d := devtestutil.NewTestDevice("dev", alice, node0)
		keys := []devtestutil.DeviceKey{
			d.Key,
			devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "v2"),
			devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "v3"),
			devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "v4"),
		}
		fx.SetHeight(10)
		fx.Register(t, d)
		for i, h := range []int64{20, 30, 30} { // v3 is replaced in the block it was installed in
			fx.SetHeight(h)
			cur := devtestutil.TestDevice{ID: d.ID, Owner: alice, Key: keys[i]}
			_, err := fx.MsgServer.RotateDeviceKey(fx.Ctx, cur.RotateMsg(uint64(i+1), keys[i+1]))
			require.NoError(t, err)
		}
		fx.SetHeight(50)

		// The version valid at a height, worked out independently.
		effective := height
		if effective == 0 {
			effective = 50
		}
		var want uint64
		switch {
		case effective < 10 || effective > 50:
			want = 0
		case effective < 20:
			want = 1
		case effective < 30:
			want = 2
		default:
			want = 4
		}
		signer := keys[int(keyIdx)%len(keys)]
		if genuine {
			sig = signer.Sign(msg)
		}

		version, err := fx.Keeper.VerifySignature(fx.Ctx, d.ID, msg, sig, height)
		if err != nil {
			requireRegisteredError(t, err)
			require.False(t, genuine && want != 0 && signer.PubKey().Equal(keys[want-1].PubKey()),
				"genuine signature by key v%d at height %d refused: %v", want, height, err)
			return
		}
		require.Equal(t, want, version)
		require.True(t, keys[want-1].PubKey().VerifySignature(msg, sig))
	})
}
