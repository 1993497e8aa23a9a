package commit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trustedge/trustedge/node/store"
)

// resume lines the committer up with the store and the chain after a
// (re)start, retrying while the chain cannot be read. It returns nil
// without resuming if ctx ends first (Run then returns nil too).
func (c *Committer) resume(ctx context.Context) error {
	wait := c.cfg.PollInterval
	for {
		err := c.waitSynced(ctx)
		if err == nil {
			err = c.resumeOnce(ctx)
		}
		if err == nil || !errors.Is(err, errChainRead) {
			return err
		}
		c.log.Warn("chain not readable or still syncing, retrying", "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// waitSynced fails with errChainRead while the node is catching up.
func (c *Committer) waitSynced(ctx context.Context) error {
	if c.cfg.CatchingUp == nil {
		return nil
	}
	catchingUp, err := c.cfg.CatchingUp(ctx)
	if err != nil {
		return fmt.Errorf("%w: node status: %w", errChainRead, err)
	}
	if catchingUp {
		return fmt.Errorf("%w: the node is catching up with the chain", errChainRead)
	}
	return nil
}

// resumeOnce compares the store's last epoch L with the chain's C:
//
//	L == C      in step; check epoch L's root against the chain's and make
//	            sure the store knows its commit height
//	L == C + 1  epoch L was closed but never seen on chain: check epoch C
//	            as above, then L is in flight, re-broadcast
//	otherwise   the store was lost, replaced or belongs to another node: refuse
func (c *Committer) resumeOnce(ctx context.Context) error {
	local, err := c.store.LastEpoch()
	if err != nil {
		return err
	}
	var ln uint64
	if local != nil {
		ln = local.Number
	}
	cn, err := c.chain.LastEpoch(ctx, c.cfg.Operator)
	if err != nil {
		return fmt.Errorf("%w: last epoch of %s: %w", errChainRead, c.cfg.Operator, err)
	}
	switch {
	case ln == cn:
		c.lastLocal = ln
		if ln == 0 {
			break
		}
		if err := c.checkCommitted(ctx, local); err != nil {
			return err
		}
	case ln == cn+1 && local.CommittedHeight == 0:
		if cn > 0 {
			// Epoch C must be the chain's epoch C: a foreign store one
			// epoch ahead, or a store restored from a backup taken before
			// another process committed C, shows here, and L must not go
			// on chain on top of a history its store does not share.
			prev, err := c.store.Epoch(cn)
			if err != nil {
				return fmt.Errorf("epoch %d of the store: %w", cn, err)
			}
			if err := c.checkCommitted(ctx, prev); err != nil {
				return err
			}
		}
		c.lastLocal = ln
		h := c.chain.Height()
		c.flight = c.newFlight(local, h)
		c.closedAt = h
		c.update(func(s *Stats) { s.InFlight = ln })
		c.log.Info("resumed: epoch in flight, re-broadcasting", "epoch", ln, "height", h)
	default:
		var committedAt int64
		if local != nil {
			committedAt = local.CommittedHeight
		}
		return fmt.Errorf("%w: the store's last epoch is %d (committed at height %d), the chain's last epoch for %s is %d; "+
			"the store was lost, replaced or belongs to another node", ErrStoreMismatch, ln, committedAt, c.cfg.Operator, cn)
	}
	c.update(func(s *Stats) { s.LastEpoch = cn })
	return nil
}

// checkCommitted checks the store's epoch e against the chain's commitment
// of it, which must exist, and marks e committed if the store has not yet
// (the chain took it while the node was stopped). It checks even an epoch
// the store already marked: a foreign store, or a second data plane with as
// many epochs, shows here first.
func (c *Committer) checkCommitted(ctx context.Context, e *store.Epoch) error {
	commit, found, err := c.chain.EpochCommit(ctx, c.cfg.Operator, e.Number)
	if err != nil {
		return fmt.Errorf("%w: epoch %d: %w", errChainRead, e.Number, err)
	}
	if !found {
		return fmt.Errorf("%w: chain's last epoch is at least %d but it has no commitment of it", errChainRead, e.Number)
	}
	if e.CommittedHeight != 0 {
		return c.checkRoot(e, commit)
	}
	if err := c.settle(e, commit); err != nil {
		return err
	}
	c.log.Info("resumed: epoch was committed while stopped", "epoch", e.Number, "height", commit.Height)
	return nil
}
