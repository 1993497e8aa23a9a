package keeper_test

import (
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

// MaxStateBytesPerDevice is the design target for one device: the record
// plus its two index entries, keys and values.
const MaxStateBytesPerDevice = 300

// TestStateBytesPerDevice measures the logical state of typical devices (a
// 16-character id, two protocols, two metadata entries) against the design
// target, and logs what the alternatives (the Device message with bech32
// addresses and the id as the value; an Any-wrapped key) would cost.
func (s *DeviceSuite) TestStateBytesPerDevice() {
	for _, kt := range []types.KeyType{types.KEY_TYPE_ED25519, types.KEY_TYPE_SECP256K1} {
		f := devtestutil.NewFixture(s.T())
		f.AddNode("node0")
		d := devtestutil.NewTestDevice("dev-0123456789ab", s.alice, devtestutil.AddrStr("node0"))
		d.Key = devtestutil.NewDeviceKey(kt, "k")
		f.Register(s.T(), d)
		total := f.StoreBytes(s.T())
		rec, err := f.Keeper.Devices.Get(f.Ctx, d.ID)
		s.Require().NoError(err)
		api := f.Device(s.T(), d.ID)

		var cpk cryptotypes.PubKey = &ed25519.PubKey{Key: rec.Pubkey.Key}
		if kt == types.KEY_TYPE_SECP256K1 {
			cpk = &secp256k1.PubKey{Key: rec.Pubkey.Key}
		}
		anyPk, err := codectypes.NewAnyWithValue(cpk)
		s.Require().NoError(err)
		s.T().Logf("%s: %d state bytes/device = key %d + DeviceRecord %d + 2 index keys; "+
			"storing Device instead: +%d; PubKey %d bytes vs Any %d",
			kt, total, 1+len(d.ID), rec.Size(), api.Size()-rec.Size(), rec.Pubkey.Size(), anyPk.Size())
		s.Require().LessOrEqual(total, MaxStateBytesPerDevice)
	}
}
