package commit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// fakeChain stands in for the app: a mempool and blocks that apply
// MsgCommitEpoch with the chain's rules (the commitment is the sender's
// node's, epoch = last + 1, else the tx fails in the block). It is both
// the committer's Chain and its Broadcaster.
type fakeChain struct {
	mu      sync.Mutex
	height  int64
	last    map[string]uint64 // by operator
	commits map[string]map[uint64]streamtypes.EpochCommit
	mempool []*streamtypes.MsgCommitEpoch
	// committers maps a committer account to the operator it commits for
	// (x/edge MsgSetCommitter); any other sender commits for itself.
	committers map[string]string

	// heightReads counts the Height calls that answered each height
	// (waitPolled); broadcastHeights is the height of every broadcast
	// CheckTx accepted.
	heightReads      map[int64]int
	broadcastHeights []int64

	// dropAccepted drops this many accepted txs (CheckTx passes, the tx
	// never reaches a block); failBroadcasts fails this many broadcasts.
	dropAccepted   int
	failBroadcasts int
	// autoBlock makes every accepted tx produce a block at once.
	autoBlock bool

	broadcasts    int // accepted
	failedInBlock int // txs refused by the block (duplicates, gaps)
}

func newFakeChain() *fakeChain {
	return &fakeChain{last: map[string]uint64{}, commits: map[string]map[uint64]streamtypes.EpochCommit{},
		committers: map[string]string{}, heightReads: map[int64]int{}}
}

func (c *fakeChain) Height() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.heightReads[c.height]++
	return c.height
}

// waitPolled waits until the committer has made its decisions at height h.
// Every poll starts with a Height read and a broadcast is followed by one,
// so the second read that answers h comes after anything the first poll at
// h broadcast: a check after it that nothing was sent cannot be early.
func (c *fakeChain) waitPolled(t testing.TB, h int64) {
	t.Helper()
	waitFor(t, 5*time.Second, fmt.Sprintf("committer polled height %d", h), func() bool { return c.polled(h) })
}

// polled is waitPolled's condition.
func (c *fakeChain) polled(h int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.heightReads[h] >= 2
}

// sentAt returns the heights of the accepted broadcasts so far.
func (c *fakeChain) sentAt() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.broadcastHeights)
}

func (c *fakeChain) LastEpoch(_ context.Context, node string) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last[node], nil
}

func (c *fakeChain) EpochCommit(_ context.Context, node string, epoch uint64) (streamtypes.EpochCommit, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.commits[node][epoch]
	return e, ok, nil
}

var errBroadcast = errors.New("node unreachable")

func (c *fakeChain) Broadcast(_ context.Context, msg sdk.Msg) (string, error) {
	m, ok := msg.(*streamtypes.MsgCommitEpoch)
	if !ok {
		return "", fmt.Errorf("unexpected msg %T", msg)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failBroadcasts > 0 {
		c.failBroadcasts--
		return "", errBroadcast
	}
	// CheckTx runs the ante handler only: a duplicate epoch passes it and
	// fails in the block, as on the real chain.
	if err := streamtypes.ValidateCommitShape(m.Root, m.ReadingCount, m.StreamCount, m.WindowStart, m.WindowEnd, streamtypes.DefaultMaxReadingsPerEpoch); err != nil {
		return "", err
	}
	c.broadcasts++
	c.broadcastHeights = append(c.broadcastHeights, c.height)
	if c.dropAccepted > 0 {
		c.dropAccepted--
		return fmt.Sprintf("DROPPED%d", c.broadcasts), nil
	}
	cp := *m
	c.mempool = append(c.mempool, &cp)
	if c.autoBlock {
		c.nextBlockLocked()
	}
	return fmt.Sprintf("TX%d", c.broadcasts), nil
}

// NextBlock runs a block with the mempool's txs.
func (c *fakeChain) NextBlock() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextBlockLocked()
}

func (c *fakeChain) nextBlockLocked() {
	c.height++
	for _, m := range c.mempool {
		node, ok := c.nodeOfLocked(m)
		if !ok || m.Epoch != c.last[node]+1 {
			c.failedInBlock++
			continue
		}
		if c.commits[node] == nil {
			c.commits[node] = map[uint64]streamtypes.EpochCommit{}
		}
		c.commits[node][m.Epoch] = streamtypes.EpochCommit{
			Node: node, Epoch: m.Epoch, Root: bytes.Clone(m.Root), ReadingCount: m.ReadingCount,
			StreamCount: m.StreamCount, WindowStart: m.WindowStart, WindowEnd: m.WindowEnd, Height: c.height,
		}
		c.last[node] = m.Epoch
	}
	c.mempool = nil
}

// nodeOfLocked is the operator a commitment is recorded under, as
// x/stream's msg server resolves it (keeper.committingNode): the node the
// sender commits for, which m.Node, when set, must name (ErrWrongNode).
func (c *fakeChain) nodeOfLocked(m *streamtypes.MsgCommitEpoch) (string, bool) {
	node := m.Sender
	if op, ok := c.committers[m.Sender]; ok {
		node = op
	}
	if m.Node != "" && m.Node != node {
		return "", false
	}
	return node, true
}

// produceBlocks runs a block every interval until ctx is done.
func (c *fakeChain) produceBlocks(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.NextBlock()
		}
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
