package keeper_test

import (
	"strings"

	"github.com/trustedge/trustedge/x/device/types"
)

func (s *DeviceSuite) suspend(signer, id, reason string) error {
	_, err := s.f.MsgServer.SuspendDevice(s.f.Ctx, &types.MsgSuspendDevice{Signer: signer, DeviceId: id, Reason: reason})
	return err
}

func (s *DeviceSuite) resume(signer, id string) error {
	_, err := s.f.MsgServer.ResumeDevice(s.f.Ctx, &types.MsgResumeDevice{Signer: signer, DeviceId: id})
	return err
}

func (s *DeviceSuite) revoke(signer, id, reason string) error {
	_, err := s.f.MsgServer.RevokeDevice(s.f.Ctx, &types.MsgRevokeDevice{Signer: signer, DeviceId: id, Reason: reason})
	return err
}

func (s *DeviceSuite) status(id string) types.DeviceStatus { return s.f.Device(s.T(), id).Status }

func (s *DeviceSuite) TestStatusLifecycleByOwner() {
	d := s.registered("a")
	s.Require().NoError(s.suspend(s.alice, d.ID, "battery swap"))
	s.Require().Equal(types.DEVICE_STATUS_SUSPENDED, s.status(d.ID))
	s.requireEvents(&types.EventDeviceStatusChanged{
		DeviceId: d.ID, Signer: s.alice, OldStatus: types.DEVICE_STATUS_ACTIVE, NewStatus: types.DEVICE_STATUS_SUSPENDED, Reason: "battery swap",
	})
	s.Require().NoError(s.resume(s.alice, d.ID))
	s.Require().Equal(types.DEVICE_STATUS_ACTIVE, s.status(d.ID))
	s.requireEvents(&types.EventDeviceStatusChanged{
		DeviceId: d.ID, Signer: s.alice, OldStatus: types.DEVICE_STATUS_SUSPENDED, NewStatus: types.DEVICE_STATUS_ACTIVE,
	})
	s.Require().NoError(s.revoke(s.alice, d.ID, "decommissioned"))
	s.Require().Equal(types.DEVICE_STATUS_REVOKED, s.status(d.ID))
	s.requireEvents(&types.EventDeviceStatusChanged{
		DeviceId: d.ID, Signer: s.alice, OldStatus: types.DEVICE_STATUS_ACTIVE, NewStatus: types.DEVICE_STATUS_REVOKED, Reason: "decommissioned",
	})
	// Revoked devices stay listed (the id stays taken).
	s.Require().Equal([]string{d.ID}, s.ownerDevices(s.alice))
}

func (s *DeviceSuite) TestRevokeSuspended() {
	d := s.registered("a")
	s.Require().NoError(s.suspend(s.alice, d.ID, ""))
	s.Require().NoError(s.revoke(s.alice, d.ID, ""))
	s.Require().Equal(types.DEVICE_STATUS_REVOKED, s.status(d.ID))
}

func (s *DeviceSuite) TestStatusByAuthorityAndAdmin() {
	d := s.registered("a")
	s.Require().NoError(s.suspend(s.f.Authority, d.ID, "consortium order"))
	s.requireEvents(&types.EventDeviceStatusChanged{
		DeviceId: d.ID, Signer: s.f.Authority, OldStatus: types.DEVICE_STATUS_ACTIVE, NewStatus: types.DEVICE_STATUS_SUSPENDED, Reason: "consortium order",
	})

	// ops is refused until x/access grants it "admin" on this device.
	s.requireRejected(types.ErrUnauthorized, func() error { return s.resume(s.ops, d.ID) })
	s.f.Access.Allow(types.AccountSubject(s.ops), types.ActionAdmin, types.DeviceResource(d.ID))
	s.Require().NoError(s.resume(s.ops, d.ID))
	s.Require().Equal(types.DEVICE_STATUS_ACTIVE, s.status(d.ID))

	// "register" is not "admin".
	other := s.registered("b")
	s.f.Access.Allow(types.AccountSubject(s.bob), types.ActionRegister, types.DeviceResource(other.ID))
	s.requireRejected(types.ErrUnauthorized, func() error { return s.revoke(s.bob, other.ID, "") })
	s.Require().NoError(s.revoke(s.ops, d.ID, "stolen"))
	s.Require().Equal(types.DEVICE_STATUS_REVOKED, s.status(d.ID))
}

func (s *DeviceSuite) TestStatusRejections() {
	active := s.registered("active")
	suspended := s.registered("suspended")
	s.Require().NoError(s.suspend(s.alice, suspended.ID, ""))
	revoked := s.registered("revoked")
	s.Require().NoError(s.revoke(s.alice, revoked.ID, ""))
	// An admin grant on another device does not help.
	s.f.Access.Allow(types.AccountSubject(s.ops), types.ActionAdmin, types.DeviceResource("elsewhere"))

	cases := []struct {
		name   string
		call   func() error
		target error
	}{
		{"signer not bech32", func() error { return s.suspend("ops", active.ID, "") }, types.ErrInvalidAddress},
		{"bad id", func() error { return s.suspend(s.alice, "", "") }, types.ErrInvalidDeviceID},
		{"unknown device", func() error { return s.suspend(s.alice, "nope", "") }, types.ErrDeviceNotFound},
		{"stranger suspends", func() error { return s.suspend(s.bob, active.ID, "") }, types.ErrUnauthorized},
		{"admin of another device", func() error { return s.suspend(s.ops, active.ID, "") }, types.ErrUnauthorized},
		{"stranger resumes", func() error { return s.resume(s.bob, suspended.ID) }, types.ErrUnauthorized},
		{"stranger revokes", func() error { return s.revoke(s.bob, active.ID, "") }, types.ErrUnauthorized},
		{"suspend suspended", func() error { return s.suspend(s.alice, suspended.ID, "") }, types.ErrInvalidTransition},
		{"resume active", func() error { return s.resume(s.alice, active.ID) }, types.ErrInvalidTransition},
		{"suspend revoked", func() error { return s.suspend(s.alice, revoked.ID, "") }, types.ErrDeviceRevoked},
		{"resume revoked", func() error { return s.resume(s.alice, revoked.ID) }, types.ErrDeviceRevoked},
		{"revoke revoked", func() error { return s.revoke(s.alice, revoked.ID, "") }, types.ErrDeviceRevoked},
		{"authority resumes revoked", func() error { return s.resume(s.f.Authority, revoked.ID) }, types.ErrDeviceRevoked},
		{"reason too long", func() error { return s.suspend(s.alice, active.ID, strings.Repeat("r", types.MaxReasonLen+1)) }, types.ErrInvalidReason},
		{"reason with control char", func() error { return s.revoke(s.alice, active.ID, "a\x00b") }, types.ErrInvalidReason},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() { s.requireRejected(tc.target, tc.call) })
	}
}

func (s *DeviceSuite) TestRevokedDeviceRefusesEverything() {
	d := s.registered("a")
	s.Require().NoError(s.revoke(s.alice, d.ID, ""))
	newKey := s.device("x").Key
	s.requireRejected(types.ErrDeviceRevoked, func() error {
		_, err := s.f.MsgServer.RotateDeviceKey(s.f.Ctx, d.RotateMsg(1, newKey))
		return err
	})
	s.requireRejected(types.ErrDeviceRevoked, func() error {
		_, err := s.f.MsgServer.TransferDevice(s.f.Ctx, &types.MsgTransferDevice{Owner: s.alice, DeviceId: d.ID, NewOwner: s.bob})
		return err
	})
	_, err := s.f.Keeper.VerifySignature(s.f.Ctx, d.ID, []byte("m"), d.Key.Sign([]byte("m")), 0)
	s.Require().ErrorIs(err, types.ErrDeviceRevoked)
}

// A suspension by the authority or a device admin is an operator's hold:
// the owner alone cannot lift it; an admin (or an owner who is one) can.
// The owner's own suspension stays the owner's to lift.
func (s *DeviceSuite) TestAdminHoldOnlyAdminsLift() {
	d := s.registered("a")
	s.Require().NoError(s.suspend(s.f.Authority, d.ID, "tamper alarm"))
	s.Require().True(s.f.Device(s.T(), d.ID).SuspendedByAdmin)

	s.requireRejected(types.ErrUnauthorized, func() error { return s.resume(s.alice, d.ID) })
	s.Require().Equal(types.DEVICE_STATUS_SUSPENDED, s.status(d.ID), "the hold stays")
	s.Require().True(s.f.Device(s.T(), d.ID).SuspendedByAdmin)

	s.f.Access.Allow(types.AccountSubject(s.ops), types.ActionAdmin, types.DeviceResource(d.ID))
	s.Require().NoError(s.resume(s.ops, d.ID))
	s.Require().Equal(types.DEVICE_STATUS_ACTIVE, s.status(d.ID))
	s.Require().False(s.f.Device(s.T(), d.ID).SuspendedByAdmin, "lifted")

	// The owner's own suspension.
	s.Require().NoError(s.suspend(s.alice, d.ID, "battery swap"))
	s.Require().False(s.f.Device(s.T(), d.ID).SuspendedByAdmin)
	s.Require().NoError(s.resume(s.alice, d.ID))

	// An owner who is also the device's admin lifts an admin's hold.
	s.Require().NoError(s.suspend(s.ops, d.ID, "inspection"))
	s.f.Access.Allow(types.AccountSubject(s.alice), types.ActionAdmin, types.DeviceResource(d.ID))
	s.Require().NoError(s.resume(s.alice, d.ID))

	// Revoking (the owner decommissioning a held device) clears the hold.
	s.Require().NoError(s.suspend(s.f.Authority, d.ID, "tamper alarm"))
	s.Require().NoError(s.revoke(s.alice, d.ID, "decommissioned"))
	got := s.f.Device(s.T(), d.ID)
	s.Require().Equal(types.DEVICE_STATUS_REVOKED, got.Status)
	s.Require().False(got.SuspendedByAdmin)
}

// An owner's own suspension does not keep the authority or an admin from
// holding the device: their suspend turns it into a hold (SUSPENDED ->
// SUSPENDED, suspended_by_admin set, one status event naming them), which
// the owner then cannot lift. Otherwise an owner expecting a tamper alarm
// could suspend first and resume whenever it liked.
func (s *DeviceSuite) TestAdminSuspendHoldsOwnerSuspendedDevice() {
	for name, admin := range map[string]func(id string) string{
		"authority": func(string) string { return s.f.Authority },
		"device admin": func(id string) string {
			s.f.Access.Allow(types.AccountSubject(s.ops), types.ActionAdmin, types.DeviceResource(id))
			return s.ops
		},
	} {
		s.Run(name, func() {
			d := s.registered("held-by-" + strings.ReplaceAll(name, " ", "-"))
			signer := admin(d.ID)
			s.Require().NoError(s.suspend(s.alice, d.ID, "maintenance"))
			s.f.ResetEvents()

			s.Require().NoError(s.suspend(signer, d.ID, "tamper alarm"))
			got := s.f.Device(s.T(), d.ID)
			s.Require().Equal(types.DEVICE_STATUS_SUSPENDED, got.Status)
			s.Require().True(got.SuspendedByAdmin, "the owner's suspension is now a hold")
			s.requireEvents(&types.EventDeviceStatusChanged{
				DeviceId: d.ID, Signer: signer, OldStatus: types.DEVICE_STATUS_SUSPENDED, NewStatus: types.DEVICE_STATUS_SUSPENDED, Reason: "tamper alarm",
			})

			s.requireRejected(types.ErrUnauthorized, func() error { return s.resume(s.alice, d.ID) })
			// A second hold changes nothing and is refused like any repeat.
			s.requireRejected(types.ErrInvalidTransition, func() error { return s.suspend(signer, d.ID, "again") })
			// Nor does the owner suspending again undo the hold.
			s.requireRejected(types.ErrInvalidTransition, func() error { return s.suspend(s.alice, d.ID, "") })

			s.Require().NoError(s.resume(signer, d.ID))
			s.Require().Equal(types.DEVICE_STATUS_ACTIVE, s.status(d.ID))
			s.Require().False(s.f.Device(s.T(), d.ID).SuspendedByAdmin)
		})
	}
}
