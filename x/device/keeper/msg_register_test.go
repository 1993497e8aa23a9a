package keeper_test

import (
	"bytes"
	"strings"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

func (s *DeviceSuite) TestRegisterHappyPath() {
	s.f.SetHeight(7)
	d := s.device("sensor-0001")
	msg := d.RegisterMsg()
	// Unsorted input is stored in canonical order.
	msg.Protocols = []types.Protocol{types.PROTOCOL_BLE, types.PROTOCOL_NB_IOT}
	s.f.AllowRegister(d.Owner, d.ID)
	_, err := s.f.MsgServer.RegisterDevice(s.f.Ctx, msg)
	s.Require().NoError(err)

	got := s.f.Device(s.T(), d.ID)
	s.Require().Equal(types.Device{
		Id:               d.ID,
		Owner:            s.alice,
		Pubkey:           d.Key.PubKey(),
		KeyVersion:       1,
		KeySinceHeight:   7,
		Kind:             types.DEVICE_KIND_COLLECTOR,
		Protocols:        []types.Protocol{types.PROTOCOL_NB_IOT, types.PROTOCOL_BLE},
		HomeNode:         s.node0,
		Metadata:         []types.MetadataEntry{{Key: "fw", Value: "1.0.3"}, {Key: "model", Value: "th-100"}},
		Status:           types.DEVICE_STATUS_ACTIVE,
		RegisteredHeight: 7,
	}, got)
	s.Require().Equal([]string{d.ID}, s.ownerDevices(s.alice))
	s.Require().Equal([]string{d.ID}, s.nodeDevices(s.node0))
	s.Require().Empty(s.nodeDevices(s.node1))
	s.requireEvents(&types.EventDeviceRegistered{
		DeviceId: d.ID, Owner: s.alice, HomeNode: s.node0, KeyType: types.KEY_TYPE_ED25519, Kind: types.DEVICE_KIND_COLLECTOR,
	})
}

func (s *DeviceSuite) TestRegisterSecp256k1AndUpperCaseOwner() {
	d := s.device("plc:line-3.valve_7")
	d.Key = devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "valve")
	msg := d.RegisterMsg()
	// A bech32 address may be sent in upper case; it is stored canonically.
	msg.Owner = strings.ToUpper(s.alice)
	msg.HomeNode = strings.ToUpper(s.node0)
	s.f.AllowRegister(s.alice, d.ID)
	_, err := s.f.MsgServer.RegisterDevice(s.f.Ctx, msg)
	s.Require().NoError(err)
	s.requireEvents(&types.EventDeviceRegistered{
		DeviceId: d.ID, Owner: s.alice, HomeNode: s.node0, KeyType: types.KEY_TYPE_SECP256K1, Kind: types.DEVICE_KIND_COLLECTOR,
	})
	got := s.f.Device(s.T(), d.ID)
	s.Require().Equal(s.alice, got.Owner)
	s.Require().Equal(s.node0, got.HomeNode)
	s.Require().Equal(types.KEY_TYPE_SECP256K1, got.Pubkey.Type)
	s.Require().Len(got.Pubkey.Key, types.Secp256k1PubKeySize)
}

func (s *DeviceSuite) TestRegisterRejections() {
	existing := s.registered("taken")
	// A revoked device keeps its id.
	revoked := s.registered("revoked")
	_, err := s.f.MsgServer.RevokeDevice(s.f.Ctx, &types.MsgRevokeDevice{Signer: s.alice, DeviceId: revoked.ID})
	s.Require().NoError(err)

	mod := func(f func(m *types.MsgRegisterDevice)) *types.MsgRegisterDevice {
		m := s.device("new-device").RegisterMsg()
		f(m)
		return m
	}
	s.f.AllowRegister(s.alice, "new-device")
	s.f.AllowRegister(s.alice, existing.ID)
	s.f.AllowRegister(s.alice, revoked.ID)
	notAPoint := append([]byte{2}, make([]byte, 31)...) // y = 2 has no x
	identity := append([]byte{1}, make([]byte, 31)...)  // y = 1 is the neutral element
	notOnCurve := append([]byte{0x02}, bytes.Repeat([]byte{0xff}, 32)...)
	secpKey := devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "k").PubKey().Key
	edKey := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "k").PubKey().Key

	cases := []struct {
		name   string
		msg    *types.MsgRegisterDevice
		target error
	}{
		{"owner not bech32", mod(func(m *types.MsgRegisterDevice) { m.Owner = "alice" }), types.ErrInvalidAddress},
		{"empty id", mod(func(m *types.MsgRegisterDevice) { m.DeviceId = "" }), types.ErrInvalidDeviceID},
		{"id too long", mod(func(m *types.MsgRegisterDevice) { m.DeviceId = strings.Repeat("a", 65) }), types.ErrInvalidDeviceID},
		{"id with slash", mod(func(m *types.MsgRegisterDevice) { m.DeviceId = "a/b" }), types.ErrInvalidDeviceID},
		{"id with space", mod(func(m *types.MsgRegisterDevice) { m.DeviceId = "a b" }), types.ErrInvalidDeviceID},
		{"key type unspecified", mod(func(m *types.MsgRegisterDevice) { m.KeyType = types.KEY_TYPE_UNSPECIFIED }), types.ErrInvalidPubKey},
		{"key type unknown", mod(func(m *types.MsgRegisterDevice) { m.KeyType = 9 }), types.ErrInvalidPubKey},
		{"ed25519 key 31 bytes", mod(func(m *types.MsgRegisterDevice) { m.Pubkey = m.Pubkey[:31] }), types.ErrInvalidPubKey},
		{"ed25519 key 33 bytes", mod(func(m *types.MsgRegisterDevice) { m.Pubkey = append(m.Pubkey, 0) }), types.ErrInvalidPubKey},
		{"ed25519 key empty", mod(func(m *types.MsgRegisterDevice) { m.Pubkey = nil }), types.ErrInvalidPubKey},
		{"ed25519 key not a point", mod(func(m *types.MsgRegisterDevice) { m.Pubkey = notAPoint }), types.ErrInvalidPubKey},
		{"ed25519 key of small order", mod(func(m *types.MsgRegisterDevice) { m.Pubkey = identity }), types.ErrInvalidPubKey},
		{"secp256k1 type with ed25519 key", mod(func(m *types.MsgRegisterDevice) { m.KeyType = types.KEY_TYPE_SECP256K1; m.Pubkey = edKey }), types.ErrInvalidPubKey},
		{"ed25519 type with secp256k1 key", mod(func(m *types.MsgRegisterDevice) { m.Pubkey = secpKey }), types.ErrInvalidPubKey},
		{"secp256k1 key not on curve", mod(func(m *types.MsgRegisterDevice) { m.KeyType = types.KEY_TYPE_SECP256K1; m.Pubkey = notOnCurve }), types.ErrInvalidPubKey},
		{"kind unspecified", mod(func(m *types.MsgRegisterDevice) { m.Kind = types.DEVICE_KIND_UNSPECIFIED }), types.ErrInvalidDevice},
		{"kind unknown", mod(func(m *types.MsgRegisterDevice) { m.Kind = 42 }), types.ErrInvalidDevice},
		{"no protocols", mod(func(m *types.MsgRegisterDevice) { m.Protocols = nil }), types.ErrInvalidDevice},
		{"protocol twice", mod(func(m *types.MsgRegisterDevice) {
			m.Protocols = []types.Protocol{types.PROTOCOL_BLE, types.PROTOCOL_BLE}
		}), types.ErrInvalidDevice},
		{"protocol unknown", mod(func(m *types.MsgRegisterDevice) { m.Protocols = []types.Protocol{99} }), types.ErrInvalidDevice},
		{"protocol unspecified", mod(func(m *types.MsgRegisterDevice) { m.Protocols = []types.Protocol{types.PROTOCOL_UNSPECIFIED} }), types.ErrInvalidDevice},
		{"metadata key twice", mod(func(m *types.MsgRegisterDevice) {
			m.Metadata = append(m.Metadata, types.MetadataEntry{Key: "fw", Value: "2"})
		}), types.ErrInvalidDevice},
		{"metadata too many", mod(func(m *types.MsgRegisterDevice) {
			m.Metadata = nil
			for i := 0; i <= types.MaxMetadataEntries; i++ {
				m.Metadata = append(m.Metadata, types.MetadataEntry{Key: string(rune('a' + i)), Value: "v"})
			}
		}), types.ErrInvalidDevice},
		{"metadata key empty", mod(func(m *types.MsgRegisterDevice) { m.Metadata[0].Key = "" }), types.ErrInvalidDevice},
		{"metadata key too long", mod(func(m *types.MsgRegisterDevice) { m.Metadata[0].Key = strings.Repeat("k", 33) }), types.ErrInvalidDevice},
		{"metadata key bad char", mod(func(m *types.MsgRegisterDevice) { m.Metadata[0].Key = "a b" }), types.ErrInvalidDevice},
		{"metadata value too long", mod(func(m *types.MsgRegisterDevice) { m.Metadata[0].Value = strings.Repeat("v", 129) }), types.ErrInvalidDevice},
		{"metadata value control char", mod(func(m *types.MsgRegisterDevice) { m.Metadata[0].Value = "a\nb" }), types.ErrInvalidDevice},
		{"metadata value not utf-8", mod(func(m *types.MsgRegisterDevice) { m.Metadata[0].Value = "\xff" }), types.ErrInvalidDevice},
		{"home node not bech32", mod(func(m *types.MsgRegisterDevice) { m.HomeNode = "node0" }), types.ErrInvalidAddress},
		{"home node not an edge node", mod(func(m *types.MsgRegisterDevice) { m.HomeNode = s.bob }), types.ErrNodeNotFound},
		{"owner not allowed", mod(func(m *types.MsgRegisterDevice) { m.Owner = s.bob }), types.ErrUnauthorized},
		{"allowed for another id only", mod(func(m *types.MsgRegisterDevice) { m.DeviceId = "other-device" }), types.ErrUnauthorized},
		{"duplicate", existing.RegisterMsg(), types.ErrDeviceExists},
		{"duplicate of a revoked device", revoked.RegisterMsg(), types.ErrDeviceExists},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error {
				_, err := s.f.MsgServer.RegisterDevice(s.f.Ctx, tc.msg)
				return err
			})
		})
	}
}

func (s *DeviceSuite) TestRegisterMetadataLimitsAccepted() {
	d := s.device("full")
	msg := d.RegisterMsg()
	msg.Metadata = nil
	for i := 0; i < types.MaxMetadataEntries; i++ {
		msg.Metadata = append(msg.Metadata, types.MetadataEntry{
			Key:   strings.Repeat(string(rune('h'-i)), types.MaxMetadataKeyLen),
			Value: strings.Repeat("é", types.MaxMetadataValueLen/2),
		})
	}
	msg.DeviceId = strings.Repeat("Z", types.MaxDeviceIDLen)
	s.f.AllowRegister(s.alice, msg.DeviceId)
	_, err := s.f.MsgServer.RegisterDevice(s.f.Ctx, msg)
	s.Require().NoError(err)
	got := s.f.Device(s.T(), msg.DeviceId)
	s.Require().Len(got.Metadata, types.MaxMetadataEntries)
	s.Require().True(strings.HasPrefix(got.Metadata[0].Key, "a"), "metadata sorted by key")
}

// A jailed node (caught double-signing, jailed for good) is no home: a
// device can be neither registered on it nor moved to it. A device homed
// there before the jailing can still move away.
func (s *DeviceSuite) TestJailedNodeIsNoHome() {
	stays := s.registered("stays")
	s.f.Edge.SetNodeStatus(devtestutil.Addr("node1"), edgetypes.NODE_STATUS_JAILED)

	onJailed := devtestutil.NewTestDevice("on-jailed", s.alice, s.node1)
	s.f.AllowRegister(s.alice, onJailed.ID)
	s.requireRejected(types.ErrNodeJailed, func() error {
		_, err := s.f.MsgServer.RegisterDevice(s.f.Ctx, onJailed.RegisterMsg())
		return err
	})
	s.requireRejected(types.ErrNodeJailed, func() error {
		_, err := s.f.MsgServer.MoveDevice(s.f.Ctx, &types.MsgMoveDevice{Owner: s.alice, DeviceId: stays.ID, NewHomeNode: s.node1})
		return err
	})
	s.Require().Equal(s.node0, s.f.Device(s.T(), stays.ID).HomeNode)

	// node0 is jailed after stays was homed there: stays moves to node1
	// to node1, stale now: a stale node may come back, so it is a home.
	s.f.Edge.SetNodeStatus(devtestutil.Addr("node0"), edgetypes.NODE_STATUS_JAILED)
	s.f.Edge.SetNodeStatus(devtestutil.Addr("node1"), edgetypes.NODE_STATUS_STALE)
	_, err := s.f.MsgServer.MoveDevice(s.f.Ctx, &types.MsgMoveDevice{Owner: s.alice, DeviceId: stays.ID, NewHomeNode: s.node1})
	s.Require().NoError(err)
	s.Require().Equal(s.node1, s.f.Device(s.T(), stays.ID).HomeNode)
}
