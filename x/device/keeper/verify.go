package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// KeyAt returns the key device id (stored as r) had at height, and its
// version. The current key covers [key_since_height, ∞); retired key v
// covers [valid_from_height, valid_until_height). Keys replaced within the
// block they were installed in cover nothing and are never chosen.
func (k Keeper) KeyAt(ctx context.Context, id string, r types.DeviceRecord, height int64) (types.PubKey, uint64, error) {
	if height >= r.KeySinceHeight {
		return r.Pubkey, r.KeyVersion, nil
	}
	// Newest first: a device rotates rarely and recent heights are the
	// common question, so this reads one or two entries.
	rng := collections.NewPrefixedPairRange[string, uint64](id).Descending()
	it, err := k.KeyHistory.Iterate(ctx, rng)
	if err != nil {
		return types.PubKey{}, 0, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			return types.PubKey{}, 0, err
		}
		old := kv.Value
		if old.ValidUntilHeight <= height {
			// Every older key ended even earlier.
			break
		}
		if old.ValidFromHeight <= height {
			return old.Pubkey, kv.Key.K2(), nil
		}
	}
	return types.PubKey{}, 0, errorsmod.Wrapf(types.ErrKeyNotFound, "device %q at height %d (registered at %d)", id, height, r.RegisteredHeight)
}

// VerifySignature checks that sig is device id's signature of msg with the
// key it had at height (0 = the context's height), and returns that key's
// version. It is the check the gateway runs on every reading, so it also
// refuses a device that is not ACTIVE now: a revoked device's key may be
// leaked, and a suspended device must not be accepted until resumed — even
// for data signed before. Signature rules: PubKey.VerifySignature.
func (k Keeper) VerifySignature(ctx context.Context, deviceID string, msg, sig []byte, height int64) (uint64, error) {
	if err := types.ValidateDeviceID(deviceID); err != nil {
		return 0, err
	}
	current := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if height == 0 {
		height = current
	}
	if height < 0 || height > current {
		return 0, errorsmod.Wrapf(types.ErrInvalidHeight, "%d not in [0, %d]", height, current)
	}
	r, err := k.record(ctx, deviceID)
	if err != nil {
		return 0, err
	}
	switch r.Status {
	case types.DEVICE_STATUS_REVOKED:
		return 0, errorsmod.Wrapf(types.ErrDeviceRevoked, "%q", deviceID)
	case types.DEVICE_STATUS_SUSPENDED:
		return 0, errorsmod.Wrapf(types.ErrDeviceSuspended, "%q", deviceID)
	}
	pk, version, err := k.KeyAt(ctx, deviceID, r, height)
	if err != nil {
		return 0, err
	}
	if !pk.VerifySignature(msg, sig) {
		return version, errorsmod.Wrapf(types.ErrInvalidSignature, "device %q key version %d", deviceID, version)
	}
	return version, nil
}
