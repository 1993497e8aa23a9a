package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/stream/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/stream Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{Keeper: k} }

// CreateStream opens a stream for a device. Checks run cheapest first:
// the message itself, then the device, then x/access, then the id.
func (k msgServer) CreateStream(ctx context.Context, msg *types.MsgCreateStream) (*types.MsgCreateStreamResponse, error) {
	_, owner, err := k.decodeAddress("owner", msg.Owner)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateStreamID(msg.StreamId); err != nil {
		return nil, err
	}
	if err := types.ValidateDeviceRef(msg.DeviceId); err != nil {
		return nil, err
	}
	if err := types.ValidateLabels(msg.Schema, msg.Unit); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	replication, err := types.EffectiveReplication(msg.Replication, params.MaxReplication)
	if err != nil {
		return nil, err
	}
	device, err := k.usableDevice(ctx, msg.DeviceId, owner)
	if err != nil {
		return nil, err
	}
	if err := k.allowed(ctx, owner, types.ActionCreate, msg.StreamId); err != nil {
		return nil, err
	}
	// A closed stream keeps its record and id: its committed readings stay
	// provable under that id, so the id is never reused.
	if has, err := k.Streams.Has(ctx, msg.StreamId); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrStreamExists, "%q", msg.StreamId)
	}

	home, err := k.addressCodec.StringToBytes(device.HomeNode)
	if err != nil {
		return nil, err
	}
	lastEpoch, err := k.GetLastEpoch(ctx, home)
	if err != nil {
		return nil, err
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	s := types.Stream{
		Id:               msg.StreamId,
		DeviceId:         msg.DeviceId,
		Owner:            owner,
		Schema:           msg.Schema,
		Unit:             msg.Unit,
		HomeNode:         device.HomeNode,
		RetentionSeconds: msg.RetentionSeconds,
		Replication:      replication,
		Status:           types.STREAM_STATUS_OPEN,
		CreatedHeight:    sdkCtx.BlockHeight(),
		// Epochs up to this one were closed before the stream existed.
		CreatedAfterEpoch: lastEpoch,
	}
	if err := k.Streams.Set(ctx, s.Id, s); err != nil {
		return nil, err
	}
	if err := k.addStreams(ctx, 1); err != nil {
		return nil, err
	}
	return &types.MsgCreateStreamResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventStreamCreated{
		StreamId: s.Id, DeviceId: s.DeviceId, Owner: owner, HomeNode: s.HomeNode,
	})
}

// CloseStream stops an OPEN stream from taking readings, for good.
func (k msgServer) CloseStream(ctx context.Context, msg *types.MsgCloseStream) (*types.MsgCloseStreamResponse, error) {
	_, signer, err := k.decodeAddress("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateStreamID(msg.StreamId); err != nil {
		return nil, err
	}
	s, err := k.GetStream(ctx, msg.StreamId)
	if err != nil {
		return nil, err
	}
	ok, err := k.isOwnerOrAuthority(ctx, s, signer)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither the owner of stream %q nor the authority", signer, s.Id)
	}
	if s.Status != types.STREAM_STATUS_OPEN {
		return nil, errorsmod.Wrapf(types.ErrStreamClosed, "%q", s.Id)
	}
	home, err := k.addressCodec.StringToBytes(s.HomeNode)
	if err != nil {
		return nil, err
	}
	// Epochs after this one (plus CloseGraceEpochs for the node's backlog)
	// cannot hold the stream's readings: Verify refuses them.
	closedAfter, err := k.GetLastEpoch(ctx, home)
	if err != nil {
		return nil, err
	}
	s.Status = types.STREAM_STATUS_CLOSED
	s.ClosedAfterEpoch = closedAfter
	if err := k.Streams.Set(ctx, s.Id, s); err != nil {
		return nil, err
	}
	return &types.MsgCloseStreamResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventStreamClosed{
		StreamId: s.Id, By: signer,
	})
}
