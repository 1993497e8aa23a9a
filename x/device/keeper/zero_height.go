package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/trustedge/trustedge/x/device/types"
)

// ResetHeightsForZeroHeight prepares the store for an export that restarts
// the chain at height 1. Key validity is kept in heights of this chain
// (KeyAt compares them with the height asked about), so kept as they are,
// a retired key would verify again on the new chain until it passed the
// old rotation height, and a current key installed at old height H would
// not verify before new height H. Afterwards every device's current key is
// valid from height 0 and every retired key covers no height at all: the
// history still lists the retired keys and their versions (the audit
// trail), but none of them can sign for the device again.
func (k Keeper) ResetHeightsForZeroHeight(ctx context.Context) error {
	var ids []string
	var records []types.DeviceRecord
	if err := k.Devices.Walk(ctx, nil, func(id string, r types.DeviceRecord) (bool, error) {
		ids = append(ids, id)
		records = append(records, r)
		return false, nil
	}); err != nil {
		return err
	}
	for i, r := range records {
		r.RegisteredHeight, r.KeySinceHeight = 0, 0
		if err := k.Devices.Set(ctx, ids[i], r); err != nil {
			return err
		}
	}
	var keys []collections.Pair[string, uint64]
	var retired []types.KeyRecord
	if err := k.KeyHistory.Walk(ctx, nil, func(key collections.Pair[string, uint64], r types.KeyRecord) (bool, error) {
		keys = append(keys, key)
		retired = append(retired, r)
		return false, nil
	}); err != nil {
		return err
	}
	for i, r := range retired {
		r.ValidFromHeight, r.ValidUntilHeight = 0, 0
		if err := k.KeyHistory.Set(ctx, keys[i], r); err != nil {
			return err
		}
	}
	return nil
}
