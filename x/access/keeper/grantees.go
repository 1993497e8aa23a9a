package keeper

import (
	"context"
	"encoding/binary"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	"github.com/trustedge/trustedge/x/access/types"
)

// granteesKeyLen is a page key: the index of the pattern in
// PatternsMatching(resource) (uint16) and the grant id (uint64), both big
// endian: where the next page starts.
const granteesKeyLen = 2 + 8

// Grantees lists grants whose pattern covers the resource: the resource
// itself and every prefix wildcard of it, most specific pattern first, ids
// ascending within one (reverse gives the exact opposite order). It reads the
// resource index once per candidate pattern instead of scanning every grant.
// It pages by offset or by the next_key it returns; the total is counted,
// from index keys alone, when the SDK would give one (count_total, or no
// limit) and the request has no key.
func (q queryServer) Grantees(ctx context.Context, req *types.QueryGranteesRequest) (*types.QueryGranteesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateResource(req.Resource); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	page, err := pagebound.Bound(req.Pagination)
	if err != nil {
		return nil, err
	}
	if len(page.Key) > 0 && page.Offset > 0 {
		return nil, status.Error(codes.InvalidArgument, "pagination: give offset or key, not both")
	}
	wantTotal := pagebound.WantsTotal(req.Pagination) && len(page.Key) == 0

	patterns := types.PatternsMatching(req.Resource)
	first, firstID, err := decodeGranteesKey(page.Key, len(patterns), page.Reverse)
	if err != nil {
		return nil, err
	}
	w := granteesWalk{q: q, ctx: ctx, skip: page.Offset, limit: page.Limit, counting: wantTotal}
	for i := range patterns {
		pi := i
		if page.Reverse {
			pi = len(patterns) - 1 - i
		}
		if beforeStart(pi, first, page.Reverse) {
			continue
		}
		r := collections.NewPrefixedPairRange[string, uint64](patterns[pi])
		if len(page.Key) > 0 && pi == first {
			if page.Reverse {
				r = r.EndInclusive(firstID)
			} else {
				r = r.StartInclusive(firstID)
			}
		}
		if page.Reverse {
			r = r.Descending()
		}
		done, err := w.pattern(pi, r)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	resp := &types.QueryGranteesResponse{Grants: w.out, Pagination: &query.PageResponse{NextKey: w.next}}
	if wantTotal {
		resp.Pagination.Total = w.total
	}
	return resp, nil
}

// granteesWalk collects one page across the patterns' index ranges.
type granteesWalk struct {
	q        queryServer
	ctx      context.Context
	skip     uint64 // offset entries still to pass over
	limit    uint64
	counting bool // walk on past the page to count the total
	out      []types.Grant
	next     []byte
	total    uint64
}

// pattern walks one pattern's index range; done means the page is full and
// nothing more needs to be read.
func (w *granteesWalk) pattern(pi int, r collections.Ranger[collections.Pair[string, uint64]]) (done bool, err error) {
	it, err := w.q.k.Grants.Indexes.ByResource.Iterate(w.ctx, r)
	if err != nil {
		return false, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		id, err := it.PrimaryKey()
		if err != nil {
			return false, err
		}
		w.total++
		switch {
		case w.skip > 0:
			w.skip--
		case uint64(len(w.out)) < w.limit:
			g, err := w.q.k.Grants.Get(w.ctx, id)
			if err != nil {
				return false, err
			}
			w.out = append(w.out, g)
		case w.next == nil:
			w.next = encodeGranteesKey(pi, id)
			if !w.counting {
				return true, nil
			}
		}
	}
	return false, nil
}

// beforeStart reports whether pattern pi comes before the page key's pattern
// in walk order.
func beforeStart(pi, first int, reverse bool) bool {
	if reverse {
		return pi > first
	}
	return pi < first
}

func encodeGranteesKey(pi int, id uint64) []byte {
	k := make([]byte, granteesKeyLen)
	binary.BigEndian.PutUint16(k, uint16(pi))
	binary.BigEndian.PutUint64(k[2:], id)
	return k
}

// decodeGranteesKey returns where the page starts: no key starts at the first
// pattern in walk order.
func decodeGranteesKey(key []byte, patterns int, reverse bool) (int, uint64, error) {
	if len(key) == 0 {
		if reverse {
			return patterns - 1, 0, nil
		}
		return 0, 0, nil
	}
	if len(key) != granteesKeyLen {
		return 0, 0, status.Errorf(codes.InvalidArgument, "pagination.key: want the %d-byte next_key of a grantees page, got %d bytes", granteesKeyLen, len(key))
	}
	pi := int(binary.BigEndian.Uint16(key))
	if pi >= patterns {
		return 0, 0, status.Error(codes.InvalidArgument, "pagination.key is not from a grantees page of this resource")
	}
	return pi, binary.BigEndian.Uint64(key[2:]), nil
}
