package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/stream/types"
)

// InitGenesis writes params, streams, commitments and readings, and
// rebuilds LastEpoch and LastReadingSeq from them. Devices and nodes named
// by streams are not required to still exist: a stream outlives its device
// and its node, and its commitments stay provable. StreamCount is derived.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(k.addressCodec); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, s := range gs.Streams {
		if err := k.Streams.Set(ctx, s.Id, s); err != nil {
			return err
		}
	}
	if err := k.StreamCount.Set(ctx, uint64(len(gs.Streams))); err != nil {
		return err
	}
	// Validate proved each node's epochs are 1..n, so the last epoch is the
	// count; it is written when that commitment comes by (slice order, not
	// map order: deterministic).
	counts := map[string]uint64{}
	for _, c := range gs.Commits {
		node, err := k.addressCodec.StringToBytes(c.Node)
		if err != nil {
			return err
		}
		counts[string(node)]++
	}
	for _, c := range gs.Commits {
		node, err := k.addressCodec.StringToBytes(c.Node)
		if err != nil {
			return err
		}
		stored := c
		stored.Node = ""
		if err := k.EpochCommits.Set(ctx, collections.Join(sdk.AccAddress(node), c.Epoch), stored); err != nil {
			return err
		}
		if c.Epoch == counts[string(node)] {
			if err := k.LastEpoch.Set(ctx, node, c.Epoch); err != nil {
				return err
			}
		}
	}
	seqs := map[string]uint64{}
	for _, r := range gs.Readings {
		seqs[r.StreamId]++
	}
	for _, r := range gs.Readings {
		stored := r
		stored.StreamId, stored.Seq = "", 0
		if err := k.Readings.Set(ctx, collections.Join(r.StreamId, r.Seq), stored); err != nil {
			return err
		}
		if r.Seq == seqs[r.StreamId] {
			if err := k.LastReadingSeq.Set(ctx, r.StreamId, r.Seq); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExportGenesis reads the state back: streams by id, commitments by (node
// address, epoch), readings by (stream, seq). The Last* maps are derived.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	if err := k.Streams.Walk(ctx, nil, func(_ string, s types.Stream) (bool, error) {
		gs.Streams = append(gs.Streams, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.EpochCommits.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, uint64], c types.EpochCommit) (bool, error) {
		c.Node = k.addrString(key.K1())
		gs.Commits = append(gs.Commits, c)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.Readings.Walk(ctx, nil, func(key collections.Pair[string, uint64], r types.Reading) (bool, error) {
		r.StreamId, r.Seq = key.K1(), key.K2()
		gs.Readings = append(gs.Readings, r)
		return false, nil
	})
	return gs, err
}
