package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	"github.com/trustedge/trustedge/x/access/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/access Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) Check(ctx context.Context, req *types.QueryCheckRequest) (*types.QueryCheckResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	d, err := q.k.Check(ctx, req.Subject, req.Action, req.Resource)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryCheckResponse{Decision: d}, nil
}

func (q queryServer) Grants(ctx context.Context, req *types.QueryGrantsRequest) (*types.QueryGrantsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	subject, err := types.NormalizeSubject(q.k.addressCodec, req.Subject)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	bounded, err := pagebound.Bound(req.Pagination)
	if err != nil {
		return nil, err
	}
	grants, page, err := query.CollectionPaginate(ctx, q.k.Grants.Indexes.BySubject, bounded,
		func(key collections.Pair[string, uint64], _ collections.NoValue) (types.Grant, error) {
			return q.k.Grants.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[string, uint64](subject))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryGrantsResponse{Grants: grants, Pagination: page}, nil
}

func (q queryServer) Grant(ctx context.Context, req *types.QueryGrantRequest) (*types.QueryGrantResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	g, err := q.k.Grants.Get(ctx, req.Id)
	if isNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "grant %d not found", req.Id)
	} else if err != nil {
		return nil, err
	}
	return &types.QueryGrantResponse{Grant: g}, nil
}

func (q queryServer) Roles(ctx context.Context, req *types.QueryRolesRequest) (*types.QueryRolesResponse, error) {
	if req == nil {
		req = &types.QueryRolesRequest{}
	}
	bounded, err := pagebound.Bound(req.Pagination)
	if err != nil {
		return nil, err
	}
	roles, page, err := query.CollectionPaginate(ctx, q.k.Roles, bounded,
		func(_ string, r types.Role) (types.Role, error) { return r, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryRolesResponse{Roles: roles, Pagination: page}, nil
}

func (q queryServer) RoleMembers(ctx context.Context, req *types.QueryRoleMembersRequest) (*types.QueryRoleMembersResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	bounded, err := pagebound.Bound(req.Pagination)
	if err != nil {
		return nil, err
	}
	members, page, err := query.CollectionPaginate(ctx, q.k.RoleMembers, bounded,
		func(key collections.Pair[string, string], _ collections.NoValue) (string, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[string, string](req.Role))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryRoleMembersResponse{Members: members, Pagination: page}, nil
}

func (q queryServer) NamespaceAdmins(ctx context.Context, _ *types.QueryNamespaceAdminsRequest) (*types.QueryNamespaceAdminsResponse, error) {
	resp := &types.QueryNamespaceAdminsResponse{}
	err := q.k.NamespaceAdmins.Walk(ctx, nil, func(key collections.Pair[string, sdk.AccAddress]) (bool, error) {
		admin, err := q.k.addressCodec.BytesToString(key.K2())
		if err != nil {
			return true, err
		}
		resp.Admins = append(resp.Admins, types.NamespaceAdmin{Namespace: key.K1(), Admin: admin})
		return false, nil
	})
	return resp, err
}
