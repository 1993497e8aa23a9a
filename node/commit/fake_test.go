package commit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// fakeChain stands in for the app until node/chainview lands: a mempool and
// blocks that apply MsgCommitEpoch with the chain's rule (epoch = last + 1,
// else the tx fails in the block). It is both the committer's Chain and
// its Broadcaster.
type fakeChain struct {
	mu      sync.Mutex
	height  int64
	last    map[string]uint64
	commits map[string]map[uint64]streamtypes.EpochCommit
	mempool []*streamtypes.MsgCommitEpoch

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
	return &fakeChain{last: map[string]uint64{}, commits: map[string]map[uint64]streamtypes.EpochCommit{}}
}

func (c *fakeChain) Height() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.height
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
		if m.Epoch != c.last[m.Sender]+1 {
			c.failedInBlock++
			continue
		}
		if c.commits[m.Sender] == nil {
			c.commits[m.Sender] = map[uint64]streamtypes.EpochCommit{}
		}
		c.commits[m.Sender][m.Epoch] = streamtypes.EpochCommit{
			Node: m.Sender, Epoch: m.Epoch, Root: bytes.Clone(m.Root), ReadingCount: m.ReadingCount,
			StreamCount: m.StreamCount, WindowStart: m.WindowStart, WindowEnd: m.WindowEnd, Height: c.height,
		}
		c.last[m.Sender] = m.Epoch
	}
	c.mempool = nil
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

// logBuffer is a goroutine-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
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
