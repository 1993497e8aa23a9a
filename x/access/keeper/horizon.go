package keeper

import (
	"context"
	"math"
	"time"

	"github.com/trustedge/trustedge/x/access/types"
)

// A subject's grant horizon is the latest instant at which one of its
// grants is still live: the largest expiry among its grants, or
// horizonNever if one of them has none. "The subject holds a live grant at
// t" is then "t < horizon", one point read, which the ante gate asks for
// every signer of every tx (it used to walk the subject's grant index).
// setGrant raises it; removeGrant (revoke, expiry pruning) recomputes it
// from the remaining grants, which MaxGrantsPerSubject bounds. It is
// derived state: InitGenesis rebuilds it through setGrant and genesis
// export leaves it out.
const horizonNever = int64(math.MaxInt64)

// horizonOf is when g stops being live, in unix nanoseconds. Expiries
// beyond what int64 nanoseconds hold (after 2262) count as never; before
// 1678 as already past.
func horizonOf(g types.Grant) int64 {
	if g.ExpiresAt == nil {
		return horizonNever
	}
	t := *g.ExpiresAt
	switch {
	case !t.Before(time.Unix(0, math.MaxInt64)):
		return horizonNever
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	}
	return t.UnixNano()
}

// raiseHorizon makes g's subject's horizon at least g's.
func (k Keeper) raiseHorizon(ctx context.Context, g types.Grant) error {
	h := horizonOf(g)
	cur, err := k.GrantHorizons.Get(ctx, g.Subject)
	switch {
	case isNotFound(err):
	case err != nil:
		return err
	case cur >= h:
		return nil
	}
	return k.GrantHorizons.Set(ctx, g.Subject, h)
}

// recomputeHorizon sets subject's horizon from its grants, or deletes it
// when none are left.
func (k Keeper) recomputeHorizon(ctx context.Context, subject string) error {
	found, h := false, int64(math.MinInt64)
	err := k.walkSubjectGrantsUntil(ctx, subject, func(g types.Grant) bool {
		found = true
		h = max(h, horizonOf(g))
		return h == horizonNever
	})
	if err != nil {
		return err
	}
	if !found {
		return k.GrantHorizons.Remove(ctx, subject)
	}
	return k.GrantHorizons.Set(ctx, subject, h)
}

// liveAt reports whether subject holds a grant that is live at now.
func (k Keeper) liveAt(ctx context.Context, subject string, now time.Time) (bool, error) {
	h, err := k.GrantHorizons.Get(ctx, subject)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return now.UnixNano() < h, nil
}

// RebuildGrantHorizons recomputes every subject's horizon from the grants:
// the 1 -> 2 store migration (state written before horizons existed).
func (k Keeper) RebuildGrantHorizons(ctx context.Context) error {
	if err := k.GrantHorizons.Clear(ctx, nil); err != nil {
		return err
	}
	return k.Grants.Walk(ctx, nil, func(_ uint64, g types.Grant) (bool, error) {
		return false, k.raiseHorizon(ctx, g)
	})
}
