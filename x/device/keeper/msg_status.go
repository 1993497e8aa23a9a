package keeper

import (
	"context"
	"slices"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// Status changes may be made by the owner, the consortium authority, or an
// account allowed "admin" on "device/<id>" (e.g. an operations team).
//
//	ACTIVE --suspend--> SUSPENDED --resume--> ACTIVE
//	SUSPENDED by the owner --suspend by authority/admin--> SUSPENDED, held
//	ACTIVE | SUSPENDED --revoke--> REVOKED (final)

func (k msgServer) SuspendDevice(ctx context.Context, msg *types.MsgSuspendDevice) (*types.MsgSuspendDeviceResponse, error) {
	if err := k.setStatus(ctx, msg.Signer, msg.DeviceId, msg.Reason, types.DEVICE_STATUS_SUSPENDED, types.DEVICE_STATUS_ACTIVE); err != nil {
		return nil, err
	}
	return &types.MsgSuspendDeviceResponse{}, nil
}

func (k msgServer) ResumeDevice(ctx context.Context, msg *types.MsgResumeDevice) (*types.MsgResumeDeviceResponse, error) {
	if err := k.setStatus(ctx, msg.Signer, msg.DeviceId, msg.Reason, types.DEVICE_STATUS_ACTIVE, types.DEVICE_STATUS_SUSPENDED); err != nil {
		return nil, err
	}
	return &types.MsgResumeDeviceResponse{}, nil
}

func (k msgServer) RevokeDevice(ctx context.Context, msg *types.MsgRevokeDevice) (*types.MsgRevokeDeviceResponse, error) {
	if err := k.setStatus(ctx, msg.Signer, msg.DeviceId, msg.Reason, types.DEVICE_STATUS_REVOKED, types.DEVICE_STATUS_ACTIVE, types.DEVICE_STATUS_SUSPENDED); err != nil {
		return nil, err
	}
	return &types.MsgRevokeDeviceResponse{}, nil
}

// setStatus moves a device to status `to` if its current status is one of
// `from` (or the change makes an owner's suspension a hold, see
// becomesHold). A revoked device always fails with ErrDeviceRevoked.
func (k msgServer) setStatus(ctx context.Context, signer, id, reason string, to types.DeviceStatus, from ...types.DeviceStatus) error {
	signerBz, signerStr, err := k.decodeAddress("signer", signer)
	if err != nil {
		return err
	}
	if err := types.ValidateDeviceID(id); err != nil {
		return err
	}
	if err := types.ValidateReason(reason); err != nil {
		return err
	}
	r, err := k.record(ctx, id)
	if err != nil {
		return err
	}
	if err := k.requireAdmin(ctx, id, r, signerBz, signerStr); err != nil {
		return err
	}
	if r.Status == types.DEVICE_STATUS_REVOKED {
		return errorsmod.Wrapf(types.ErrDeviceRevoked, "%q", id)
	}
	if !slices.Contains(from, r.Status) && !becomesHold(r, signerBz, to) {
		return errorsmod.Wrapf(types.ErrInvalidTransition, "device %q is %s, cannot become %s", id, r.Status, to)
	}
	if err := k.applyHold(ctx, id, &r, signerBz, signerStr, to); err != nil {
		return err
	}
	old := r.Status
	r.Status = to
	if err := k.Devices.Set(ctx, id, r); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceStatusChanged{
		DeviceId: id, Signer: signerStr, OldStatus: old, NewStatus: to, Reason: reason,
	})
}

// becomesHold reports whether a suspend by someone other than the owner
// finds the device already suspended by its owner: the suspension then
// becomes an operator's hold (SUSPENDED -> SUSPENDED, suspended_by_admin
// set). Refusing it instead would let an owner who sees a tamper alarm
// coming (or front-runs the authority's tx) suspend first and resume at
// will, the hold never recorded.
func becomesHold(r types.DeviceRecord, signer sdk.AccAddress, to types.DeviceStatus) bool {
	return to == types.DEVICE_STATUS_SUSPENDED && r.Status == types.DEVICE_STATUS_SUSPENDED &&
		!r.SuspendedByAdmin && !signer.Equals(sdk.AccAddress(r.Owner))
}

// applyHold keeps track of who suspended a device. A suspension by anyone
// but the owner (the authority, a device admin) is an operator's hold: the
// owner alone may not resume the device, so a hold such as a tamper alarm
// lasts until an admin lifts it. An owner's own suspension the owner lifts.
func (k msgServer) applyHold(ctx context.Context, id string, r *types.DeviceRecord, signer sdk.AccAddress, signerStr string, to types.DeviceStatus) error {
	isOwner := signer.Equals(sdk.AccAddress(r.Owner))
	switch to {
	case types.DEVICE_STATUS_SUSPENDED:
		r.SuspendedByAdmin = !isOwner
	case types.DEVICE_STATUS_ACTIVE:
		if r.SuspendedByAdmin && isOwner {
			admin, err := k.isHoldAdmin(ctx, id, signerStr)
			if err != nil {
				return err
			}
			if !admin {
				return errorsmod.Wrapf(types.ErrUnauthorized,
					"device %q was suspended by the authority or a device admin: only they resume it, not the owner", id)
			}
		}
		r.SuspendedByAdmin = false
	default:
		r.SuspendedByAdmin = false
	}
	return nil
}
