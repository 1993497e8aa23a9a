package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// RotateDeviceKey needs two signatures: the owner's on the tx (checked by
// the ante handler) and the current device key's on RotationSignBytes. The
// sign bytes name the chain, the device and the key version being retired,
// so an approval cannot be replayed on another chain, device or rotation.
// A suspended device may rotate (suspension for a suspected key leak is
// lifted after a rotation); a revoked one may not, nor one whose key_version
// reached types.MaxKeyVersion (it would wrap to 0).
func (k msgServer) RotateDeviceKey(ctx context.Context, msg *types.MsgRotateDeviceKey) (*types.MsgRotateDeviceKeyResponse, error) {
	newKey, err := types.NewPubKey(msg.NewKeyType, msg.NewPubkey)
	if err != nil {
		return nil, err
	}
	id := msg.DeviceId
	r, owner, err := k.ownedDevice(ctx, msg.Owner, id)
	if err != nil {
		return nil, err
	}
	if r.KeyVersion >= types.MaxKeyVersion {
		return nil, errorsmod.Wrapf(types.ErrKeyVersionLimit,
			"device %q is at key version %d: register a new device instead", id, r.KeyVersion)
	}
	if newKey.Equal(r.Pubkey) {
		return nil, errorsmod.Wrapf(types.ErrUnchanged, "new key of device %q is its current key", id)
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	signBytes := types.RotationSignBytes(sdkCtx.ChainID(), id, r.KeyVersion, newKey)
	if !r.Pubkey.VerifySignature(signBytes, msg.OldKeySignature) {
		return nil, errorsmod.Wrapf(types.ErrInvalidSignature,
			"old_key_signature does not verify with key version %d of device %q on chain %q", r.KeyVersion, id, sdkCtx.ChainID())
	}

	height := sdkCtx.BlockHeight()
	retired := types.KeyRecord{Pubkey: r.Pubkey, ValidFromHeight: r.KeySinceHeight, ValidUntilHeight: height}
	if err := k.KeyHistory.Set(ctx, collections.Join(id, r.KeyVersion), retired); err != nil {
		return nil, err
	}
	old := r.KeyVersion
	r.Pubkey = newKey
	r.KeyVersion++
	r.KeySinceHeight = height
	if err := k.Devices.Set(ctx, id, r); err != nil {
		return nil, err
	}
	return &types.MsgRotateDeviceKeyResponse{NewKeyVersion: r.KeyVersion}, sdkCtx.EventManager().EmitTypedEvent(&types.EventDeviceKeyRotated{
		DeviceId: id, Owner: owner, OldKeyVersion: old, NewKeyVersion: r.KeyVersion, NewKeyType: newKey.Type, Height: height,
	})
}
