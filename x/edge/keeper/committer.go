package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// A node's committer is the account its data plane signs MsgCommitEpoch and
// MsgHeartbeat with, in place of the operator (as oracle modules let a validator name a
// feeder). It exists so that the operator key can stay off the edge server
// and so that the operator's own txs (heartbeats, updates) never share an
// account sequence with a process that signs every block.

// IsCommitter reports whether addr is some node's committer. Used by the
// ante handler's permissioned-sender gate.
func (k Keeper) IsCommitter(ctx context.Context, addr sdk.AccAddress) (bool, error) {
	return k.Committers.Has(ctx, addr)
}

// NodeOfSender resolves the sender of an epoch commitment or a heartbeat to
// the node it speaks for: the sender's own node if it is an operator, else
// the node that named it committer. found is false if it is neither. One
// read for an operator, two for a committer.
func (k Keeper) NodeOfSender(ctx context.Context, sender sdk.AccAddress) (operator sdk.AccAddress, node types.EdgeNode, found bool, err error) {
	node, err = k.Nodes.Get(ctx, sender)
	if err == nil {
		return sender, node, true, nil
	}
	if !errorsIsNotFound(err) {
		return nil, node, false, err
	}
	operator, err = k.Committers.Get(ctx, sender)
	if errorsIsNotFound(err) {
		return nil, node, false, nil
	}
	if err != nil {
		return nil, node, false, err
	}
	// The index and the node are written together, so the node exists; if
	// it ever did not, the sender commits for nothing.
	node, err = k.Nodes.Get(ctx, operator)
	if errorsIsNotFound(err) {
		return nil, node, false, nil
	}
	return operator, node, err == nil, err
}

// SetCommitter names, replaces or (empty committer) clears the operator's
// committer. A change that changes nothing is refused, as is a committer
// that is an operator or already serves a node.
func (k msgServer) SetCommitter(ctx context.Context, msg *types.MsgSetCommitter) (*types.MsgSetCommitterResponse, error) {
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	node, err := k.GetNode(ctx, operator)
	if err != nil {
		return nil, err
	}
	old := node.Committer
	if msg.Committer != "" && node.Status == types.NODE_STATUS_JAILED {
		// A jailed node commits nothing; it may only clear its committer.
		return nil, errorsmod.Wrapf(types.ErrNodeJailed, "%s may not name a committer", msg.Operator)
	}
	if msg.Committer == "" {
		if old == "" {
			return nil, errorsmod.Wrapf(types.ErrInvalidCommitter, "node %s has no committer to clear", msg.Operator)
		}
	} else {
		committer, err := k.addressCodec.StringToBytes(msg.Committer)
		if err != nil {
			return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "committer %q: %v", msg.Committer, err)
		}
		if err := k.checkCommitterFree(ctx, operator, committer); err != nil {
			return nil, err
		}
		if node.Committer, err = k.addressCodec.BytesToString(committer); err != nil {
			return nil, err
		}
		if err := k.Committers.Set(ctx, committer, operator); err != nil {
			return nil, err
		}
	}
	if old != "" {
		oldAddr, err := k.addressCodec.StringToBytes(old)
		if err != nil {
			return nil, err
		}
		if err := k.Committers.Remove(ctx, oldAddr); err != nil {
			return nil, err
		}
	}
	if msg.Committer == "" {
		node.Committer = ""
	}
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	return &types.MsgSetCommitterResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventCommitterSet{
		Operator: node.Operator, OldCommitter: old, NewCommitter: node.Committer,
	})
}

// checkCommitterFree refuses committer for operator's node unless it is a
// plain account: not the operator itself (it signs anyway), not any node's
// operator, not already a committer (of this node or another: one sequence,
// one signer).
func (k Keeper) checkCommitterFree(ctx context.Context, operator, committer sdk.AccAddress) error {
	if committer.Equals(operator) {
		return errorsmod.Wrap(types.ErrInvalidCommitter, "the operator signs its commitments without naming itself; send an empty committer to clear one")
	}
	isOperator, err := k.Nodes.Has(ctx, committer)
	if err != nil {
		return err
	}
	if isOperator {
		return errorsmod.Wrapf(types.ErrInvalidCommitter, "%s operates an edge node", committer)
	}
	serves, err := k.Committers.Get(ctx, committer)
	switch {
	case err == nil && serves.Equals(operator):
		return errorsmod.Wrapf(types.ErrInvalidCommitter, "%s is already this node's committer", committer)
	case err == nil:
		return errorsmod.Wrapf(types.ErrInvalidCommitter, "%s already commits for node %s", committer, serves)
	case !errorsIsNotFound(err):
		return err
	}
	return nil
}

// removeCommitterOf drops the index entry of node's committer, if any (the
// node is being removed).
func (k Keeper) removeCommitterOf(ctx context.Context, node types.EdgeNode) error {
	if node.Committer == "" {
		return nil
	}
	addr, err := k.addressCodec.StringToBytes(node.Committer)
	if err != nil {
		return err
	}
	return k.Committers.Remove(ctx, addr)
}

// freeCommitter clears account as the committer of whichever node named it,
// if any (EventCommitterSet with no new committer). RegisterNode calls it
// for the operator it adds.
func (k Keeper) freeCommitter(ctx context.Context, account sdk.AccAddress) error {
	serves, err := k.Committers.Get(ctx, account)
	if errorsIsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	node, err := k.Nodes.Get(ctx, serves)
	if err != nil {
		return err
	}
	old := node.Committer
	node.Committer = ""
	if err := k.Nodes.Set(ctx, serves, node); err != nil {
		return err
	}
	if err := k.Committers.Remove(ctx, account); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventCommitterSet{
		Operator: node.Operator, OldCommitter: old,
	})
}
