package keeper

import (
	"context"
	"encoding/hex"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/core/comet"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// consAddrHex formats a consensus address as CometBFT's RPC shows it.
func consAddrHex(addr []byte) string { return strings.ToUpper(hex.EncodeToString(addr)) }

// BeginBlocker jails every node the block's evidence convicts of
// double-signing (or a light-client attack).
func (k Keeper) BeginBlocker(ctx context.Context) error {
	info := sdk.UnwrapSDKContext(ctx).CometInfo()
	if info == nil {
		return nil
	}
	evidence := info.GetEvidence()
	if evidence == nil {
		return nil
	}
	for i := 0; i < evidence.Len(); i++ {
		ev := evidence.Get(i)
		switch ev.Type() {
		case comet.DuplicateVote, comet.LightClientAttack:
		default:
			continue
		}
		if err := k.jail(ctx, ev.Validator().Address(), ev.Height(), misbehaviorName(ev.Type())); err != nil {
			return err
		}
	}
	return nil
}

func misbehaviorName(t comet.MisbehaviorType) string {
	if t == comet.DuplicateVote {
		return "double_sign"
	}
	return "light_client_attack"
}

// jail takes the node with consAddr out of the validator set for good. It
// ignores the power-change cap: evidence is not an admin decision.
func (k Keeper) jail(ctx context.Context, consAddr []byte, infractionHeight int64, reason string) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	operator, err := k.Nodes.Indexes.ConsAddr.MatchExact(ctx, consAddr)
	if errorsIsNotFound(err) {
		// The authority removed the node between the infraction and the
		// evidence. CometBFT reports only keys of the validator set at the
		// infraction height, so the key was one of ours: ban it all the
		// same, or RegisterNode would take it again.
		sdkCtx.Logger().Info("banning the consensus key of a removed edge node for misbehaviour",
			"consensus_address", consAddrHex(consAddr), "infraction_height", infractionHeight, "reason", reason)
		return k.BannedConsAddrs.Set(ctx, consAddr)
	} else if err != nil {
		return err
	}
	node, err := k.Nodes.Get(ctx, operator)
	if err != nil {
		return err
	}
	if node.Status == types.NODE_STATUS_JAILED {
		return nil
	}
	if err := k.trackPowerChange(ctx, consAddr, effectivePower(node), 0, false); err != nil {
		// Jailing the last powered node would halt the chain; keep it and say so.
		sdkCtx.Logger().Error("cannot jail edge node", "operator", node.Operator, "err", err)
		return nil
	}
	node.Status = types.NODE_STATUS_JAILED
	node.Power = 0
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return err
	}
	if err := k.BannedConsAddrs.Set(ctx, consAddr); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeJailed{
		Operator: node.Operator, ConsensusAddress: consAddrHex(consAddr),
		InfractionHeight: infractionHeight, Reason: reason,
	})
}

// EndBlocker marks silent nodes stale and returns the validator updates.
func (k Keeper) EndBlocker(ctx context.Context) ([]abci.ValidatorUpdate, error) {
	if err := k.markStaleNodes(ctx); err != nil {
		return nil, err
	}
	updates, err := k.ApplyValidatorUpdates(ctx)
	if err != nil {
		return nil, err
	}
	return updates, k.applyPendingParams(ctx)
}

// applyPendingParams puts the params MsgUpdateParams set in this block in
// force, after the block's power changes were judged under the old ones.
func (k Keeper) applyPendingParams(ctx context.Context) error {
	p, err := k.PendingParams.Get(ctx)
	if errorsIsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if err := k.Params.Set(ctx, p); err != nil {
		return err
	}
	return k.PendingParams.Remove(ctx)
}

// markStaleNodes flags active nodes whose last heartbeat (or join) is older
// than heartbeat_timeout_blocks. Stale nodes keep consensus power: liveness
// of votes is CometBFT's to judge; staleness only stops new work (x/task).
func (k Keeper) markStaleNodes(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil || params.HeartbeatTimeoutBlocks == 0 {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	var stale []types.EdgeNode
	err = k.Nodes.Walk(ctx, nil, func(_ sdk.AccAddress, n types.EdgeNode) (bool, error) {
		last := max(n.LastHeartbeatHeight, n.JoinedHeight)
		if n.Status == types.NODE_STATUS_ACTIVE && height-last > params.HeartbeatTimeoutBlocks {
			stale = append(stale, n)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	for _, n := range stale {
		operator, err := k.addressCodec.StringToBytes(n.Operator)
		if err != nil {
			return err
		}
		n.Status = types.NODE_STATUS_STALE
		if err := k.Nodes.Set(ctx, operator, n); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeStatusChanged{
			Operator: n.Operator, OldStatus: types.NODE_STATUS_ACTIVE, NewStatus: types.NODE_STATUS_STALE,
		}); err != nil {
			return err
		}
	}
	return nil
}
