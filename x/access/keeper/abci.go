package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/types"
)

// EndBlocker deletes grants that have expired, oldest first, at most
// MaxExpiredPrunedPerBlock per block. Check already ignores expired grants,
// so pruning late changes no decision; it only keeps state small.
func (k Keeper) EndBlocker(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	now := sdkCtx.BlockTime()
	var due []collections.Pair[time.Time, uint64]
	rng := new(collections.Range[collections.Pair[time.Time, uint64]]).
		EndInclusive(collections.Join(now, uint64(1<<64-1)))
	err := k.ExpiryQueue.Walk(ctx, rng, func(key collections.Pair[time.Time, uint64]) (bool, error) {
		due = append(due, key)
		return len(due) >= types.MaxExpiredPrunedPerBlock, nil
	})
	if err != nil {
		return err
	}
	// Each subject's horizon is recomputed once, after its grants are gone,
	// in the order the subjects first appear (deterministic: the queue's).
	var subjects []string
	seen := map[string]bool{}
	for _, key := range due {
		g, err := k.Grants.Get(ctx, key.K2())
		if isNotFound(err) {
			// A queue entry without its grant must not halt the chain: drop it.
			if err := k.ExpiryQueue.Remove(ctx, key); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		if err := k.removeGrantEntries(ctx, g); err != nil {
			return err
		}
		if !seen[g.Subject] {
			seen[g.Subject] = true
			subjects = append(subjects, g.Subject)
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventGrantExpired{
			GrantId: g.Id, Subject: g.Subject, Resource: g.Resource,
		}); err != nil {
			return err
		}
	}
	for _, subject := range subjects {
		if err := k.recomputeHorizon(ctx, subject); err != nil {
			return err
		}
	}
	return nil
}
