package dataplane

import (
	"context"
	"time"

	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/commit"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// Heartbeater sends the node's MsgHeartbeat every EveryBlocks blocks, signed
// like its epoch commitments (by the committer, or the operator), so the
// chain sees a live node and its load without an operator's cron job — and
// x/edge's heartbeat_timeout_blocks can mark a node whose process died
// STALE. The first one goes out at the first block it sees.
type Heartbeater struct {
	Broadcaster commit.Broadcaster
	Chain       interface{ Height() int64 }
	// Sender signs; Operator is the node it reports for.
	Sender, Operator string
	EveryBlocks      int64
	Poll             time.Duration
	Sample           func() edgetypes.Load
	Log              log.Logger
	// Paused, if set and true, skips heartbeats: a node whose ingest is
	// halted should not keep reporting itself fit for work (with the
	// chain's heartbeat_timeout_blocks it goes STALE, which gets it no new
	// work, until an operator fixes and restarts it).
	Paused func() bool
}

// Run reports until ctx is done. A failed broadcast is logged and tried
// again at the next block; nothing else stops it.
func (h *Heartbeater) Run(ctx context.Context) {
	t := time.NewTicker(h.Poll)
	defer t.Stop()
	var next int64 // the first height at which a heartbeat is due
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		height := h.Chain.Height()
		if height < 1 || height < next || (h.Paused != nil && h.Paused()) {
			continue
		}
		msg := &edgetypes.MsgHeartbeat{Sender: h.Sender, Node: h.Operator, Load: h.Sample()}
		if _, err := h.Broadcaster.Broadcast(ctx, msg); err != nil {
			if ctx.Err() == nil {
				h.Log.Warn("heartbeat not sent, retrying next block", "height", height, "err", err)
			}
			next = height + 1
			continue
		}
		h.Log.Debug("heartbeat sent", "height", height, "cpu_millicores", msg.Load.CpuMillicores,
			"memory_mib", msg.Load.MemoryMib)
		next = height + h.EveryBlocks
	}
}
