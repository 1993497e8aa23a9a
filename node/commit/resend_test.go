package commit_test

import (
	"strings"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/internal/syncbuf"
	"github.com/trustedge/trustedge/node/commit"
)

// TestCommitterResendBackoff: an epoch CheckTx takes but no block ever
// includes (a jailed node, a cleared committer) is resent 3, 6, 12 … blocks
// apart, never more than 96, not every 3 blocks forever; the resends at
// the longest gap are logged as errors. The next epoch starts at 3 again.
func TestCommitterResendBackoff(t *testing.T) {
	st := openStore(t, t.TempDir())
	chain := newFakeChain()
	chain.dropAccepted = 9 // the first broadcast and 8 resends are lost
	appendN(t, st, "s", 2)
	chain.NextBlock()
	var logs syncbuf.Buffer
	r := start(t, commit.Config{PollInterval: time.Millisecond}, st, chain, chain, log.NewLogger(&logs, log.OutputJSONOption()))
	waitFor(t, 5*time.Second, "first broadcast", func() bool { return r.c.Stats().Broadcasts == 1 })

	// Sent at 1, then after 3, 6, 12, 24, 48, 96, 96, 96 blocks; the ninth
	// resend (at 478) gets in.
	want := []int64{1, 4, 10, 22, 46, 94, 190, 286, 382, 478}
	driveTo(t, chain, want[len(want)-1])
	require.Equal(t, want, chain.sentAt())
	driveTo(t, chain, want[len(want)-1]+1)
	waitFor(t, 5*time.Second, "epoch 1 committed", func() bool { return r.c.Stats().EpochsCommitted == 1 })
	require.Equal(t, uint64(9), r.c.Stats().Resends)
	require.Equal(t, 4, strings.Count(logs.String(), `"level":"error"`), "the resends 96 blocks apart")

	// Epoch 2, lost once, is resent 3 blocks after its broadcast.
	chain.mu.Lock()
	chain.dropAccepted = 1
	chain.mu.Unlock()
	appendN(t, st, "s", 1)
	driveTo(t, chain, want[len(want)-1]+2)
	waitFor(t, 5*time.Second, "epoch 2 broadcast", func() bool { return len(chain.sentAt()) == len(want)+1 })
	sent := chain.sentAt()[len(want)]
	driveTo(t, chain, sent+3)
	require.Equal(t, []int64{sent, sent + 3}, chain.sentAt()[len(want):])
	driveTo(t, chain, sent+4)
	waitFor(t, 5*time.Second, "epoch 2 committed", func() bool { return r.c.Stats().EpochsCommitted == 2 })
	require.NoError(t, r.stop())
	requireChainMatchesStore(t, chain, st, 2)
}

// driveTo makes blocks up to height h, one at a time, each polled by the
// committer before the next.
func driveTo(t *testing.T, chain *fakeChain, h int64) {
	t.Helper()
	for {
		chain.mu.Lock()
		at := chain.height
		chain.mu.Unlock()
		if at >= h {
			return
		}
		chain.NextBlock()
		chain.waitPolled(t, at+1)
	}
}
