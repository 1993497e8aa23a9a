package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// authorizeRegister asks x/access whether owner (canonical bech32) may
// register device id. A denial and a failed decision both refuse: fail closed.
func (k Keeper) authorizeRegister(ctx context.Context, owner, id string) error {
	if err := k.access.Authorize(ctx, types.AccountSubject(owner), types.ActionRegister, types.DeviceResource(id)); err != nil {
		return errorsmod.Wrapf(types.ErrUnauthorized, "register %s: %v", types.DeviceResource(id), err)
	}
	return nil
}

// requireOwner fails unless signer is the device owner. Compared as bytes:
// the signer may spell the address in upper case.
func (k Keeper) requireOwner(d types.Device, signer sdk.AccAddress) error {
	owner, err := k.addressCodec.StringToBytes(d.Owner)
	if err != nil {
		return err
	}
	if !signer.Equals(sdk.AccAddress(owner)) {
		return errorsmod.Wrapf(types.ErrNotOwner, "device %q is owned by %s", d.Id, d.Owner)
	}
	return nil
}

// requireAdmin fails unless signer (canonical bech32) is the device owner,
// the consortium authority, or allowed action "admin" on "device/<id>".
// Checked in that order, cheapest first.
func (k Keeper) requireAdmin(ctx context.Context, d types.Device, signerBz sdk.AccAddress, signer string) error {
	if k.requireOwner(d, signerBz) == nil {
		return nil
	}
	isAuth, err := k.edge.IsAuthority(ctx, signer)
	if err != nil {
		return err
	}
	if isAuth {
		return nil
	}
	if err := k.access.Authorize(ctx, types.AccountSubject(signer), types.ActionAdmin, types.DeviceResource(d.Id)); err != nil {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s is not the owner, the authority or an admin of device %q: %v", signer, d.Id, err)
	}
	return nil
}

// requireHomeNode fails unless node runs a registered edge node.
func (k Keeper) requireHomeNode(ctx context.Context, node sdk.AccAddress, nodeStr string) error {
	ok, err := k.edge.IsOperator(ctx, node)
	if err != nil {
		return err
	}
	if !ok {
		return errorsmod.Wrapf(types.ErrNodeNotFound, "%s", nodeStr)
	}
	return nil
}
