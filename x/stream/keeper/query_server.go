package keeper

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	"github.com/trustedge/trustedge/x/stream/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/stream Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) Stream(ctx context.Context, req *types.QueryStreamRequest) (*types.QueryStreamResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateStreamID(req.StreamId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	s, err := q.k.GetStream(ctx, req.StreamId)
	if errors.Is(err, types.ErrStreamNotFound) {
		return nil, status.Errorf(codes.NotFound, "stream %q not found", req.StreamId)
	} else if err != nil {
		return nil, err
	}
	return &types.QueryStreamResponse{Stream: s}, nil
}

func (q queryServer) Streams(ctx context.Context, req *types.QueryStreamsRequest) (*types.QueryStreamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	page, err := boundedPage(req.Pagination)
	if err != nil {
		return nil, err
	}
	var streams []types.Stream
	var res *query.PageResponse
	if page.Reverse && len(page.Key) > 0 {
		streams, res, err = q.streamsDownFrom(ctx, page)
	} else {
		streams, res, err = query.CollectionPaginate(ctx, q.k.Streams, page,
			func(_ string, s types.Stream) (types.Stream, error) { return s, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if pagebound.WantsTotal(req.Pagination) {
		if res.Total, err = q.k.StreamCount.Get(ctx); err != nil && !errors.Is(err, collections.ErrNotFound) {
			return nil, err
		}
	}
	return &types.QueryStreamsResponse{Streams: streams, Pagination: res}, nil
}

func (q queryServer) Epoch(ctx context.Context, req *types.QueryEpochRequest) (*types.QueryEpochResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	node, err := q.node(req.Node)
	if err != nil {
		return nil, err
	}
	c, found, err := q.k.GetEpochCommit(ctx, node, req.Epoch)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, status.Errorf(codes.NotFound, "no commitment for node %s epoch %d", req.Node, req.Epoch)
	}
	return &types.QueryEpochResponse{Commit: c}, nil
}

// Epochs lists a node's commitments newest first: the latest epochs are
// what clients look for. pagination.reverse asks for oldest first.
func (q queryServer) Epochs(ctx context.Context, req *types.QueryEpochsRequest) (*types.QueryEpochsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	node, err := q.node(req.Node)
	if err != nil {
		return nil, err
	}
	page, err := boundedPage(req.Pagination)
	if err != nil {
		return nil, err
	}
	page.Reverse = !page.Reverse
	nodeStr := q.k.addrString(node)
	commits, res, err := query.CollectionPaginate(ctx, q.k.EpochCommits, page,
		func(_ collections.Pair[sdk.AccAddress, uint64], c types.EpochCommit) (types.EpochCommit, error) {
			c.Node = nodeStr
			return c, nil
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](node))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	// A node's epochs are 1..last, so the total is its last epoch.
	if pagebound.WantsTotal(req.Pagination) {
		if res.Total, err = q.k.GetLastEpoch(ctx, node); err != nil {
			return nil, err
		}
	}
	return &types.QueryEpochsResponse{Commits: commits, Pagination: res}, nil
}

// LatestEpochs returns each node's latest commitment, by node address. It
// reads one entry per node that ever committed: O(edge nodes).
func (q queryServer) LatestEpochs(ctx context.Context, req *types.QueryLatestEpochsRequest) (*types.QueryLatestEpochsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	commits := []types.EpochCommit{}
	err := q.k.LastEpoch.Walk(ctx, nil, func(node sdk.AccAddress, epoch uint64) (bool, error) {
		c, found, err := q.k.GetEpochCommit(ctx, node, epoch)
		if err != nil {
			return true, err
		}
		if !found {
			return true, fmt.Errorf("node %s: last epoch %d has no commitment", q.k.addrString(node), epoch)
		}
		commits = append(commits, c)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return &types.QueryLatestEpochsResponse{Commits: commits}, nil
}

// Verify answers valid=false with a reason rather than an error for every
// verification failure (unknown node or epoch included), so a client needs
// one code path. A valid answer carries the commitment it was checked
// against: its height is where the reading became tamper-evident.
func (q queryServer) Verify(ctx context.Context, req *types.QueryVerifyRequest) (*types.QueryVerifyResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	p := req.Proof
	node, err := q.k.addressCodec.StringToBytes(p.Node)
	if err != nil {
		return &types.QueryVerifyResponse{Reason: fmt.Sprintf("node %q: %v", p.Node, err)}, nil
	}
	// Only the stream's home node commits its readings: a root another
	// operator committed proves nothing about this stream.
	st, err := q.k.Streams.Get(ctx, p.StreamId)
	if err != nil {
		if errors.Is(err, collections.ErrNotFound) {
			return &types.QueryVerifyResponse{Reason: fmt.Sprintf("stream %q is not registered", p.StreamId)}, nil
		}
		return nil, err
	}
	home, err := q.k.addressCodec.StringToBytes(st.HomeNode)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(home, node) {
		return &types.QueryVerifyResponse{Reason: fmt.Sprintf("proof is from node %s, but stream %q is homed on %s", p.Node, p.StreamId, st.HomeNode)}, nil
	}
	c, found, err := q.k.GetEpochCommit(ctx, node, p.Epoch)
	if err != nil {
		return nil, err
	}
	if !found {
		return &types.QueryVerifyResponse{Reason: fmt.Sprintf("no commitment for node %s epoch %d", p.Node, p.Epoch)}, nil
	}
	// An epoch closed before the stream existed cannot hold its readings:
	// the gateway takes only streams already on chain. (The chain never
	// sees an epoch's contents, so a node could otherwise pre-commit
	// readings for a stream id someone registers later.) Compared in
	// epochs, not heights: a zero-height export restarts the heights.
	if p.Epoch <= st.CreatedAfterEpoch {
		return &types.QueryVerifyResponse{Reason: fmt.Sprintf("epoch %d of node %s was closed before stream %q was created (after its epoch %d)",
			p.Epoch, p.Node, p.StreamId, st.CreatedAfterEpoch), Commit: c}, nil
	}
	// A closed stream takes no readings: only the epoch in flight at the
	// close and the node's backlog (CloseGraceEpochs) can still hold some.
	// (Subtracted, not added: closed_after_epoch + grace could wrap.)
	if st.Status == types.STREAM_STATUS_CLOSED && p.Epoch > st.ClosedAfterEpoch && p.Epoch-st.ClosedAfterEpoch > types.CloseGraceEpochs {
		return &types.QueryVerifyResponse{Reason: fmt.Sprintf("stream %q was closed after epoch %d of node %s; epoch %d is past the %d-epoch grace for its backlog",
			p.StreamId, st.ClosedAfterEpoch, p.Node, p.Epoch, types.CloseGraceEpochs), Commit: c}, nil
	}
	if err := p.ToProof().Verify(c.Root, uint64(c.StreamCount)); err != nil {
		return &types.QueryVerifyResponse{Reason: err.Error(), Commit: c}, nil
	}
	return &types.QueryVerifyResponse{Valid: true, Commit: c}, nil
}

func (q queryServer) Reading(ctx context.Context, req *types.QueryReadingRequest) (*types.QueryReadingResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateStreamID(req.StreamId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	r, err := q.k.GetReading(ctx, req.StreamId, req.Seq)
	if errors.Is(err, types.ErrReadingNotFound) {
		return nil, status.Errorf(codes.NotFound, "stream %q has no reading %d on chain", req.StreamId, req.Seq)
	} else if err != nil {
		return nil, err
	}
	return &types.QueryReadingResponse{Reading: r}, nil
}

// node decodes a node address argument.
func (q queryServer) node(addr string) (sdk.AccAddress, error) {
	bz, err := q.k.addressCodec.StringToBytes(addr)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "node %q: %v", addr, err)
	}
	return bz, nil
}

// streamsDownFrom pages streams backwards from page.Key (inclusive). The
// SDK's reverse paging by key starts below the key's prefix end, which
// takes in every id the key is a prefix of ("a" then "a3", "a2", "a1"):
// with ids like "temp" and "temp-001" a client would get the same page and
// next key forever. Stream ids are the raw key bytes.
func (q queryServer) streamsDownFrom(ctx context.Context, page *query.PageRequest) ([]types.Stream, *query.PageResponse, error) {
	if page.Offset > 0 {
		return nil, nil, errors.New("paginate: invalid request, either offset or key is expected, got both")
	}
	it, err := q.k.Streams.Iterate(ctx, new(collections.Range[string]).EndInclusive(string(page.Key)).Descending())
	if err != nil {
		return nil, nil, err
	}
	defer it.Close()
	var out []types.Stream
	res := &query.PageResponse{}
	for ; it.Valid(); it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			return nil, nil, err
		}
		if uint64(len(out)) == page.Limit {
			res.NextKey = []byte(kv.Key)
			break
		}
		out = append(out, kv.Value)
	}
	return out, res, nil
}
