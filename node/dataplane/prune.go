package dataplane

import (
	"context"
	"time"

	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/store"
)

// RetentionSource gives a stream's retention in seconds (0 = keep forever);
// node/chainview's View reads it from x/stream.
type RetentionSource interface {
	Retention(ctx context.Context, streamID string) (uint64, error)
}

// Pruner applies each stream's on-chain retention to the stream store:
// raw readings older than retention_seconds are deleted once their epoch is
// on chain (the roots stay on chain; proofs of pruned readings answer 410).
type Pruner struct {
	Store    *store.Store
	Chain    RetentionSource
	Interval time.Duration
	Now      func() time.Time
	Log      log.Logger
}

// Run prunes every Interval until ctx is done.
func (p *Pruner) Run(ctx context.Context) {
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := p.Once(ctx); err != nil && ctx.Err() == nil {
			p.Log.Error("retention pass failed", "err", err)
		}
	}
}

// Once runs one retention pass over every stream in the store and returns
// how many streams moved their watermark.
func (p *Pruner) Once(ctx context.Context) (int, error) {
	ids, err := p.Store.StreamIDs()
	if err != nil {
		return 0, err
	}
	now := p.Now()
	moved := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			return moved, ctx.Err()
		}
		secs, err := p.Chain.Retention(ctx, id)
		if err != nil || secs == 0 {
			continue // unknown on chain (yet) or kept forever
		}
		cutoff, ok := retentionCutoff(now, secs)
		if !ok {
			continue // longer than the time since 1970: nothing is old enough
		}
		before, err := p.Store.Pruned(id)
		if err != nil {
			return moved, err
		}
		mark, err := p.Store.PruneCommitted(id, cutoff)
		if err != nil {
			return moved, err
		}
		if mark != before {
			moved++
			p.Log.Info("retention pruned readings", "stream", id, "from_seq", before+1, "to_seq", mark, "retention_s", secs)
		}
	}
	return moved, nil
}

// retentionCutoff is the ingest time (unix ns) before which a reading is past
// a retention of secs seconds. x/stream takes any uint64, and a Duration of
// secs seconds wraps above ~292 years (to a cut-off in the future: every
// reading pruned at once), so it is computed in integer nanoseconds; a
// retention reaching back before 1970 keeps everything (ok false).
func retentionCutoff(now time.Time, secs uint64) (cutoff int64, ok bool) {
	nowNs := now.UnixNano()
	if nowNs <= 0 || secs > uint64(nowNs)/uint64(time.Second) {
		return 0, false
	}
	return nowNs - int64(secs)*int64(time.Second), true
}
