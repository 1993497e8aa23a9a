package commit

import "time"

// Stats are the committer's counters since it started.
type Stats struct {
	// EpochsClosed counts epochs this process closed in the store.
	EpochsClosed uint64
	// EpochsCommitted and ReadingsCommitted count epochs (and their
	// readings) seen committed on chain and marked in the store.
	EpochsCommitted   uint64
	ReadingsCommitted uint64
	// LastEpoch is the last epoch known committed on chain; InFlight the
	// epoch waiting for the chain (0 if none).
	LastEpoch uint64
	InFlight  uint64
	// LastCommitHeight is the block of the last commitment; LastHeight the
	// last chain height read.
	LastCommitHeight int64
	LastHeight       int64
	// Broadcasts counts txs CheckTx accepted, Resends the re-broadcasts of an
	// epoch not included in time, BroadcastErrors the failed attempts.
	Broadcasts      uint64
	Resends         uint64
	BroadcastErrors uint64
	// ChainReadErrors counts failed reads of the epoch in flight's state
	// (each retried after a backoff).
	ChainReadErrors uint64
	// RootMismatches counts epochs whose on-chain commitment differs from the
	// local one (should stay 0).
	RootMismatches uint64
	// Commit latency: from closing an epoch to seeing it committed, in time
	// and blocks, over the LatencySamples epochs this process saw through
	// (LatencySum / LatencySamples is the mean).
	LastLatency       time.Duration
	LastLatencyBlocks int64
	MaxLatency        time.Duration
	LatencySum        time.Duration
	LatencySamples    uint64
}

// Stats returns a snapshot of the counters.
func (c *Committer) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

func (c *Committer) update(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}
