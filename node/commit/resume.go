package commit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errChainRead marks a failed chain query: at start the chain may not be
// serving yet, so resume retries these and gives up on nothing else.
var errChainRead = errors.New("reading chain")

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
//	L == C + 1  epoch L was closed but never seen on chain: in flight, re-broadcast
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
		// Checked even when the store already marked it: a foreign store
		// or a second data plane with as many epochs shows here first.
		commit, found, err := c.chain.EpochCommit(ctx, c.cfg.Operator, ln)
		if err != nil {
			return fmt.Errorf("%w: epoch %d: %w", errChainRead, ln, err)
		}
		if !found {
			return fmt.Errorf("%w: chain's last epoch is %d but it has no commitment %d", errChainRead, cn, ln)
		}
		if local.CommittedHeight != 0 {
			if err := c.checkRoot(local, commit); err != nil {
				return err
			}
			break
		}
		if err := c.settle(local, commit); err != nil {
			return err
		}
		c.log.Info("resumed: last epoch was committed while stopped", "epoch", ln, "height", commit.Height)
	case ln == cn+1 && local.CommittedHeight == 0:
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
