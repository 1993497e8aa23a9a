package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/stream/types"
)

// UpdateParams replaces the params (consortium authority only). Lowering
// max_replication does not touch existing streams: it bounds new ones.
func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	_, authority, err := k.decodeAddress("authority", msg.Authority)
	if err != nil {
		return nil, err
	}
	isAuth, err := k.edge.IsAuthority(ctx, authority)
	if err != nil {
		return nil, err
	}
	if !isAuth {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is not the consortium authority", authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{
		MaxReadingsPerEpoch: msg.Params.MaxReadingsPerEpoch, MaxReplication: msg.Params.MaxReplication,
	})
}
