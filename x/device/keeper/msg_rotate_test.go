package keeper_test

import (
	"crypto/sha256"
	"encoding/binary"

	dcrsecp "github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"cosmossdk.io/collections"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

func (s *DeviceSuite) rotate(msg *types.MsgRotateDeviceKey) error {
	_, err := s.f.MsgServer.RotateDeviceKey(s.f.Ctx, msg)
	return err
}

func (s *DeviceSuite) TestRotateHappyPath() {
	s.f.SetHeight(10)
	d := s.registered("meter-9")
	oldKey := d.Key.PubKey()
	newKey := devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "meter-9/v2")

	s.f.SetHeight(25)
	resp, err := s.f.MsgServer.RotateDeviceKey(s.f.Ctx, d.RotateMsg(1, newKey))
	s.Require().NoError(err)
	s.Require().Equal(uint64(2), resp.NewKeyVersion)
	s.requireEvents(&types.EventDeviceKeyRotated{
		DeviceId: d.ID, Owner: s.alice, OldKeyVersion: 1, NewKeyVersion: 2, NewKeyType: types.KEY_TYPE_SECP256K1, Height: 25,
	})

	got := s.f.Device(s.T(), d.ID)
	s.Require().Equal(newKey.PubKey(), got.Pubkey)
	s.Require().Equal(uint64(2), got.KeyVersion)
	s.Require().Equal(int64(25), got.KeySinceHeight)
	s.Require().Equal(int64(10), got.RegisteredHeight)
	rec, err := s.f.Keeper.KeyHistory.Get(s.f.Ctx, collections.Join(d.ID, uint64(1)))
	s.Require().NoError(err)
	s.Require().Equal(types.KeyRecord{Pubkey: oldKey, ValidFromHeight: 10, ValidUntilHeight: 25}, rec)

	// Rotate again, now approved by the secp256k1 key.
	s.f.SetHeight(40)
	d.Key = newKey
	third := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "meter-9/v3")
	s.Require().NoError(s.rotate(d.RotateMsg(2, third)))
	rec, err = s.f.Keeper.KeyHistory.Get(s.f.Ctx, collections.Join(d.ID, uint64(2)))
	s.Require().NoError(err)
	s.Require().Equal(types.KeyRecord{Pubkey: newKey.PubKey(), ValidFromHeight: 25, ValidUntilHeight: 40}, rec)
	s.Require().Equal(uint64(3), s.f.Device(s.T(), d.ID).KeyVersion)
}

func (s *DeviceSuite) TestRotateSuspendedDevice() {
	d := s.registered("a")
	s.Require().NoError(s.suspend(s.f.Authority, d.ID, "key leak suspected"))
	s.Require().NoError(s.rotate(d.RotateMsg(1, devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "fresh"))))
	s.Require().Equal(types.DEVICE_STATUS_SUSPENDED, s.status(d.ID), "rotation does not resume")
}

func (s *DeviceSuite) TestRotateReplayAfterRotation() {
	d := s.registered("a")
	k2 := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "k2")
	first := d.RotateMsg(1, k2)
	s.Require().NoError(s.rotate(first))
	// Sent again as is, it would change nothing.
	s.requireRejected(types.ErrUnchanged, func() error { return s.rotate(first) })

	// The attack: the device moves on to k3, then someone replays the first
	// approval to roll the device back to k2. The approval was for version 1
	// and signed by the original key; neither matches any more.
	atK2 := devtestutil.TestDevice{ID: d.ID, Owner: s.alice, Key: k2}
	s.Require().NoError(s.rotate(atK2.RotateMsg(2, devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "k3"))))
	s.requireRejected(types.ErrInvalidSignature, func() error { return s.rotate(first) })

	// Even when the original key is current again, its old approval is for
	// version 1, not the current version.
	k3 := devtestutil.TestDevice{ID: d.ID, Owner: s.alice, Key: devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "k3")}
	s.Require().NoError(s.rotate(k3.RotateMsg(3, d.Key)))
	s.requireRejected(types.ErrInvalidSignature, func() error { return s.rotate(first) })
	s.Require().NoError(s.rotate(d.RotateMsg(4, k2)))
	s.Require().Equal(uint64(5), s.f.Device(s.T(), d.ID).KeyVersion)
}

func (s *DeviceSuite) TestRotateRejections() {
	d := s.registered("a")
	other := s.registered("b")
	gone := s.registered("gone")
	s.Require().NoError(s.revoke(s.alice, gone.ID, ""))
	newKey := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "new")
	npk := newKey.PubKey()

	withSig := func(sig []byte) *types.MsgRotateDeviceKey {
		m := d.RotateMsg(1, newKey)
		m.OldKeySignature = sig
		return m
	}
	mod := func(f func(m *types.MsgRotateDeviceKey)) *types.MsgRotateDeviceKey {
		m := d.RotateMsg(1, newKey)
		f(m)
		return m
	}
	valid := d.RotateMsg(1, newKey).OldKeySignature
	flipped := append([]byte{}, valid...)
	flipped[5] ^= 1

	cases := []struct {
		name   string
		msg    *types.MsgRotateDeviceKey
		target error
	}{
		{"owner not bech32", mod(func(m *types.MsgRotateDeviceKey) { m.Owner = "alice" }), types.ErrInvalidAddress},
		{"bad id", mod(func(m *types.MsgRotateDeviceKey) { m.DeviceId = "a b" }), types.ErrInvalidDeviceID},
		{"unknown device", mod(func(m *types.MsgRotateDeviceKey) { m.DeviceId = "nope" }), types.ErrDeviceNotFound},
		{"not the owner", mod(func(m *types.MsgRotateDeviceKey) { m.Owner = s.bob }), types.ErrNotOwner},
		{"authority is not the owner", mod(func(m *types.MsgRotateDeviceKey) { m.Owner = s.f.Authority }), types.ErrNotOwner},
		{"revoked", gone.RotateMsg(1, newKey), types.ErrDeviceRevoked},
		{"new key bad length", mod(func(m *types.MsgRotateDeviceKey) { m.NewPubkey = m.NewPubkey[:16] }), types.ErrInvalidPubKey},
		{"new key bad type", mod(func(m *types.MsgRotateDeviceKey) { m.NewKeyType = 7 }), types.ErrInvalidPubKey},
		{"new key unspecified type", mod(func(m *types.MsgRotateDeviceKey) { m.NewKeyType = types.KEY_TYPE_UNSPECIFIED }), types.ErrInvalidPubKey},
		{"new key equals current", d.RotateMsg(1, d.Key), types.ErrUnchanged},
		{"no signature", withSig(nil), types.ErrInvalidSignature},
		{"signature bit flipped", withSig(flipped), types.ErrInvalidSignature},
		{"signature too short", withSig(valid[:63]), types.ErrInvalidSignature},
		{"signed by the new key", withSig(newKey.RotationSignature(devtestutil.ChainID, d.ID, 1, npk)), types.ErrInvalidSignature},
		{"signed by another device's key", withSig(other.Key.RotationSignature(devtestutil.ChainID, d.ID, 1, npk)), types.ErrInvalidSignature},
		{"signed for another chain", withSig(d.Key.RotationSignature("other-chain", d.ID, 1, npk)), types.ErrInvalidSignature},
		{"signed for another device", withSig(d.Key.RotationSignature(devtestutil.ChainID, other.ID, 1, npk)), types.ErrInvalidSignature},
		{"signed for a future version", withSig(d.Key.RotationSignature(devtestutil.ChainID, d.ID, 2, npk)), types.ErrInvalidSignature},
		{"signed for another new key", withSig(d.Key.RotationSignature(devtestutil.ChainID, d.ID, 1, other.Key.PubKey())), types.ErrInvalidSignature},
		{"raw preimage signed instead of its hash", withSig(d.Key.Sign(rotationPreimage(devtestutil.ChainID, d.ID, 1, npk))), types.ErrInvalidSignature},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error { return s.rotate(tc.msg) })
		})
	}
}

func (s *DeviceSuite) TestRotateSecp256k1OldKey() {
	d := s.device("secp")
	d.Key = devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "secp/v1")
	s.f.Register(s.T(), d)
	next := devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "secp/v2")
	// secp256k1 signs sha256(sign bytes), the cosmos-sdk way: raw ECDSA
	// over the sign bytes taken as an already hashed digest does not
	// verify, raw ECDSA over their sha256 does.
	digest := types.RotationSignBytes(devtestutil.ChainID, d.ID, 1, next.PubKey())
	priv := dcrsecp.PrivKeyFromBytes(d.Key.Priv.Bytes())
	rawECDSA := func(hash []byte) []byte {
		sig := ecdsa.Sign(priv, hash)
		r, sv := sig.R(), sig.S()
		rb, sb := r.Bytes(), sv.Bytes()
		return append(rb[:], sb[:]...)
	}
	m := d.RotateMsg(1, next)
	m.OldKeySignature = rawECDSA(digest)
	s.requireRejected(types.ErrInvalidSignature, func() error { return s.rotate(m) })
	hashed := sha256.Sum256(digest)
	m.OldKeySignature = rawECDSA(hashed[:])
	s.Require().NoError(s.rotate(m))
}

// rotationPreimage is what RotationSignBytes hashes (its doc comment's
// layout), for the test that a signature over it, not its hash, fails.
func rotationPreimage(chainID, id string, version uint64, newKey types.PubKey) []byte {
	b := []byte(types.RotationDomain + chainID + "\x00" + id + "\x00")
	b = binary.BigEndian.AppendUint64(b, version)
	b = append(b, byte(newKey.Type))
	return append(b, newKey.Key...)
}

func (s *DeviceSuite) TestRotationPreimageIsWhatIsHashed() {
	k := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "preimage")
	got := sha256.Sum256(rotationPreimage("c", "d", 3, k.PubKey()))
	s.Require().Equal(types.RotationSignBytes("c", "d", 3, k.PubKey()), got[:])
}

// key_version stops at types.MaxKeyVersion: the last rotation reaches it
// and exports a valid genesis; the next one is refused with
// ErrKeyVersionLimit instead of wrapping to 0 (which the chain's own
// export would fail to validate).
func (s *DeviceSuite) TestRotateStopsAtMaxKeyVersion() {
	d := s.device("worn")
	gs := &types.GenesisState{Devices: []types.Device{{
		Id: d.ID, Owner: s.alice, Pubkey: d.Key.PubKey(), KeyVersion: types.MaxKeyVersion - 1,
		Kind: types.DEVICE_KIND_COLLECTOR, Protocols: []types.Protocol{types.PROTOCOL_LORA},
		HomeNode: s.node0, Status: types.DEVICE_STATUS_ACTIVE,
	}}}
	s.Require().NoError(gs.Validate(s.f.AddrCodec))
	s.Require().NoError(s.f.Keeper.InitGenesis(s.f.Ctx, gs))

	last := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "worn/last")
	resp, err := s.f.MsgServer.RotateDeviceKey(s.f.Ctx, d.RotateMsg(types.MaxKeyVersion-1, last))
	s.Require().NoError(err)
	s.Require().Equal(types.MaxKeyVersion, resp.NewKeyVersion)
	exp, err := s.f.Keeper.ExportGenesis(s.f.Ctx)
	s.Require().NoError(err)
	s.Require().NoError(exp.Validate(s.f.AddrCodec), "a chain at the limit exports a valid genesis")

	d.Key = last
	s.requireRejected(types.ErrKeyVersionLimit, func() error {
		return s.rotate(d.RotateMsg(types.MaxKeyVersion, devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "worn/wrap")))
	})
	got := s.f.Device(s.T(), d.ID)
	s.Require().Equal(types.MaxKeyVersion, got.KeyVersion)
	s.Require().Equal(last.PubKey(), got.Pubkey)
}
