package keeper_test

import (
	"github.com/trustedge/trustedge/x/device/types"
)

func (s *DeviceSuite) TestUpdateHappyPath() {
	d := s.registered("sensor-1")
	before := s.f.Device(s.T(), d.ID)
	_, err := s.f.MsgServer.UpdateDevice(s.f.Ctx, &types.MsgUpdateDevice{
		Owner: s.alice, DeviceId: d.ID, Kind: types.DEVICE_KIND_BOTH,
		Protocols: []types.Protocol{types.PROTOCOL_WIFI},
		Metadata:  []types.MetadataEntry{{Key: "room", Value: "B-204"}},
	})
	s.Require().NoError(err)
	got := s.f.Device(s.T(), d.ID)
	want := before
	want.Kind = types.DEVICE_KIND_BOTH
	want.Protocols = []types.Protocol{types.PROTOCOL_WIFI}
	want.Metadata = []types.MetadataEntry{{Key: "room", Value: "B-204"}}
	s.Require().Equal(want, got)
	s.requireEvents(&types.EventDeviceUpdated{DeviceId: d.ID, Owner: s.alice})

	// Clearing metadata is allowed, and a suspended device may be updated.
	_, err = s.f.MsgServer.SuspendDevice(s.f.Ctx, &types.MsgSuspendDevice{Signer: s.alice, DeviceId: d.ID})
	s.Require().NoError(err)
	_, err = s.f.MsgServer.UpdateDevice(s.f.Ctx, &types.MsgUpdateDevice{
		Owner: s.alice, DeviceId: d.ID, Kind: types.DEVICE_KIND_ACTUATOR, Protocols: []types.Protocol{types.PROTOCOL_ZIGBEE},
	})
	s.Require().NoError(err)
	s.Require().Empty(s.f.Device(s.T(), d.ID).Metadata)
}

func (s *DeviceSuite) TestUpdateRejections() {
	d := s.registered("sensor-1")
	gone := s.registered("gone")
	_, err := s.f.MsgServer.RevokeDevice(s.f.Ctx, &types.MsgRevokeDevice{Signer: s.alice, DeviceId: gone.ID})
	s.Require().NoError(err)
	valid := func(owner, id string) *types.MsgUpdateDevice {
		return &types.MsgUpdateDevice{Owner: owner, DeviceId: id, Kind: types.DEVICE_KIND_COLLECTOR, Protocols: []types.Protocol{types.PROTOCOL_BLE}}
	}
	badKind := valid(s.alice, d.ID)
	badKind.Kind = types.DEVICE_KIND_UNSPECIFIED
	badMeta := valid(s.alice, d.ID)
	badMeta.Metadata = []types.MetadataEntry{{Key: "", Value: "x"}}
	noProto := valid(s.alice, d.ID)
	noProto.Protocols = nil

	cases := []struct {
		name   string
		msg    *types.MsgUpdateDevice
		target error
	}{
		{"owner not bech32", valid("alice", d.ID), types.ErrInvalidAddress},
		{"bad id", valid(s.alice, "no/slash"), types.ErrInvalidDeviceID},
		{"unknown device", valid(s.alice, "nope"), types.ErrDeviceNotFound},
		{"not the owner", valid(s.bob, d.ID), types.ErrNotOwner},
		{"authority is not the owner", valid(s.f.Authority, d.ID), types.ErrNotOwner},
		{"revoked", valid(s.alice, gone.ID), types.ErrDeviceRevoked},
		{"bad kind", badKind, types.ErrInvalidDevice},
		{"bad metadata", badMeta, types.ErrInvalidDevice},
		{"no protocols", noProto, types.ErrInvalidDevice},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error {
				_, err := s.f.MsgServer.UpdateDevice(s.f.Ctx, tc.msg)
				return err
			})
		})
	}
}
