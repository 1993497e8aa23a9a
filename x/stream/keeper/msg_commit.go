package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/stream/types"
)

// CommitEpoch records an edge node's epoch root, sent by its operator or its
// committer. Every node sends one per block, so the cost is fixed and small:
// three point reads from an operator (params, its node, last epoch; five
// from a committer: the missed node read and its index entry come first)
// and two writes (the commitment without its node, the new last epoch). The commitment is validated here, not trusted from the
// gateway: a bad root, count or window never reaches the state.
func (k msgServer) CommitEpoch(ctx context.Context, msg *types.MsgCommitEpoch) (*types.MsgCommitEpochResponse, error) {
	sender, senderStr, err := k.decodeAddress("sender", msg.Sender)
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateCommitShape(msg.Root, msg.ReadingCount, msg.StreamCount, msg.WindowStart, msg.WindowEnd, params.MaxReadingsPerEpoch); err != nil {
		return nil, err
	}
	operator, operatorStr, err := k.committingNode(ctx, sender, senderStr, msg.Node)
	if err != nil {
		return nil, err
	}
	last, err := k.GetLastEpoch(ctx, operator)
	if err != nil {
		return nil, err
	}
	// Contiguous epochs let a verifier tell "no commitment yet" from "data
	// withheld", and let the node's committer resume exactly after a crash.
	if msg.Epoch != last+1 {
		return nil, errorsmod.Wrapf(types.ErrEpochNotContiguous, "node %s sent epoch %d, next is %d", operatorStr, msg.Epoch, last+1)
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	c := types.EpochCommit{
		Epoch:        msg.Epoch,
		Root:         msg.Root,
		ReadingCount: msg.ReadingCount,
		StreamCount:  msg.StreamCount,
		WindowStart:  msg.WindowStart,
		WindowEnd:    msg.WindowEnd,
		Height:       sdkCtx.BlockHeight(),
	}
	if err := k.EpochCommits.Set(ctx, collections.Join(operator, msg.Epoch), c); err != nil {
		return nil, err
	}
	if err := k.LastEpoch.Set(ctx, operator, msg.Epoch); err != nil {
		return nil, err
	}
	return &types.MsgCommitEpochResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventEpochCommitted{
		Node: operatorStr, Epoch: msg.Epoch, Root: hex.EncodeToString(msg.Root),
		ReadingCount: msg.ReadingCount, StreamCount: msg.StreamCount,
	})
}
