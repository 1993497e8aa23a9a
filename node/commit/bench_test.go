package commit_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/store"
)

// BenchmarkCommitEpoch100k is one epoch end to end: a new block appears
// with 100,000 readings pending over 1,000 streams (64-byte payloads); the
// committer closes the epoch (capture, read back, hash, manifest), sends
// MsgCommitEpoch, sees it in the next block and marks it committed. The
// next block is made as soon as the tx is in the mempool, so the time is
// the node's work plus polling (1ms), not a block interval.
//
//   - chain=fake: the in-memory fake chain; the node's work alone.
//   - chain=app: the real app through chainview, TxBroadcaster (keyring
//     signing) and CheckTx, plus one real block.
func BenchmarkCommitEpoch100k(b *testing.B) {
	b.Run("chain=fake", func(b *testing.B) {
		st := openStore(b, b.TempDir())
		chain := newFakeChain()
		chain.autoBlock = true
		r := start(b, commit.Config{PollInterval: time.Millisecond}, st, chain, chain, nil)
		benchEpochs(b, st, r, chain.NextBlock, func() {})
	})
	b.Run("chain=app", func(b *testing.B) {
		n := newAppNode(b)
		st := openStore(b, b.TempDir())
		r := realCommitter(b, n, st, commit.Config{PollInterval: time.Millisecond})
		var included uint64
		benchEpochs(b, st, r, func() { n.NextBlock() }, func() {
			if s := r.c.Stats(); s.Broadcasts > included {
				included = s.Broadcasts
				n.NextBlock()
			}
		})
	})
}

// benchEpochs fills 100k readings (not timed), then times newBlock until
// the epoch is committed, calling poll meanwhile.
func benchEpochs(b *testing.B, st *store.Store, r *running, newBlock, poll func()) {
	const streams, perStream = 1000, 100
	payload := make([]byte, 64)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rs := make([]store.Reading, perStream)
				for k := range rs {
					rs[k] = store.Reading{Time: int64(k + 1), Payload: payload}
				}
				for s := w; s < streams; s += 16 {
					id := fmt.Sprintf("dev-%05d", s)
					if _, err := st.Append(id, uint64(i*perStream+1), rs, time.Now().UnixNano()); err != nil {
						panic(err)
					}
				}
			}()
		}
		wg.Wait()
		b.StartTimer()
		newBlock()
		for r.c.Stats().EpochsCommitted < uint64(i+1) {
			poll()
			time.Sleep(50 * time.Microsecond)
		}
	}
	b.StopTimer()
	s := r.c.Stats()
	require.Equal(b, uint64(b.N*streams*perStream), s.ReadingsCommitted)
	require.Zero(b, s.RootMismatches)
	b.ReportMetric(float64(b.N*streams*perStream)/b.Elapsed().Seconds(), "readings/s")
}
