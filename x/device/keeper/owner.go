package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// OwnsLiveDevice reports whether owner owns device id and the device is not
// revoked; an unknown device is false, not an error. The app's
// permissioned-sender gate asks it to admit an owner whose x/access grants
// expired or were revoked for the owner messages about its own devices
// (suspend, revoke, transfer, ...): one point read per message, no walk of
// the owner's devices.
func (k Keeper) OwnsLiveDevice(ctx context.Context, owner sdk.AccAddress, id string) (bool, error) {
	r, err := k.Devices.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return r.Status != types.DEVICE_STATUS_REVOKED && owner.Equals(sdk.AccAddress(r.Owner)), nil
}
