package keeper_test

import (
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

// rotatedDevice registers a device at height 10 (key v1), rotates at 20 to
// a secp256k1 key (v2), twice at 30 (v3 lives for no height, v4 from 30),
// and leaves the context at height 50.
func (s *DeviceSuite) rotatedDevice() (d devtestutil.TestDevice, keys []devtestutil.DeviceKey) {
	s.f.SetHeight(10)
	d = s.registered("rotated")
	keys = []devtestutil.DeviceKey{
		d.Key,
		devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "v2"),
		devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "v3"),
		devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "v4"),
	}
	for i, h := range []int64{20, 30, 30} {
		s.f.SetHeight(h)
		cur := devtestutil.TestDevice{ID: d.ID, Owner: s.alice, Key: keys[i]}
		s.Require().NoError(s.rotate(cur.RotateMsg(uint64(i+1), keys[i+1])))
	}
	s.f.SetHeight(50)
	return d, keys
}

func (s *DeviceSuite) TestVerifyAcrossRotations() {
	d, keys := s.rotatedDevice()
	msg := []byte(`{"temp":21.5,"seq":7}`)
	cases := []struct {
		height  int64
		version uint64 // 0: no key at that height
	}{
		{9, 0}, {10, 1}, {19, 1}, {20, 2}, {29, 2}, {30, 4}, {50, 4}, {0, 4},
	}
	for _, tc := range cases {
		if tc.version == 0 {
			for _, k := range keys {
				_, err := s.f.Keeper.VerifySignature(s.f.Ctx, d.ID, msg, k.Sign(msg), tc.height)
				s.Require().ErrorIs(err, types.ErrKeyNotFound, "height %d", tc.height)
			}
			continue
		}
		for i, k := range keys {
			v, err := s.f.Keeper.VerifySignature(s.f.Ctx, d.ID, msg, k.Sign(msg), tc.height)
			s.Require().Equal(tc.version, v, "height %d", tc.height)
			if uint64(i+1) == tc.version {
				s.Require().NoError(err, "height %d key v%d", tc.height, i+1)
			} else {
				s.Require().ErrorIs(err, types.ErrInvalidSignature, "height %d key v%d", tc.height, i+1)
			}
		}
	}
}

func (s *DeviceSuite) TestVerifyRejections() {
	d, keys := s.rotatedDevice()
	msg := []byte("reading")
	sig := keys[3].Sign(msg)
	cases := []struct {
		name   string
		id     string
		msg    []byte
		sig    []byte
		height int64
		target error
	}{
		{"bad id", "a/b", msg, sig, 0, types.ErrInvalidDeviceID},
		{"unknown device", "nope", msg, sig, 0, types.ErrDeviceNotFound},
		{"future height", d.ID, msg, sig, 51, types.ErrInvalidHeight},
		{"negative height", d.ID, msg, sig, -1, types.ErrInvalidHeight},
		{"other message", d.ID, []byte("other"), sig, 0, types.ErrInvalidSignature},
		{"empty signature", d.ID, msg, nil, 0, types.ErrInvalidSignature},
		{"long signature", d.ID, msg, append(sig, 0), 0, types.ErrInvalidSignature},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			_, err := s.f.Keeper.VerifySignature(s.f.Ctx, tc.id, tc.msg, tc.sig, tc.height)
			s.Require().ErrorIs(err, tc.target)
		})
	}

	// Status: suspended and revoked devices verify nothing, at any height.
	s.Require().NoError(s.suspend(s.alice, d.ID, ""))
	_, err := s.f.Keeper.VerifySignature(s.f.Ctx, d.ID, msg, sig, 0)
	s.Require().ErrorIs(err, types.ErrDeviceSuspended)
	s.Require().NoError(s.resume(s.alice, d.ID))
	_, err = s.f.Keeper.VerifySignature(s.f.Ctx, d.ID, msg, sig, 0)
	s.Require().NoError(err)
	s.Require().NoError(s.revoke(s.alice, d.ID, ""))
	_, err = s.f.Keeper.VerifySignature(s.f.Ctx, d.ID, msg, keys[0].Sign(msg), 10)
	s.Require().ErrorIs(err, types.ErrDeviceRevoked)
}
