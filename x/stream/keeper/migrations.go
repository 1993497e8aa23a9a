package keeper

import (
	"context"

	"github.com/trustedge/trustedge/x/stream/types"
)

// MigrateCloseEpochs is the consensus-version 1 → 2 migration. Version 1
// kept no StreamCount and no Stream.closed_after_epoch, so Verify took a
// closed stream's proofs from any later epoch. Version 2 counts the
// streams and gives every CLOSED stream without a close epoch its home
// node's current last epoch: the close happened at or before it, so this
// bound admits every reading the node took before the close (plus
// CloseGraceEpochs) and stops the stream growing from now on.
//
// Streams are read first, then written (nothing is written while the
// store iterates), in id order: deterministic. Running it twice changes
// nothing.
func (k Keeper) MigrateCloseEpochs(ctx context.Context) error {
	iter, err := k.Streams.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	streams, err := iter.Values()
	if err != nil {
		return err
	}
	for _, s := range streams {
		if s.Status != types.STREAM_STATUS_CLOSED || s.ClosedAfterEpoch != 0 {
			continue
		}
		home, err := k.addressCodec.StringToBytes(s.HomeNode)
		if err != nil {
			return err
		}
		last, err := k.GetLastEpoch(ctx, home)
		if err != nil {
			return err
		}
		s.ClosedAfterEpoch = max(last, s.CreatedAfterEpoch)
		if err := k.Streams.Set(ctx, s.Id, s); err != nil {
			return err
		}
	}
	return k.StreamCount.Set(ctx, uint64(len(streams)))
}
