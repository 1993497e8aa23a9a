package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/device Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{Keeper: k} }

// describe checks and normalizes the owner-editable description fields.
func describe(kind types.DeviceKind, protocols []types.Protocol, metadata []types.MetadataEntry) ([]types.Protocol, []types.MetadataEntry, error) {
	if err := types.ValidateKind(kind); err != nil {
		return nil, nil, err
	}
	ps, err := types.NormalizeProtocols(protocols)
	if err != nil {
		return nil, nil, err
	}
	md, err := types.NormalizeMetadata(metadata)
	if err != nil {
		return nil, nil, err
	}
	return ps, md, nil
}

// ownedDevice loads a device for an owner-only change: it must exist, be
// owned by the signer and not be revoked. It also returns the owner in
// canonical bech32.
func (k msgServer) ownedDevice(ctx context.Context, owner, id string) (types.DeviceRecord, string, error) {
	signer, ownerStr, err := k.decodeAddress("owner", owner)
	if err != nil {
		return types.DeviceRecord{}, "", err
	}
	if err := types.ValidateDeviceID(id); err != nil {
		return types.DeviceRecord{}, "", err
	}
	r, err := k.record(ctx, id)
	if err != nil {
		return r, "", err
	}
	if err := k.requireOwner(id, r, signer); err != nil {
		return r, "", err
	}
	if r.Status == types.DEVICE_STATUS_REVOKED {
		return r, "", errorsmod.Wrapf(types.ErrDeviceRevoked, "%q", id)
	}
	return r, ownerStr, nil
}

func (k msgServer) RegisterDevice(ctx context.Context, msg *types.MsgRegisterDevice) (*types.MsgRegisterDeviceResponse, error) {
	owner, ownerStr, err := k.decodeAddress("owner", msg.Owner)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateDeviceID(msg.DeviceId); err != nil {
		return nil, err
	}
	pk, err := types.NewPubKey(msg.KeyType, msg.Pubkey)
	if err != nil {
		return nil, err
	}
	protocols, metadata, err := describe(msg.Kind, msg.Protocols, msg.Metadata)
	if err != nil {
		return nil, err
	}
	node, nodeStr, err := k.decodeAddress("home node", msg.HomeNode)
	if err != nil {
		return nil, err
	}
	if err := k.requireHomeNode(ctx, node, nodeStr); err != nil {
		return nil, err
	}
	if err := k.authorizeRegister(ctx, ownerStr, msg.DeviceId); err != nil {
		return nil, err
	}
	// A revoked device keeps its record, so its id can never be reused to
	// impersonate it.
	if has, err := k.Devices.Has(ctx, msg.DeviceId); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrDeviceExists, "%q", msg.DeviceId)
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	r := types.DeviceRecord{
		Owner:            owner,
		Pubkey:           pk,
		KeyVersion:       1,
		KeySinceHeight:   height,
		Kind:             msg.Kind,
		Protocols:        protocols,
		HomeNode:         node,
		Metadata:         metadata,
		Status:           types.DEVICE_STATUS_ACTIVE,
		RegisteredHeight: height,
	}
	if err := k.Devices.Set(ctx, msg.DeviceId, r); err != nil {
		return nil, err
	}
	return &types.MsgRegisterDeviceResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventDeviceRegistered{
		DeviceId: msg.DeviceId, Owner: ownerStr, HomeNode: nodeStr, KeyType: pk.Type, Kind: msg.Kind,
	})
}

func (k msgServer) UpdateDevice(ctx context.Context, msg *types.MsgUpdateDevice) (*types.MsgUpdateDeviceResponse, error) {
	r, owner, err := k.ownedDevice(ctx, msg.Owner, msg.DeviceId)
	if err != nil {
		return nil, err
	}
	protocols, metadata, err := describe(msg.Kind, msg.Protocols, msg.Metadata)
	if err != nil {
		return nil, err
	}
	r.Kind, r.Protocols, r.Metadata = msg.Kind, protocols, metadata
	if err := k.Devices.Set(ctx, msg.DeviceId, r); err != nil {
		return nil, err
	}
	return &types.MsgUpdateDeviceResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceUpdated{
		DeviceId: msg.DeviceId, Owner: owner,
	})
}

func (k msgServer) MoveDevice(ctx context.Context, msg *types.MsgMoveDevice) (*types.MsgMoveDeviceResponse, error) {
	r, _, err := k.ownedDevice(ctx, msg.Owner, msg.DeviceId)
	if err != nil {
		return nil, err
	}
	node, nodeStr, err := k.decodeAddress("new home node", msg.NewHomeNode)
	if err != nil {
		return nil, err
	}
	if node.Equals(sdk.AccAddress(r.HomeNode)) {
		return nil, errorsmod.Wrapf(types.ErrUnchanged, "device %q is already homed on %s", msg.DeviceId, nodeStr)
	}
	// Only the destination is checked: the old node may have been removed,
	// and moving away is how its devices get a home again.
	if err := k.requireHomeNode(ctx, node, nodeStr); err != nil {
		return nil, err
	}
	old := r.HomeNode
	r.HomeNode = node
	if err := k.Devices.Set(ctx, msg.DeviceId, r); err != nil {
		return nil, err
	}
	return &types.MsgMoveDeviceResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceMoved{
		DeviceId: msg.DeviceId, OldHomeNode: k.addrString(old), NewHomeNode: nodeStr,
	})
}

func (k msgServer) TransferDevice(ctx context.Context, msg *types.MsgTransferDevice) (*types.MsgTransferDeviceResponse, error) {
	r, _, err := k.ownedDevice(ctx, msg.Owner, msg.DeviceId)
	if err != nil {
		return nil, err
	}
	newOwner, newOwnerStr, err := k.decodeAddress("new owner", msg.NewOwner)
	if err != nil {
		return nil, err
	}
	if newOwner.Equals(sdk.AccAddress(r.Owner)) {
		return nil, errorsmod.Wrapf(types.ErrUnchanged, "device %q is already owned by %s", msg.DeviceId, newOwnerStr)
	}
	old := r.Owner
	r.Owner = newOwner
	if err := k.Devices.Set(ctx, msg.DeviceId, r); err != nil {
		return nil, err
	}
	return &types.MsgTransferDeviceResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceTransferred{
		DeviceId: msg.DeviceId, OldOwner: k.addrString(old), NewOwner: newOwnerStr,
	})
}
