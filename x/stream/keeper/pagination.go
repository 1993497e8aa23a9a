package keeper

import (
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
)

// List queries page through internal/pagebound, so one request costs a
// bounded number of reads whatever the state size; totals come from the
// keeper's stored counts instead of a walk.

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
