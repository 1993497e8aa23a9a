// Package pagebound bounds the pagination of list queries. A node serves
// them to anyone, and other modules may call them, so one request must read
// a bounded number of rows: the page size is defaulted and capped, and an
// offset (which walks every row it skips) is capped too; pagination.key
// pages any distance at the cost of one page.
package pagebound

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"
)

const (
	// DefaultLimit is the page size when the request gives none (the SDK's).
	DefaultLimit = query.DefaultLimit
	// MaxLimit caps pagination.limit.
	MaxLimit = 1000
	// MaxOffset caps pagination.offset; deeper pages use pagination.key.
	MaxOffset = 10_000
)

// Bound copies req with the limit defaulted and capped; an offset past
// MaxOffset is refused (InvalidArgument). A request without a limit keeps
// the SDK's meaning — it asks for the total — by setting count_total, which
// the SDK counts from keys (index entries for secondary indexes).
func Bound(req *query.PageRequest) (*query.PageRequest, error) {
	var page query.PageRequest
	if req != nil {
		page = *req
	}
	if page.Offset > MaxOffset {
		return nil, status.Errorf(codes.InvalidArgument, "pagination.offset %d exceeds %d: page with pagination.key instead", page.Offset, MaxOffset)
	}
	switch {
	case page.Limit == 0:
		page.Limit = DefaultLimit
		page.CountTotal = page.CountTotal || len(page.Key) == 0
	case page.Limit > MaxLimit:
		page.Limit = MaxLimit
	}
	return &page, nil
}

// WantsTotal is when the SDK's paginators report a total: count_total set,
// or no limit given (which includes no pagination at all).
func WantsTotal(req *query.PageRequest) bool {
	return req == nil || req.CountTotal || req.Limit == 0
}
