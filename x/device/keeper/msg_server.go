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
// owned by signer and not be revoked.
func (k msgServer) ownedDevice(ctx context.Context, owner, id string) (types.Device, error) {
	signer, _, err := k.decodeAddress("owner", owner)
	if err != nil {
		return types.Device{}, err
	}
	if err := types.ValidateDeviceID(id); err != nil {
		return types.Device{}, err
	}
	d, err := k.GetDevice(ctx, id)
	if err != nil {
		return d, err
	}
	if err := k.requireOwner(d, signer); err != nil {
		return d, err
	}
	if d.Status == types.DEVICE_STATUS_REVOKED {
		return d, errorsmod.Wrapf(types.ErrDeviceRevoked, "%q", id)
	}
	return d, nil
}

func (k msgServer) RegisterDevice(ctx context.Context, msg *types.MsgRegisterDevice) (*types.MsgRegisterDeviceResponse, error) {
	_, owner, err := k.decodeAddress("owner", msg.Owner)
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
	nodeBz, node, err := k.decodeAddress("home node", msg.HomeNode)
	if err != nil {
		return nil, err
	}
	if err := k.requireHomeNode(ctx, nodeBz, node); err != nil {
		return nil, err
	}
	if err := k.authorizeRegister(ctx, owner, msg.DeviceId); err != nil {
		return nil, err
	}
	// A revoked device keeps its record, so its id can never be reused to
	// impersonate it.
	if has, err := k.Devices.Has(ctx, msg.DeviceId); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrDeviceExists, "%q", msg.DeviceId)
	}

	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	d := types.Device{
		Id:               msg.DeviceId,
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
	if err := k.Devices.Set(ctx, d.Id, d); err != nil {
		return nil, err
	}
	return &types.MsgRegisterDeviceResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceRegistered{
		DeviceId: d.Id, Owner: owner, HomeNode: node, KeyType: pk.Type, Kind: d.Kind,
	})
}

func (k msgServer) UpdateDevice(ctx context.Context, msg *types.MsgUpdateDevice) (*types.MsgUpdateDeviceResponse, error) {
	d, err := k.ownedDevice(ctx, msg.Owner, msg.DeviceId)
	if err != nil {
		return nil, err
	}
	protocols, metadata, err := describe(msg.Kind, msg.Protocols, msg.Metadata)
	if err != nil {
		return nil, err
	}
	d.Kind, d.Protocols, d.Metadata = msg.Kind, protocols, metadata
	if err := k.Devices.Set(ctx, d.Id, d); err != nil {
		return nil, err
	}
	return &types.MsgUpdateDeviceResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceUpdated{
		DeviceId: d.Id, Owner: d.Owner,
	})
}

func (k msgServer) MoveDevice(ctx context.Context, msg *types.MsgMoveDevice) (*types.MsgMoveDeviceResponse, error) {
	d, err := k.ownedDevice(ctx, msg.Owner, msg.DeviceId)
	if err != nil {
		return nil, err
	}
	nodeBz, node, err := k.decodeAddress("new home node", msg.NewHomeNode)
	if err != nil {
		return nil, err
	}
	if node == d.HomeNode {
		return nil, errorsmod.Wrapf(types.ErrUnchanged, "device %q is already homed on %s", d.Id, node)
	}
	// Only the destination is checked: the old node may have been removed,
	// and moving away is how its devices get a home again.
	if err := k.requireHomeNode(ctx, nodeBz, node); err != nil {
		return nil, err
	}
	old := d.HomeNode
	d.HomeNode = node
	if err := k.Devices.Set(ctx, d.Id, d); err != nil {
		return nil, err
	}
	return &types.MsgMoveDeviceResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceMoved{
		DeviceId: d.Id, OldHomeNode: old, NewHomeNode: node,
	})
}

func (k msgServer) TransferDevice(ctx context.Context, msg *types.MsgTransferDevice) (*types.MsgTransferDeviceResponse, error) {
	d, err := k.ownedDevice(ctx, msg.Owner, msg.DeviceId)
	if err != nil {
		return nil, err
	}
	_, newOwner, err := k.decodeAddress("new owner", msg.NewOwner)
	if err != nil {
		return nil, err
	}
	if newOwner == d.Owner {
		return nil, errorsmod.Wrapf(types.ErrUnchanged, "device %q is already owned by %s", d.Id, newOwner)
	}
	old := d.Owner
	d.Owner = newOwner
	if err := k.Devices.Set(ctx, d.Id, d); err != nil {
		return nil, err
	}
	return &types.MsgTransferDeviceResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceTransferred{
		DeviceId: d.Id, OldOwner: old, NewOwner: newOwner,
	})
}
