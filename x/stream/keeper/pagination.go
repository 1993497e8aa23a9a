package keeper

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"
)

// Page bounds for the list queries. A node serves them to anyone and other
// modules may call them (module_query_safe), so one request must cost a
// bounded number of reads whatever the state size: no walk to count the
// total (the keeper keeps counts instead) and no offset deep into a table
// (pagination.key pages any distance at the same cost).
const (
	// DefaultPageLimit is the page size when the request gives none (the
	// SDK's default).
	DefaultPageLimit = query.DefaultLimit
	// MaxPageLimit caps pagination.limit.
	MaxPageLimit = 1000
	// MaxPageOffset caps pagination.offset.
	MaxPageOffset = 10_000
)

// boundedPage copies req with the limit defaulted and capped and
// count_total cleared (callers fill the total from a stored count). An
// offset past MaxPageOffset is refused: it would walk that many rows.
func boundedPage(req *query.PageRequest) (*query.PageRequest, error) {
	var page query.PageRequest
	if req != nil {
		page = *req
	}
	if page.Offset > MaxPageOffset {
		return nil, status.Errorf(codes.InvalidArgument, "pagination.offset %d exceeds %d: page with pagination.key instead", page.Offset, MaxPageOffset)
	}
	switch {
	case page.Limit == 0:
		page.Limit = DefaultPageLimit
	case page.Limit > MaxPageLimit:
		page.Limit = MaxPageLimit
	}
	page.CountTotal = false
	return &page, nil
}

// wantsTotal is when the SDK's paginators report a total: count_total set,
// or no limit given (which includes no pagination at all). Here it is a
// stored count, one read.
func wantsTotal(req *query.PageRequest) bool {
	return req == nil || req.CountTotal || req.Limit == 0
}
