package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	"github.com/trustedge/trustedge/x/device/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/device Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) Device(ctx context.Context, req *types.QueryDeviceRequest) (*types.QueryDeviceResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateDeviceID(req.DeviceId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	d, err := q.k.GetDevice(ctx, req.DeviceId)
	if errors.Is(err, types.ErrDeviceNotFound) {
		return nil, status.Errorf(codes.NotFound, "device %q not found", req.DeviceId)
	} else if err != nil {
		return nil, err
	}
	return &types.QueryDeviceResponse{Device: d}, nil
}

func (q queryServer) DevicesByOwner(ctx context.Context, req *types.QueryDevicesByOwnerRequest) (*types.QueryDevicesByOwnerResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	owner, err := q.k.addressCodec.StringToBytes(req.Owner)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "owner %q: %v", req.Owner, err)
	}
	devices, page, err := q.byIndex(ctx, q.k.Devices.Indexes.Owner, owner, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &types.QueryDevicesByOwnerResponse{Devices: devices, Pagination: page}, nil
}

func (q queryServer) DevicesByNode(ctx context.Context, req *types.QueryDevicesByNodeRequest) (*types.QueryDevicesByNodeResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	node, err := q.k.addressCodec.StringToBytes(req.HomeNode)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "home node %q: %v", req.HomeNode, err)
	}
	devices, page, err := q.byIndex(ctx, q.k.Devices.Indexes.Node, node, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &types.QueryDevicesByNodeResponse{Devices: devices, Pagination: page}, nil
}

// byIndex pages through the index entries under addr and loads each device.
// Only the page's devices are read, whatever the index size.
func (q queryServer) byIndex(
	ctx context.Context, idx *indexes.Multi[sdk.AccAddress, string, types.DeviceRecord], addr sdk.AccAddress, pageReq *query.PageRequest,
) ([]types.Device, *query.PageResponse, error) {
	bounded, err := pagebound.Bound(pageReq)
	if err != nil {
		return nil, nil, err
	}
	devices, page, err := query.CollectionPaginate(ctx, idx, bounded,
		func(key collections.Pair[sdk.AccAddress, string], _ collections.NoValue) (types.Device, error) {
			return q.k.GetDevice(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, string](addr))
	if err != nil {
		return nil, nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return devices, page, nil
}

func (q queryServer) KeyHistory(ctx context.Context, req *types.QueryKeyHistoryRequest) (*types.QueryKeyHistoryResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateDeviceID(req.DeviceId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	bounded, err := pagebound.Bound(req.Pagination)
	if err != nil {
		return nil, err
	}
	entries, page, err := query.CollectionPaginate(ctx, q.k.KeyHistory, bounded,
		func(key collections.Pair[string, uint64], r types.KeyRecord) (types.KeyHistoryEntry, error) {
			return types.KeyHistoryEntry{DeviceId: key.K1(), Version: key.K2(), Record: r}, nil
		},
		query.WithCollectionPaginationPairPrefix[string, uint64](req.DeviceId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryKeyHistoryResponse{Entries: entries, Pagination: page}, nil
}

// Verify answers with valid=false and a reason rather than an error for
// every verification failure, so a client needs one code path.
func (q queryServer) Verify(ctx context.Context, req *types.QueryVerifyRequest) (*types.QueryVerifyResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	version, err := q.k.VerifySignature(ctx, req.DeviceId, req.Message, req.Signature, req.AtHeight)
	if err != nil {
		return &types.QueryVerifyResponse{Valid: false, KeyVersion: version, Reason: err.Error()}, nil
	}
	return &types.QueryVerifyResponse{Valid: true, KeyVersion: version}, nil
}
