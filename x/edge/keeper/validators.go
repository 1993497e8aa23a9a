package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"

	"github.com/trustedge/trustedge/x/edge/types"
)

// effectivePower is the power a node should have in CometBFT's set.
func effectivePower(n types.EdgeNode) int64 {
	if n.IsBonded() {
		return n.Power
	}
	return 0
}

// trackPowerChange records that the node with consAddr goes from oldPower to
// newPower (effective powers) in this block. It must run before the node is
// written. With enforceCap it rejects a change that would push this block's
// sum of |changes| past max_power_change_bps of the total at the block's
// first change, unless bootstrap_mode is on. It always refuses to leave the
// set without power: CometBFT halts on an empty validator set.
func (k Keeper) trackPowerChange(ctx context.Context, consAddr []byte, oldPower, newPower int64, enforceCap bool) error {
	if oldPower == newPower {
		return nil
	}
	total, err := k.TotalBondedPower(ctx)
	if err != nil {
		return err
	}
	if total-oldPower+newPower <= 0 {
		return errorsmod.Wrapf(types.ErrEmptyValidatorSet, "total power would drop from %d to 0", total)
	}

	base, changed := total, int64(0)
	acc, err := k.BlockPowerChange.Get(ctx)
	switch {
	case err == nil:
		base, changed = acc.K1(), acc.K2()
	case !errorsIsNotFound(err):
		return err
	}
	delta := newPower - oldPower
	if delta < 0 {
		delta = -delta
	}
	changed += delta

	if enforceCap {
		params, err := k.Params.Get(ctx)
		if err != nil {
			return err
		}
		// changed/base <= bps/10000, in integers: no floats in consensus code,
		// and big ints because base*10000 can pass int64.
		limit := sdkmath.NewInt(base).MulRaw(int64(params.MaxPowerChangeBps))
		if !params.BootstrapMode && sdkmath.NewInt(changed).MulRaw(10_000).GT(limit) {
			return errorsmod.Wrapf(types.ErrPowerChangeTooLarge, "this block would change %d of %d total power, cap is %d bps (%s); split it over several blocks or enable bootstrap_mode", changed, base, params.MaxPowerChangeBps, limit.QuoRaw(10_000))
		}
	}
	if err := k.BlockPowerChange.Set(ctx, collections.Join(base, changed)); err != nil {
		return err
	}
	return k.Dirty.Set(ctx, consAddr)
}

// ApplyValidatorUpdates turns this block's dirty nodes into CometBFT
// validator updates, comparing each with what CometBFT last applied, and
// resets the per-block accounting. Updates come out ordered by consensus
// address (Dirty is a sorted KeySet), so every validator emits the same list.
func (k Keeper) ApplyValidatorUpdates(ctx context.Context) ([]abci.ValidatorUpdate, error) {
	var dirty [][]byte
	if err := k.Dirty.Walk(ctx, nil, func(consAddr []byte) (bool, error) {
		dirty = append(dirty, consAddr)
		return false, nil
	}); err != nil {
		return nil, err
	}

	var updates []abci.ValidatorUpdate
	for _, consAddr := range dirty {
		update, changed, err := k.validatorUpdate(ctx, consAddr)
		if err != nil {
			return nil, err
		}
		if changed {
			updates = append(updates, update)
		}
	}
	if err := k.Dirty.Clear(ctx, nil); err != nil {
		return nil, err
	}
	if err := k.BlockPowerChange.Remove(ctx); err != nil {
		return nil, err
	}
	return updates, nil
}

// validatorUpdate computes the update for one consensus address and records
// it as applied.
func (k Keeper) validatorUpdate(ctx context.Context, consAddr []byte) (abci.ValidatorUpdate, bool, error) {
	last, err := k.Validators.Get(ctx, consAddr)
	if err != nil && !errorsIsNotFound(err) {
		return last, false, err
	}

	var want abci.ValidatorUpdate
	operator, err := k.Nodes.Indexes.ConsAddr.MatchExact(ctx, consAddr)
	switch {
	case err == nil:
		node, err := k.Nodes.Get(ctx, operator)
		if err != nil {
			return want, false, err
		}
		if want.Power = effectivePower(node); want.Power > 0 {
			pk, err := node.ConsPubKey()
			if err != nil {
				return want, false, err
			}
			if want.PubKey, err = cryptocodec.ToCmtProtoPublicKey(pk); err != nil {
				return want, false, err
			}
		}
	case !errorsIsNotFound(err):
		return want, false, err
	}

	if want.Power == last.Power {
		return want, false, nil
	}
	if want.Power == 0 {
		// Removal: CometBFT identifies the validator by the key it knows.
		return abci.ValidatorUpdate{PubKey: last.PubKey, Power: 0}, true, k.Validators.Remove(ctx, consAddr)
	}
	return want, true, k.Validators.Set(ctx, consAddr, want)
}
