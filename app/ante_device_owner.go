package app

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// SenderGateDevice is what the gate needs from x/device.
type SenderGateDevice interface {
	// OwnsLiveDevice reports whether owner owns device id and it is not
	// revoked (false for an unknown device).
	OwnsLiveDevice(ctx context.Context, owner sdk.AccAddress, id string) (bool, error)
}

// deviceOwnerMsg is one x/device owner message: its signer field and the
// device it names.
type deviceOwnerMsg struct {
	signer string
	id     string
}

// deviceOwnerMsgs returns the signer and device of every message if all of
// them are x/device messages an owner sends about a device it already has:
// update, rotate, suspend, resume, revoke, move, transfer. Registration is
// not among them: adding a device to the consortium needs a grant.
func deviceOwnerMsgs(msgs []sdk.Msg) ([]deviceOwnerMsg, bool) {
	out := make([]deviceOwnerMsg, 0, len(msgs))
	for _, m := range msgs {
		switch m := m.(type) {
		case *devicetypes.MsgUpdateDevice:
			out = append(out, deviceOwnerMsg{m.Owner, m.DeviceId})
		case *devicetypes.MsgRotateDeviceKey:
			out = append(out, deviceOwnerMsg{m.Owner, m.DeviceId})
		case *devicetypes.MsgMoveDevice:
			out = append(out, deviceOwnerMsg{m.Owner, m.DeviceId})
		case *devicetypes.MsgTransferDevice:
			out = append(out, deviceOwnerMsg{m.Owner, m.DeviceId})
		case *devicetypes.MsgSuspendDevice:
			out = append(out, deviceOwnerMsg{m.Signer, m.DeviceId})
		case *devicetypes.MsgResumeDevice:
			out = append(out, deviceOwnerMsg{m.Signer, m.DeviceId})
		case *devicetypes.MsgRevokeDevice:
			out = append(out, deviceOwnerMsg{m.Signer, m.DeviceId})
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}

// ownsNamedDevices reports whether signer signs at least one of msgs and
// owns, not revoked, the device each message it signs names. It lets an
// owner whose grants expired or were revoked still suspend, revoke or hand
// over its own devices (and the new owner of a transferred device manage
// it) without a grant, and do nothing else: it must not become a general
// way into the chain.
func (d PermissionedSenderDecorator) ownsNamedDevices(ctx context.Context, signer sdk.AccAddress, msgs []deviceOwnerMsg) (bool, error) {
	signs := false
	for _, m := range msgs {
		bz, err := d.codec.StringToBytes(m.signer)
		if err != nil {
			// GetSigners decoded every signer field already; refuse rather
			// than guess.
			return false, nil
		}
		if !signer.Equals(sdk.AccAddress(bz)) {
			continue
		}
		signs = true
		if ok, err := d.device.OwnsLiveDevice(ctx, signer, m.id); err != nil || !ok {
			return false, err
		}
	}
	return signs, nil
}
