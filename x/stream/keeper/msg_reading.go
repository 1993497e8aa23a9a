package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/stream/types"
)

// RecordReading stores one reading on chain: the naive path, one tx per
// reading, kept to measure what epoch commitments save and for tiny
// deployments. It holds readings to the gateway's rules (node/gateway
// authorize): the stream's device must be ACTIVE and still owned by the
// stream's owner, and the owner must be allowed "write" on the stream (its
// grant vouches for its devices). The sender must be the owner or be
// allowed "write" itself.
func (k msgServer) RecordReading(ctx context.Context, msg *types.MsgRecordReading) (*types.MsgRecordReadingResponse, error) {
	_, sender, err := k.decodeAddress("sender", msg.Sender)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateStreamID(msg.StreamId); err != nil {
		return nil, err
	}
	if err := types.ValidatePayload(msg.Payload); err != nil {
		return nil, err
	}
	s, err := k.GetStream(ctx, msg.StreamId)
	if err != nil {
		return nil, err
	}
	if s.Status != types.STREAM_STATUS_OPEN {
		return nil, errorsmod.Wrapf(types.ErrStreamClosed, "%q", s.Id)
	}
	if _, err := k.usableDevice(ctx, s.DeviceId, s.Owner); err != nil {
		return nil, err
	}
	if err := k.allowed(ctx, s.Owner, types.ActionWrite, s.Id); err != nil {
		return nil, errorsmod.Wrapf(err, "stream owner")
	}
	if sender != s.Owner {
		if err := k.allowed(ctx, sender, types.ActionWrite, s.Id); err != nil {
			return nil, err
		}
	}
	last, err := k.GetLastReadingSeq(ctx, s.Id)
	if err != nil {
		return nil, err
	}
	if msg.Seq != last+1 {
		return nil, errorsmod.Wrapf(types.ErrSeqNotNext, "stream %q got seq %d, next is %d", s.Id, msg.Seq, last+1)
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	r := types.Reading{Time: msg.Time, Payload: msg.Payload, Height: sdkCtx.BlockHeight()}
	if err := k.Readings.Set(ctx, collections.Join(s.Id, msg.Seq), r); err != nil {
		return nil, err
	}
	if err := k.LastReadingSeq.Set(ctx, s.Id, msg.Seq); err != nil {
		return nil, err
	}
	return &types.MsgRecordReadingResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventReadingRecorded{
		StreamId: s.Id, Seq: msg.Seq,
	})
}
