package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/trustedge/trustedge/x/device/types"
)

// InitGenesis writes the devices and their key history. Home nodes are not
// required to still be edge nodes: a node can be removed while devices
// point at it, and its devices are moved afterwards.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(k.addressCodec); err != nil {
		return err
	}
	for _, d := range gs.Devices {
		r, err := d.ToRecord(k.addressCodec)
		if err != nil {
			return err
		}
		if err := k.Devices.Set(ctx, d.Id, r); err != nil {
			return err
		}
	}
	for _, h := range gs.KeyHistory {
		if err := k.KeyHistory.Set(ctx, collections.Join(h.DeviceId, h.Version), h.Record); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis reads the state back, devices by id and history by
// (id, version). The indexes are derived from the devices on import.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := types.DefaultGenesis()
	err := k.Devices.Walk(ctx, nil, func(id string, r types.DeviceRecord) (bool, error) {
		d, err := r.ToDevice(k.addressCodec, id)
		if err != nil {
			return true, err
		}
		gs.Devices = append(gs.Devices, d)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	err = k.KeyHistory.Walk(ctx, nil, func(key collections.Pair[string, uint64], r types.KeyRecord) (bool, error) {
		gs.KeyHistory = append(gs.KeyHistory, types.KeyHistoryEntry{DeviceId: key.K1(), Version: key.K2(), Record: r})
		return false, nil
	})
	return gs, err
}
