package testutil

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/device/types"
)

// TestDevice is a device that is about to be (or has been) registered: its
// id, owner, home node and private key.
type TestDevice struct {
	ID       string
	Owner    string
	HomeNode string
	Key      DeviceKey
}

// NewTestDevice makes a device with an ed25519 key derived from id.
func NewTestDevice(id, owner, homeNode string) TestDevice {
	return TestDevice{ID: id, Owner: owner, HomeNode: homeNode, Key: NewDeviceKey(types.KEY_TYPE_ED25519, "device-key/"+id)}
}

// RegisterMsg is a valid MsgRegisterDevice for the device.
func (d TestDevice) RegisterMsg() *types.MsgRegisterDevice {
	pk := d.Key.PubKey()
	return &types.MsgRegisterDevice{
		Owner:     d.Owner,
		DeviceId:  d.ID,
		KeyType:   pk.Type,
		Pubkey:    pk.Key,
		Kind:      types.DEVICE_KIND_COLLECTOR,
		Protocols: []types.Protocol{types.PROTOCOL_LORA, types.PROTOCOL_BLE},
		HomeNode:  d.HomeNode,
		Metadata: []types.MetadataEntry{
			{Key: "model", Value: "th-100"},
			{Key: "fw", Value: "1.0.3"},
		},
	}
}

// Register allows the owner to register the device and registers it,
// requiring success.
func (f *Fixture) Register(tb testing.TB, d TestDevice) {
	tb.Helper()
	f.AllowRegister(d.Owner, d.ID)
	_, err := f.MsgServer.RegisterDevice(f.Ctx, d.RegisterMsg())
	require.NoError(tb, err)
}

// RotateMsg is a MsgRotateDeviceKey to newKey, approved by the device's
// current key at version.
func (d TestDevice) RotateMsg(version uint64, newKey DeviceKey) *types.MsgRotateDeviceKey {
	pk := newKey.PubKey()
	return &types.MsgRotateDeviceKey{
		Owner:           d.Owner,
		DeviceId:        d.ID,
		NewKeyType:      pk.Type,
		NewPubkey:       pk.Key,
		OldKeySignature: d.Key.RotationSignature(ChainID, d.ID, version, pk),
	}
}
