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
	reads     readRetry
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
// (ErrRootMismatch), the chain can never take the epoch in flight
// (ErrEpochRefused) or the store fails; chain read and broadcast errors are
// logged and retried with backoff.
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
		if err := c.pollFlight(ctx, h); err != nil {
			return err
		}
		if c.flight != nil {
			// Also after a failed read: a broadcast that failed or was
			// never made goes through the node's RPC, not the state
			// queries, and retrying it cannot do harm.
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

// pollFlight asks the chain about the flight at a new height h and settles
// it if the chain has its epoch. The chain's state only changes with a new
// block, so it asks once per height; after a failed read, not before the
// read backoff has passed. A failed read is logged (rate-limited) and
// retried; any other error (a root mismatch, the store failing) is
// returned and stops the committer.
func (c *Committer) pollFlight(ctx context.Context, h int64) error {
	now := time.Now()
	if h == c.checkedAt || !c.reads.due(now) {
		return nil
	}
	n := c.flight.epoch.Number
	err := c.checkIncluded(ctx)
	switch {
	case err == nil:
		if fails, warned := c.reads.succeeded(); warned {
			c.log.Info("chain readable again", "epoch", n, "height", h, "failed_reads", fails)
		}
		c.checkedAt = h
		return nil
	case errors.Is(err, errChainRead):
		if ctx.Err() != nil {
			return nil // stopping: Run returns nil
		}
		c.update(func(s *Stats) { s.ChainReadErrors++ })
		if c.reads.failed(now, c.cfg.PollInterval) {
			c.log.Warn("reading epoch state from chain failed, retrying with backoff", "epoch", n, "height", h,
				"failed_reads", c.reads.fails, "retry_in", c.reads.wait, "err", err)
		}
		return nil
	default:
		return err
	}
}

// checkIncluded settles the flight if the chain has its epoch. Failed chain
// queries come back wrapping errChainRead.
func (c *Committer) checkIncluded(ctx context.Context) error {
	f := c.flight
	n := f.epoch.Number
	last, err := c.chain.LastEpoch(ctx, c.cfg.Operator)
	if err != nil {
		return fmt.Errorf("%w: last epoch of %s: %w", errChainRead, c.cfg.Operator, err)
	}
	if last < n {
		return nil
	}
	if last > n {
		c.log.Error("chain has epochs beyond the one in flight: another process commits for this operator", "in_flight", n, "chain_last", last)
	}
	commit, found, err := c.chain.EpochCommit(ctx, c.cfg.Operator, n)
	if err != nil {
		return fmt.Errorf("%w: epoch %d: %w", errChainRead, n, err)
	}
	if !found {
		// Two queries answered from different heights (a node being
		// replaced behind a load balancer): ask again.
		return fmt.Errorf("%w: chain's last epoch is %d but it has no commitment %d", errChainRead, last, n)
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
// A store failure stops it too: retrying cannot fix the store, and the data
// plane must stop acknowledging readings it may not keep.
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
// yet (after its backoff) or when the chain, asked at this height, has not
// included it resendAfter blocks after the last accepted broadcast. The
// message is always the same: the chain takes an epoch number once. It
// returns ErrEpochRefused when the chain can never take the epoch.
func (c *Committer) broadcastIfDue(ctx context.Context, h int64) error {
	f := c.flight
	now := time.Now()
	switch {
	case !f.accepted:
		if now.Before(f.nextTry) {
			return nil
		}
	case c.checkedAt == h && h-f.sentHeight >= c.resendAfter(f.resends):
		// Only on a fresh answer: while the chain cannot be read the epoch
		// may well be in a block already, and a resend would just pay for
		// a tx that fails.
		//
		// CheckTx does not run the message, so a commitment the block
		// refuses was accepted and is resent. One refusal is for good: an
		// epoch closed before the authority lowered max_readings_per_epoch
		// below its count. Stop then rather than resend forever. Only the
		// chain's own param says so: the configured cap only cuts epochs,
		// and one Append above it still makes an epoch the chain takes.
		if limit, ok := c.chainEpochLimit(ctx); ok && f.epoch.ReadingCount > limit {
			c.log.Error("epoch can never be committed: the chain takes fewer readings per epoch than it holds; committer stops",
				"epoch", f.epoch.Number, "readings", f.epoch.ReadingCount, "max_readings_per_epoch", limit)
			return fmt.Errorf("%w: epoch %d holds %d readings, the chain now takes at most %d per epoch "+
				"(x/stream max_readings_per_epoch); raise the param back and restart the node",
				ErrEpochRefused, f.epoch.Number, f.epoch.ReadingCount, limit)
		}
		f.resends++
		next := c.resendAfter(f.resends)
		logf := c.log.Warn
		if next == c.resendAfter(f.resends-1) {
			// Other refusals can pass: the node is jailed until the
			// authority restores its power, or the sender is no longer
			// its committer. Once the resends are as far apart as they
			// get, each is an error: someone should look.
			logf = c.log.Error
		}
		logf("epoch not included, re-broadcasting (a jailed node or a cleared committer is refused in the block)",
			"epoch", f.epoch.Number, "sent_at", f.sentHeight, "height", h, "resends", f.resends, "next_after_blocks", next)
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

// resendAfter is how many blocks after the last accepted broadcast the
// flight is sent again, after resends resends of it: ResendAfterBlocks,
// doubled with each resend up to maxResendAfterBlocks (3, 6, 12 … 96 by
// default). A tx CheckTx took is usually in the next block; one that is
// not after a few resends is refused in the block (a jailed node, a
// cleared committer) or dropped by a node in trouble, and resending it
// every few blocks only pays fees for failures. A new epoch starts again
// at ResendAfterBlocks.
func (c *Committer) resendAfter(resends int) int64 {
	limit := max(c.cfg.ResendAfterBlocks, maxResendAfterBlocks)
	gap := c.cfg.ResendAfterBlocks
	for i := 0; i < resends && gap < limit; i++ {
		gap *= 2
	}
	return min(gap, limit)
}

// paramReader is implemented by chains that expose x/stream's
// max_readings_per_epoch (node/chainview does).
type paramReader interface {
	MaxReadingsPerEpoch(ctx context.Context) (uint64, error)
}

// chainEpochLimit is x/stream's max_readings_per_epoch as the chain answers
// now; ok is false if the chain does not expose it or could not be read.
func (c *Committer) chainEpochLimit(ctx context.Context) (limit uint64, ok bool) {
	pr, isReader := c.chain.(paramReader)
	if !isReader {
		return 0, false
	}
	v, err := pr.MaxReadingsPerEpoch(ctx)
	if err != nil || v == 0 {
		return 0, false
	}
	return v, true
}

// epochLimit is the size epochs are cut at: the configured cap, lowered to
// the chain's current param (an epoch above the param is refused in every
// block, forever).
func (c *Committer) epochLimit(ctx context.Context) uint64 {
	limit := c.cfg.MaxReadingsPerEpoch
	if v, ok := c.chainEpochLimit(ctx); ok {
		limit = min(limit, v)
	}
	return limit
}
