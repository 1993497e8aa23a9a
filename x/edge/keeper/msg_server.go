package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/edge Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{Keeper: k} }

// requireAuthority fails unless signer is the consortium authority.
func (k msgServer) requireAuthority(ctx context.Context, signer string) error {
	ok, err := k.IsAuthority(ctx, signer)
	if err != nil {
		return err
	}
	if !ok {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s", signer)
	}
	return nil
}

// operatorAddr decodes an operator address with a registered error.
func (k msgServer) operatorAddr(operator string) (sdk.AccAddress, error) {
	bz, err := k.addressCodec.StringToBytes(operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", operator, err)
	}
	return bz, nil
}

func (k msgServer) RegisterNode(ctx context.Context, msg *types.MsgRegisterNode) (*types.MsgRegisterNodeResponse, error) {
	if err := k.requireAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	// Stored and reported in canonical (lower-case) bech32, however the
	// authority spelled it: other modules and the data plane compare
	// operator addresses as strings.
	operatorStr, err := k.addressCodec.BytesToString(operator)
	if err != nil {
		return nil, err
	}
	pk, err := types.ConsPubKey(msg.ConsensusPubkey)
	if err != nil {
		return nil, err
	}
	if err := types.ValidatePower(msg.Power, false); err != nil {
		return nil, err
	}
	if err := types.ValidateDescription(msg.Moniker, msg.Region, msg.Endpoints, msg.EthAddress); err != nil {
		return nil, err
	}
	if has, err := k.Nodes.Has(ctx, operator); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrNodeExists, "%s", msg.Operator)
	}
	consAddr := pk.Address()
	if banned, err := k.BannedConsAddrs.Has(ctx, consAddr); err != nil {
		return nil, err
	} else if banned {
		return nil, errorsmod.Wrapf(types.ErrConsKeyBanned, "%s", consAddrHex(consAddr))
	}
	if owner, err := k.Nodes.Indexes.ConsAddr.MatchExact(ctx, consAddr); err == nil {
		return nil, errorsmod.Wrapf(types.ErrConsKeyInUse, "%s", owner)
	} else if !errorsIsNotFound(err) {
		return nil, err
	}
	ethAddr, ethRaw, err := k.claimEthAddress(ctx, operator, msg.EthAddress)
	if err != nil {
		return nil, err
	}
	if err := k.trackPowerChange(ctx, consAddr, 0, msg.Power, true); err != nil {
		return nil, err
	}
	if err := k.setEthSigner(ctx, operator, "", ethRaw); err != nil {
		return nil, err
	}
	// An operator is never also a committer: x/stream resolves a sender to
	// one node, and the gate's notion of who is who must stay unambiguous.
	// If some node named this account its committer, the authority's
	// decision wins and that node loses it: naming needs no consent, so an
	// operator could otherwise block a registration the authority plans.
	if err := k.freeCommitter(ctx, operator); err != nil {
		return nil, err
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	node := types.EdgeNode{
		Operator:        operatorStr,
		ConsensusPubkey: msg.ConsensusPubkey,
		Power:           msg.Power,
		Moniker:         msg.Moniker,
		Region:          msg.Region,
		Capacity:        msg.Capacity,
		Endpoints:       msg.Endpoints,
		EthAddress:      ethAddr,
		Status:          types.NODE_STATUS_ACTIVE,
		JoinedHeight:    sdkCtx.BlockHeight(),
	}
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	return &types.MsgRegisterNodeResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeRegistered{
		Operator: operatorStr, ConsensusAddress: consAddrHex(consAddr), Power: msg.Power,
	})
}

func (k msgServer) RemoveNode(ctx context.Context, msg *types.MsgRemoveNode) (*types.MsgRemoveNodeResponse, error) {
	if err := k.requireAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	node, err := k.GetNode(ctx, operator)
	if err != nil {
		return nil, err
	}
	pk, err := node.ConsPubKey()
	if err != nil {
		return nil, err
	}
	if err := k.trackPowerChange(ctx, pk.Address(), effectivePower(node), 0, true); err != nil {
		return nil, err
	}
	// A jailed node's power is already out of CometBFT's set, but mark it
	// dirty anyway so EndBlock reconciles against what CometBFT has.
	if err := k.Dirty.Set(ctx, pk.Address()); err != nil {
		return nil, err
	}
	if err := k.removeCommitterOf(ctx, node); err != nil {
		return nil, err
	}
	if err := k.removeEthSigner(ctx, operator, node.EthAddress); err != nil {
		return nil, err
	}
	if err := k.Nodes.Remove(ctx, operator); err != nil {
		return nil, err
	}
	return &types.MsgRemoveNodeResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventNodeRemoved{
		Operator: node.Operator, ConsensusAddress: consAddrHex(pk.Address()),
	})
}

func (k msgServer) SetPower(ctx context.Context, msg *types.MsgSetPower) (*types.MsgSetPowerResponse, error) {
	if err := k.requireAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	if err := types.ValidatePower(msg.Power, true); err != nil {
		return nil, err
	}
	node, err := k.GetNode(ctx, operator)
	if err != nil {
		return nil, err
	}
	if node.Status == types.NODE_STATUS_JAILED {
		return nil, errorsmod.Wrapf(types.ErrNodeJailed, "%s; remove it and register a new consensus key", msg.Operator)
	}
	pk, err := node.ConsPubKey()
	if err != nil {
		return nil, err
	}
	if err := k.trackPowerChange(ctx, pk.Address(), node.Power, msg.Power, true); err != nil {
		return nil, err
	}
	old := node.Power
	node.Power = msg.Power
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	return &types.MsgSetPowerResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPowerChanged{
		Operator: node.Operator, OldPower: old, NewPower: msg.Power,
	})
}

func (k msgServer) UpdateNode(ctx context.Context, msg *types.MsgUpdateNode) (*types.MsgUpdateNodeResponse, error) {
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateDescription(msg.Moniker, msg.Region, msg.Endpoints, msg.EthAddress); err != nil {
		return nil, err
	}
	node, err := k.GetNode(ctx, operator)
	if err != nil {
		return nil, err
	}
	ethAddr, ethRaw, err := k.claimEthAddress(ctx, operator, msg.EthAddress)
	if err != nil {
		return nil, err
	}
	if err := k.setEthSigner(ctx, operator, node.EthAddress, ethRaw); err != nil {
		return nil, err
	}
	node.Moniker = msg.Moniker
	node.Region = msg.Region
	node.Capacity = msg.Capacity
	node.Endpoints = msg.Endpoints
	node.EthAddress = ethAddr
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	return &types.MsgUpdateNodeResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventNodeUpdated{
		Operator: node.Operator,
	})
}

// Heartbeat records a node's load, sent by its operator or (every few
// blocks, from its data plane) its committer.
func (k msgServer) Heartbeat(ctx context.Context, msg *types.MsgHeartbeat) (*types.MsgHeartbeatResponse, error) {
	sender, err := k.addressCodec.StringToBytes(msg.Sender)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "sender %q: %v", msg.Sender, err)
	}
	operator, node, found, err := k.NodeOfSender(ctx, sender)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errorsmod.Wrapf(types.ErrNodeNotFound, "%s is neither an edge node operator nor a node's committer", msg.Sender)
	}
	if msg.Node != "" {
		want, err := k.operatorAddr(msg.Node)
		if err != nil {
			return nil, err
		}
		if !want.Equals(operator) {
			return nil, errorsmod.Wrapf(types.ErrWrongNode, "%s speaks for node %s, not %s", msg.Sender, node.Operator, msg.Node)
		}
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	node.LastLoad = msg.Load
	node.LastHeartbeatHeight = sdkCtx.BlockHeight()
	if node.Status == types.NODE_STATUS_STALE {
		node.Status = types.NODE_STATUS_ACTIVE
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeStatusChanged{
			Operator: node.Operator, OldStatus: types.NODE_STATUS_STALE, NewStatus: types.NODE_STATUS_ACTIVE,
		}); err != nil {
			return nil, err
		}
	}
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	return &types.MsgHeartbeatResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventHeartbeat{
		Operator: node.Operator, Load: msg.Load,
	})
}

func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := k.requireAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	// In force from the end of this block (EndBlocker): the block's power
	// changes are all judged under the params it started with.
	if err := k.PendingParams.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{
		Params: msg.Params,
	})
}

func (k msgServer) UpdateAuthority(ctx context.Context, msg *types.MsgUpdateAuthority) (*types.MsgUpdateAuthorityResponse, error) {
	if err := k.requireAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	newAuth, err := k.addressCodec.StringToBytes(msg.NewAuthority)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "new authority %q: %v", msg.NewAuthority, err)
	}
	// Canonical (lower-case) bech32: the SDK modules compare the
	// consensus-params authority with their messages' authority as
	// strings, so an upper-case spelling stored there would refuse every
	// canonically spelled authority message.
	newAuthStr, err := k.addressCodec.BytesToString(newAuth)
	if err != nil {
		return nil, err
	}
	oldAuthStr := msg.Authority
	if old, err := k.Authority.Get(ctx); err == nil {
		if oldAuthStr, err = k.addressCodec.BytesToString(old); err != nil {
			return nil, err
		}
	}
	if err := k.Authority.Set(ctx, newAuth); err != nil {
		return nil, err
	}
	if err := k.syncConsensusAuthority(ctx, newAuthStr); err != nil {
		return nil, err
	}
	return &types.MsgUpdateAuthorityResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventAuthorityChanged{
		OldAuthority: oldAuthStr, NewAuthority: newAuthStr,
	})
}
