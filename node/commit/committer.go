package commit

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/store"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// Committer closes epochs and commits their roots; see the package doc.
type Committer struct {
	cfg   Config
	store *store.Store
	chain Chain
	b     Broadcaster
	log   log.Logger

	mu    sync.Mutex // guards stats: Stats is called from other goroutines
	stats Stats

	// Loop state, owned by Run's goroutine.
	flight    *flight
	lastLocal uint64 // the store's last epoch number
	closedAt  int64  // height of the last close attempt
	checkedAt int64  // height at which the chain last answered about the flight
	// dueAt is when a close first became due (a height crossing a multiple
	// of EveryBlocks with nothing in flight); CloseDelay counts from then,
	// not from the latest block, so blocks that come faster than
	// CloseDelay cannot put the close off forever. Zero: nothing due.
	dueAt time.Time
}

// flight is the epoch on its way to the chain.
type flight struct {
	epoch        *store.Epoch
	msg          *streamtypes.MsgCommitEpoch
	closedHeight int64
	closedAt     time.Time
	// accepted: CheckTx took the latest broadcast; sentHeight is when.
	accepted   bool
	sentHeight int64
	attempts   int
	resends    int
	backoff    time.Duration
	nextTry    time.Time
}

func (c *Committer) newFlight(e *store.Epoch, height int64) *flight {
	return &flight{
		epoch: e,
		msg: &streamtypes.MsgCommitEpoch{
			Sender:       c.cfg.Sender,
			Node:         c.cfg.Operator,
			Epoch:        e.Number,
			Root:         e.Root,
			ReadingCount: e.ReadingCount,
			StreamCount:  uint32(len(e.Batches)),
			WindowStart:  e.WindowStart,
			WindowEnd:    e.WindowEnd,
		},
		closedHeight: height,
		closedAt:     time.Now(),
	}
}

// Run commits epochs until ctx is done, then returns nil. It returns an
// error only if the store and the chain disagree at start (ErrStoreMismatch),
// the chain holds another root for one of the store's epochs
// (ErrRootMismatch) or the store fails; chain and broadcast errors are
// logged and retried.
func (c *Committer) Run(ctx context.Context) error {
	if err := c.resume(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		// Stopped before the store was checked against the chain: nothing
		// may be closed or broadcast from an unchecked store.
		return nil
	}
	if c.cfg.OnResumed != nil {
		c.cfg.OnResumed()
	}
	t := time.NewTicker(c.cfg.PollInterval)
	defer t.Stop()
	for {
		if err := c.step(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// step handles one poll of the chain height.
func (c *Committer) step(ctx context.Context) error {
	h := c.chain.Height()
	c.update(func(s *Stats) { s.LastHeight = h })
	if h <= 0 {
		return nil
	}
	if c.flight != nil {
		// The chain's state only changes with a new block: ask once per height.
		if h != c.checkedAt {
			if err := c.checkIncluded(ctx); errors.Is(err, ErrRootMismatch) {
				return err
			} else if err != nil {
				c.log.Warn("reading epoch state from chain", "epoch", c.flight.epoch.Number, "height", h, "err", err)
				return nil
			}
			c.checkedAt = h
		}
		if c.flight != nil {
			return c.broadcastIfDue(ctx, h)
		}
	}
	// Close at most once per multiple of EveryBlocks, even when polls skip
	// heights.
	if h/c.cfg.EveryBlocks == c.closedAt/c.cfg.EveryBlocks {
		return nil
	}
	if c.dueAt.IsZero() {
		c.dueAt = time.Now()
	}
	if time.Since(c.dueAt) < c.cfg.CloseDelay {
		return nil // close later in this block's wait, see Config.CloseDelay
	}
	c.dueAt = time.Time{}
	e, err := c.store.CloseEpochMax(c.lastLocal+1, c.epochLimit(ctx))
	if err != nil {
		// The store failing is not something a retry fixes.
		return fmt.Errorf("close epoch %d: %w", c.lastLocal+1, err)
	}
	c.closedAt = h
	if e == nil {
		return nil // nothing pending
	}
	c.lastLocal = e.Number
	c.flight = c.newFlight(e, h)
	c.update(func(s *Stats) { s.InFlight = e.Number; s.EpochsClosed++ })
	return c.broadcastIfDue(ctx, h)
}

// checkIncluded settles the flight if the chain has its epoch.
func (c *Committer) checkIncluded(ctx context.Context) error {
	f := c.flight
	n := f.epoch.Number
	last, err := c.chain.LastEpoch(ctx, c.cfg.Operator)
	if err != nil {
		return err
	}
	if last < n {
		return nil
	}
	if last > n {
		c.log.Error("chain has epochs beyond the one in flight: another process commits for this operator", "in_flight", n, "chain_last", last)
	}
	commit, found, err := c.chain.EpochCommit(ctx, c.cfg.Operator, n)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("chain's last epoch is %d but it has no commitment %d", last, n)
	}
	if err := c.settle(f.epoch, commit); err != nil {
		return err
	}
	latency := time.Since(f.closedAt)
	c.log.Info("epoch committed", "epoch", n, "height", commit.Height, "readings", f.epoch.ReadingCount,
		"streams", len(f.epoch.Batches), "latency", latency, "blocks", commit.Height-f.closedHeight, "broadcasts", f.attempts)
	c.update(func(s *Stats) {
		s.InFlight = 0
		s.LastLatency = latency
		s.LastLatencyBlocks = commit.Height - f.closedHeight
		s.LatencySum += latency
		s.LatencySamples++
		s.MaxLatency = max(s.MaxLatency, latency)
	})
	c.flight = nil
	return nil
}

// settle records that the chain committed e: it checks the chain's root
// against the local one and marks the epoch committed at the chain's height.
// On a mismatch it marks nothing and returns ErrRootMismatch, which stops
// the committer: marked, the epoch's readings would be pruned after their
// retention and served as committed, though no proof of them can verify.
func (c *Committer) settle(e *store.Epoch, commit streamtypes.EpochCommit) error {
	if err := c.checkRoot(e, commit); err != nil {
		return err
	}
	if err := c.store.MarkCommitted(e.Number, commit.Height); err != nil {
		return fmt.Errorf("mark epoch %d committed: %w", e.Number, err)
	}
	c.update(func(s *Stats) {
		s.EpochsCommitted++
		s.ReadingsCommitted += e.ReadingCount
		s.LastEpoch = e.Number
		s.LastCommitHeight = commit.Height
	})
	return nil
}

// checkRoot returns ErrRootMismatch, logged loudly, unless the chain's
// commitment of e has e's root and counts.
func (c *Committer) checkRoot(e *store.Epoch, commit streamtypes.EpochCommit) error {
	if !bytes.Equal(commit.Root, e.Root) || commit.ReadingCount != e.ReadingCount || commit.StreamCount != uint32(len(e.Batches)) {
		// Another process committed this epoch number for the operator
		// (a second data plane with the same committer, a store restored
		// from a backup while the epoch was in flight). Nothing here can
		// repair that; an operator must look.
		c.log.Error("EPOCH ROOT MISMATCH: the chain holds a different commitment for this epoch than the local store; "+
			"the epoch stays uncommitted locally and the committer stops",
			"epoch", e.Number, "chain_root", hex.EncodeToString(commit.Root), "local_root", hex.EncodeToString(e.Root),
			"chain_readings", commit.ReadingCount, "local_readings", e.ReadingCount, "height", commit.Height)
		c.update(func(s *Stats) { s.RootMismatches++ })
		return fmt.Errorf("%w: epoch %d: chain root %x (%d readings, %d streams) at height %d, local root %x (%d readings, %d streams)",
			ErrRootMismatch, e.Number, commit.Root, commit.ReadingCount, commit.StreamCount, commit.Height,
			e.Root, e.ReadingCount, len(e.Batches))
	}
	return nil
}

// broadcastIfDue sends the flight's message when it has not been accepted
// yet (after its backoff) or when the chain has not included it
// ResendAfterBlocks blocks after the last accepted broadcast. The message
// is always the same: the chain takes an epoch number once. It returns
// ErrEpochRefused when the chain can never take the epoch.
func (c *Committer) broadcastIfDue(ctx context.Context, h int64) error {
	f := c.flight
	now := time.Now()
	switch {
	case !f.accepted:
		if now.Before(f.nextTry) {
			return nil
		}
	case h-f.sentHeight >= c.cfg.ResendAfterBlocks:
		// CheckTx does not run the message, so a commitment the block
		// refuses was accepted and is resent. One refusal is for good: an
		// epoch closed before the authority lowered max_readings_per_epoch
		// below its count. Stop then rather than resend forever.
		if limit := c.epochLimit(ctx); f.epoch.ReadingCount > limit {
			c.log.Error("epoch can never be committed: the chain takes fewer readings per epoch than it holds; committer stops",
				"epoch", f.epoch.Number, "readings", f.epoch.ReadingCount, "max_readings_per_epoch", limit)
			return fmt.Errorf("%w: epoch %d holds %d readings, the chain now takes at most %d per epoch "+
				"(x/stream max_readings_per_epoch); raise the param back and restart the node",
				ErrEpochRefused, f.epoch.Number, f.epoch.ReadingCount, limit)
		}
		f.resends++
		logf := c.log.Warn
		if f.resends%10 == 0 {
			// Other refusals can pass: the node is jailed until the
			// authority restores its power, or the sender is no longer
			// its committer. Say so louder every 10 resends.
			logf = c.log.Error
		}
		logf("epoch not included, re-broadcasting (a jailed node or a cleared committer is refused in the block)",
			"epoch", f.epoch.Number, "sent_at", f.sentHeight, "height", h, "resends", f.resends)
		c.update(func(s *Stats) { s.Resends++ })
	default:
		return nil
	}
	f.attempts++
	hash, err := c.b.Broadcast(ctx, f.msg)
	if err != nil {
		f.accepted = false
		f.backoff = min(max(2*f.backoff, 2*c.cfg.PollInterval), maxBackoff)
		f.nextTry = now.Add(f.backoff)
		c.update(func(s *Stats) { s.BroadcastErrors++ })
		logf := c.log.Warn
		if f.attempts >= 5 && !errors.Is(err, context.Canceled) {
			logf = c.log.Error
		}
		logf("broadcast of epoch failed, retrying", "epoch", f.epoch.Number, "attempt", f.attempts, "retry_in", f.backoff, "err", err)
		return nil
	}
	// The height after the broadcast, not the one this step started at:
	// closing a big epoch can take blocks, and counting them would resend
	// a tx that is only now reaching the mempool.
	f.accepted, f.sentHeight, f.backoff = true, max(h, c.chain.Height()), 0
	c.update(func(s *Stats) { s.Broadcasts++ })
	c.log.Debug("epoch broadcast", "epoch", f.epoch.Number, "root", hex.EncodeToString(f.epoch.Root),
		"readings", f.epoch.ReadingCount, "streams", len(f.epoch.Batches), "tx", hash, "height", h)
	return nil
}

// paramReader is implemented by chains that expose x/stream's
// max_readings_per_epoch (node/chainview does).
type paramReader interface {
	MaxReadingsPerEpoch(ctx context.Context) (uint64, error)
}

// epochLimit is the configured cap, lowered to the chain's current param:
// an epoch above the param is refused in every block, forever.
func (c *Committer) epochLimit(ctx context.Context) uint64 {
	limit := c.cfg.MaxReadingsPerEpoch
	if pr, ok := c.chain.(paramReader); ok {
		if v, err := pr.MaxReadingsPerEpoch(ctx); err == nil && v > 0 && v < limit {
			limit = v
		}
	}
	return limit
}
