package keeper_test

import (
	"strings"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

func (s *DeviceSuite) TestMoveUpdatesNodeIndex() {
	a := s.registered("a")
	b := s.registered("b")
	_, err := s.f.MsgServer.MoveDevice(s.f.Ctx, &types.MsgMoveDevice{Owner: s.alice, DeviceId: a.ID, NewHomeNode: s.node1})
	s.Require().NoError(err)
	s.requireEvents(&types.EventDeviceMoved{DeviceId: a.ID, OldHomeNode: s.node0, NewHomeNode: s.node1})
	s.Require().Equal(s.node1, s.f.Device(s.T(), a.ID).HomeNode)
	s.Require().Equal([]string{b.ID}, s.nodeDevices(s.node0))
	s.Require().Equal([]string{a.ID}, s.nodeDevices(s.node1))
	s.Require().Equal([]string{a.ID, b.ID}, s.ownerDevices(s.alice), "owner index untouched")

	// The old node may be gone: only the destination must be an edge node.
	s.f.Edge.RemoveOperator(devtestutil.Addr("node1"))
	_, err = s.f.MsgServer.MoveDevice(s.f.Ctx, &types.MsgMoveDevice{Owner: s.alice, DeviceId: a.ID, NewHomeNode: s.node0})
	s.Require().NoError(err)
	s.Require().Equal([]string{a.ID, b.ID}, s.nodeDevices(s.node0))
	s.Require().Empty(s.nodeDevices(s.node1))
}

func (s *DeviceSuite) TestMoveRejections() {
	d := s.registered("a")
	gone := s.registered("gone")
	_, err := s.f.MsgServer.RevokeDevice(s.f.Ctx, &types.MsgRevokeDevice{Signer: s.alice, DeviceId: gone.ID})
	s.Require().NoError(err)
	move := func(owner, id, node string) *types.MsgMoveDevice {
		return &types.MsgMoveDevice{Owner: owner, DeviceId: id, NewHomeNode: node}
	}
	cases := []struct {
		name   string
		msg    *types.MsgMoveDevice
		target error
	}{
		{"owner not bech32", move("x", d.ID, s.node1), types.ErrInvalidAddress},
		{"unknown device", move(s.alice, "nope", s.node1), types.ErrDeviceNotFound},
		{"not the owner", move(s.bob, d.ID, s.node1), types.ErrNotOwner},
		{"revoked", move(s.alice, gone.ID, s.node1), types.ErrDeviceRevoked},
		{"node not bech32", move(s.alice, d.ID, "node1"), types.ErrInvalidAddress},
		{"node not an edge node", move(s.alice, d.ID, s.bob), types.ErrNodeNotFound},
		{"same node", move(s.alice, d.ID, s.node0), types.ErrUnchanged},
		{"same node, upper case", move(s.alice, d.ID, strings.ToUpper(s.node0)), types.ErrUnchanged},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error {
				_, err := s.f.MsgServer.MoveDevice(s.f.Ctx, tc.msg)
				return err
			})
		})
	}
}

func (s *DeviceSuite) TestTransferUpdatesOwnerIndexAndRights() {
	a := s.registered("a")
	b := s.registered("b")
	_, err := s.f.MsgServer.TransferDevice(s.f.Ctx, &types.MsgTransferDevice{Owner: s.alice, DeviceId: a.ID, NewOwner: s.bob})
	s.Require().NoError(err)
	s.requireEvents(&types.EventDeviceTransferred{DeviceId: a.ID, OldOwner: s.alice, NewOwner: s.bob})
	s.Require().Equal(s.bob, s.f.Device(s.T(), a.ID).Owner)
	s.Require().Equal([]string{b.ID}, s.ownerDevices(s.alice))
	s.Require().Equal([]string{a.ID}, s.ownerDevices(s.bob))
	s.Require().Equal([]string{a.ID, b.ID}, s.nodeDevices(s.node0), "node index untouched")

	// The old owner lost every owner right, the new one has them.
	s.requireRejected(types.ErrNotOwner, func() error {
		_, err := s.f.MsgServer.MoveDevice(s.f.Ctx, &types.MsgMoveDevice{Owner: s.alice, DeviceId: a.ID, NewHomeNode: s.node1})
		return err
	})
	s.requireRejected(types.ErrUnauthorized, func() error {
		_, err := s.f.MsgServer.SuspendDevice(s.f.Ctx, &types.MsgSuspendDevice{Signer: s.alice, DeviceId: a.ID})
		return err
	})
	_, err = s.f.MsgServer.MoveDevice(s.f.Ctx, &types.MsgMoveDevice{Owner: s.bob, DeviceId: a.ID, NewHomeNode: s.node1})
	s.Require().NoError(err)
	// The device key survives the transfer: the new owner rotates with it.
	a.Owner = s.bob
	_, err = s.f.MsgServer.RotateDeviceKey(s.f.Ctx, a.RotateMsg(1, devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "bob-key")))
	s.Require().NoError(err)
}

func (s *DeviceSuite) TestTransferRejections() {
	d := s.registered("a")
	gone := s.registered("gone")
	_, err := s.f.MsgServer.RevokeDevice(s.f.Ctx, &types.MsgRevokeDevice{Signer: s.alice, DeviceId: gone.ID})
	s.Require().NoError(err)
	transfer := func(owner, id, to string) *types.MsgTransferDevice {
		return &types.MsgTransferDevice{Owner: owner, DeviceId: id, NewOwner: to}
	}
	cases := []struct {
		name   string
		msg    *types.MsgTransferDevice
		target error
	}{
		{"owner not bech32", transfer("x", d.ID, s.bob), types.ErrInvalidAddress},
		{"unknown device", transfer(s.alice, "nope", s.bob), types.ErrDeviceNotFound},
		{"not the owner", transfer(s.bob, d.ID, s.bob), types.ErrNotOwner},
		{"authority is not the owner", transfer(s.f.Authority, d.ID, s.bob), types.ErrNotOwner},
		{"revoked", transfer(s.alice, gone.ID, s.bob), types.ErrDeviceRevoked},
		{"new owner not bech32", transfer(s.alice, d.ID, "bob"), types.ErrInvalidAddress},
		{"to self", transfer(s.alice, d.ID, s.alice), types.ErrUnchanged},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error {
				_, err := s.f.MsgServer.TransferDevice(s.f.Ctx, tc.msg)
				return err
			})
		})
	}
}
