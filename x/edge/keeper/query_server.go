package keeper

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	"github.com/trustedge/trustedge/x/edge/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/edge Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) Node(ctx context.Context, req *types.QueryNodeRequest) (*types.QueryNodeResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	operator, err := q.k.addressCodec.StringToBytes(req.Operator)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "operator %q: %v", req.Operator, err)
	}
	node, err := q.k.Nodes.Get(ctx, operator)
	if errorsIsNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "edge node %s not found", req.Operator)
	} else if err != nil {
		return nil, err
	}
	return &types.QueryNodeResponse{Node: node}, nil
}

func (q queryServer) Nodes(ctx context.Context, req *types.QueryNodesRequest) (*types.QueryNodesResponse, error) {
	if req == nil {
		req = &types.QueryNodesRequest{}
	}
	bounded, err := pagebound.Bound(req.Pagination)
	if err != nil {
		return nil, err
	}
	nodes, page, err := query.CollectionPaginate(ctx, q.k.Nodes, bounded,
		func(_ sdk.AccAddress, n types.EdgeNode) (types.EdgeNode, error) { return n, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryNodesResponse{Nodes: nodes, Pagination: page}, nil
}

func (q queryServer) ValidatorSet(ctx context.Context, _ *types.QueryValidatorSetRequest) (*types.QueryValidatorSetResponse, error) {
	resp := &types.QueryValidatorSetResponse{}
	err := q.k.Nodes.Walk(ctx, nil, func(_ sdk.AccAddress, n types.EdgeNode) (bool, error) {
		if !n.IsBonded() {
			return false, nil
		}
		pk, err := n.ConsPubKey()
		if err != nil {
			return true, fmt.Errorf("node %s: %w", n.Operator, err)
		}
		resp.Validators = append(resp.Validators, types.ValidatorInfo{
			Operator: n.Operator, Moniker: n.Moniker, ConsensusAddress: consAddrHex(pk.Address()), Power: n.Power,
		})
		resp.TotalPower += n.Power
		return false, nil
	})
	return resp, err
}

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) Authority(ctx context.Context, _ *types.QueryAuthorityRequest) (*types.QueryAuthorityResponse, error) {
	auth, err := q.k.Authority.Get(ctx)
	if err != nil {
		return nil, err
	}
	s, err := q.k.addressCodec.BytesToString(auth)
	if err != nil {
		return nil, err
	}
	return &types.QueryAuthorityResponse{Authority: s}, nil
}
