package keeper

import (
	"context"
	"errors"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// authorizeRegister asks x/access whether owner (bech32) may register device
// id. A denial and a failed decision both refuse: fail closed.
func (k Keeper) authorizeRegister(ctx context.Context, owner, id string) error {
	if err := k.access.Authorize(ctx, types.AccountSubject(owner), types.ActionRegister, types.DeviceResource(id)); err != nil {
		return errorsmod.Wrapf(types.ErrUnauthorized, "register %s: %v", types.DeviceResource(id), err)
	}
	return nil
}

// requireOwner fails unless signer owns device id.
func (k Keeper) requireOwner(id string, r types.DeviceRecord, signer sdk.AccAddress) error {
	if !signer.Equals(sdk.AccAddress(r.Owner)) {
		return errorsmod.Wrapf(types.ErrNotOwner, "device %q is owned by %s", id, k.addrString(r.Owner))
	}
	return nil
}

// requireAdmin fails unless signer (signerStr in bech32) is the device
// owner, the consortium authority, or allowed action "admin" on
// "device/<id>". Checked in that order, cheapest first.
func (k Keeper) requireAdmin(ctx context.Context, id string, r types.DeviceRecord, signer sdk.AccAddress, signerStr string) error {
	if signer.Equals(sdk.AccAddress(r.Owner)) {
		return nil
	}
	isAuth, err := k.edge.IsAuthority(ctx, signerStr)
	if err != nil {
		return err
	}
	if isAuth {
		return nil
	}
	if err := k.access.Authorize(ctx, types.AccountSubject(signerStr), types.ActionAdmin, types.DeviceResource(id)); err != nil {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s is not the owner, the authority or an admin of device %q: %v", signerStr, id, err)
	}
	return nil
}

// isHoldAdmin reports whether signer (bech32) is the consortium authority
// or allowed "admin" on "device/<id>": who may lift a suspension they (or
// another such admin) made, whether or not they own the device.
func (k Keeper) isHoldAdmin(ctx context.Context, id, signerStr string) (bool, error) {
	isAuth, err := k.edge.IsAuthority(ctx, signerStr)
	if err != nil || isAuth {
		return isAuth, err
	}
	err = k.access.Authorize(ctx, types.AccountSubject(signerStr), types.ActionAdmin, types.DeviceResource(id))
	return err == nil, nil
}

// requireHomeNode fails unless node (nodeStr in bech32) runs a registered
// edge node that is not jailed. A jailed node was caught double-signing and
// stays jailed for good: devices must not be homed on it (a stale node may
// come back, so it is accepted).
func (k Keeper) requireHomeNode(ctx context.Context, node sdk.AccAddress, nodeStr string) error {
	n, err := k.edge.GetNode(ctx, node)
	if errors.Is(err, edgetypes.ErrNodeNotFound) {
		return errorsmod.Wrapf(types.ErrNodeNotFound, "%s", nodeStr)
	}
	if err != nil {
		return err
	}
	if n.Status == edgetypes.NODE_STATUS_JAILED {
		return errorsmod.Wrapf(types.ErrNodeJailed, "%s", nodeStr)
	}
	return nil
}
