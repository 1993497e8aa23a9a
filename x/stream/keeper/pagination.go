package keeper

import (
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
)

// Page bounds for the list queries (internal/pagebound): one request costs
// a bounded number of reads whatever the state size, and totals come from
// the keeper's stored counts instead of a walk.
const (
	DefaultPageLimit = pagebound.DefaultLimit
	MaxPageLimit     = pagebound.MaxLimit
	MaxPageOffset    = pagebound.MaxOffset
)

// boundedPage is pagebound.Bound with count_total cleared: callers fill the
// total from a stored count, one read.
func boundedPage(req *query.PageRequest) (*query.PageRequest, error) {
	page, err := pagebound.Bound(req)
	if err != nil {
		return nil, err
	}
	page.CountTotal = false
	return page, nil
}

// wantsTotal: the request asks for a total (pagebound.WantsTotal).
func wantsTotal(req *query.PageRequest) bool { return pagebound.WantsTotal(req) }
