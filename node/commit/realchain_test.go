package commit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"

	"github.com/trustedge/trustedge/node/chainview"
	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/store"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamkeeper "github.com/trustedge/trustedge/x/stream/keeper"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// registerStreams registers a device and a stream on chain for each stream
// id the test appended to, homed on operator (the store itself does not
// need them; the chain's Verify query does).
func registerStreams(t testing.TB, n *appNode, operator string, ids map[string]uint64) {
	t.Helper()
	owner := n.chain.Genesis.Accounts[0]
	for id := range ids {
		dev := "dev-" + strings.ReplaceAll(id, ".", "-")
		n.DeliverOutOfBand(owner,
			&devicetypes.MsgRegisterDevice{
				Owner: owner.String(), DeviceId: dev, KeyType: devicetypes.KEY_TYPE_ED25519,
				Pubkey: ed25519.GenPrivKeyFromSecret([]byte(dev)).PubKey().Bytes(), Kind: devicetypes.DEVICE_KIND_COLLECTOR,
				Protocols: []devicetypes.Protocol{devicetypes.PROTOCOL_WIFI}, HomeNode: operator,
			},
			&streamtypes.MsgCreateStream{Owner: owner.String(), StreamId: id, DeviceId: dev, Replication: 1})
	}
	for id := range ids {
		_, err := n.chain.App.StreamKeeper.GetStream(n.chain.Context(), id)
		require.NoError(t, err, "stream %s registered", id)
	}
}

// realCommitter is the production wiring on a real app: the committer
// reads the chain through node/chainview and sends txs with TxBroadcaster
// (accounts read through chainview too) to the appNode's CheckTx.
func realCommitter(t testing.TB, n *appNode, st *store.Store, cfg commit.Config) *running {
	t.Helper()
	op := n.chain.Genesis.Nodes[0].Operator
	view := chainview.New(n.chain.App)
	b := newBroadcaster(t, n, op, view)
	cfg.Operator = op.String()
	return start(t, cfg, st, view, b, nil)
}

// requireOnChain checks epochs 1..last of the operator on the real chain
// against the store, and returns the readings they hold.
func requireOnChain(t *testing.T, n *appNode, st *store.Store, operator string, last uint64) uint64 {
	t.Helper()
	view := chainview.New(n.chain.App)
	ctx := context.Background()
	chainLast, err := view.LastEpoch(ctx, operator)
	require.NoError(t, err)
	require.Equal(t, last, chainLast)
	next := map[string]uint64{}
	var total uint64
	for i := uint64(1); i <= last; i++ {
		c, found, err := view.EpochCommit(ctx, operator, i)
		require.NoError(t, err)
		require.True(t, found, "epoch %d", i)
		e, err := st.Epoch(i)
		require.NoError(t, err)
		require.Equal(t, e.Root, c.Root, "epoch %d root", i)
		require.Equal(t, e.ReadingCount, c.ReadingCount)
		require.Equal(t, uint32(len(e.Batches)), c.StreamCount)
		require.Equal(t, c.Height, e.CommittedHeight)
		for _, b := range e.Batches {
			require.Equal(t, max(next[b.StreamID], 1), b.FirstSeq, "epoch %d stream %s", i, b.StreamID)
			next[b.StreamID] = b.LastSeq + 1
		}
		total += e.ReadingCount
	}
	return total
}

func TestCommitterOnRealChainCommitsEveryReadingOnce(t *testing.T) {
	n := newAppNode(t)
	st := openStore(t, t.TempDir())
	operator := n.chain.Genesis.Nodes[0].Operator.String()
	const writers, streams, appends = 4, 8, 60
	// The streams are on chain before any reading, as the gateway requires
	// (and Verify checks: an epoch committed before its stream was created
	// cannot hold its readings).
	ids := map[string]uint64{}
	for w := range writers {
		for s := range streams {
			ids[fmt.Sprintf("w%d.s%d", w, s)] = 0
		}
	}
	registerStreams(t, n, operator, ids)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.produceBlocks(ctx, 10*time.Millisecond)
	r := realCommitter(t, n, st, commit.Config{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	appended := map[string]uint64{}
	var want uint64
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			for range appends {
				id := fmt.Sprintf("w%d.s%d", w, rng.IntN(streams))
				k := 1 + rng.IntN(20)
				appendN(t, st, id, k)
				mu.Lock()
				appended[id] += uint64(k)
				want += uint64(k)
				mu.Unlock()
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
			}
		}()
	}
	wg.Wait()
	waitFor(t, 60*time.Second, "every reading committed on chain", func() bool { return r.c.Stats().ReadingsCommitted == want })
	require.NoError(t, r.stop())
	cancel()

	last, err := st.LastEpoch()
	require.NoError(t, err)
	require.Greater(t, last.Number, uint64(3), "appends spread over several epochs")
	require.Equal(t, want, requireOnChain(t, n, st, operator, last.Number))
	require.Empty(t, n.failedTxs(), "no MsgCommitEpoch failed in a block")
	s := r.c.Stats()
	require.Equal(t, last.Number, s.EpochsCommitted)
	require.Equal(t, last.Number, s.EpochsClosed)
	require.Equal(t, last.Number, s.LastEpoch)
	require.Equal(t, want, s.ReadingsCommitted)
	require.Equal(t, last.Number, s.LatencySamples)
	require.Positive(t, s.LastLatencyBlocks)
	require.Positive(t, s.LastCommitHeight)
	require.Zero(t, s.RootMismatches)
	for id, count := range appended {
		head, err := st.Head(id)
		require.NoError(t, err)
		require.Equal(t, count, head)
	}

	// Every stream's first and last reading proves through the chain's own
	// Verify query (the stream on chain, homed on this node, created
	// before the epoch); a tampered proof does not.
	q := streamkeeper.NewQueryServerImpl(n.chain.App.StreamKeeper)
	for id, count := range appended {
		for _, seq := range []uint64{1, count} {
			p, _, err := st.Prove(operator, id, seq)
			require.NoError(t, err)
			res, err := q.Verify(n.chain.Context(), &streamtypes.QueryVerifyRequest{Proof: streamtypes.ReadingProofFrom(p)})
			require.NoError(t, err)
			require.True(t, res.Valid, "%s/%d: %s", id, seq, res.Reason)
			p.Reading.Payload = append(p.Reading.Payload, '!')
			res, err = q.Verify(n.chain.Context(), &streamtypes.QueryVerifyRequest{Proof: streamtypes.ReadingProofFrom(p)})
			require.NoError(t, err)
			require.False(t, res.Valid)
		}
	}
}

func TestCommitterOnRealChainRebroadcastsDroppedTx(t *testing.T) {
	n := newAppNode(t)
	n.dropAccepted = 1 // CheckTx passes, then the tx is lost
	st := openStore(t, t.TempDir())
	appendN(t, st, "s1", 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.produceBlocks(ctx, 10*time.Millisecond)
	r := realCommitter(t, n, st, commit.Config{ResendAfterBlocks: 2})

	waitFor(t, 30*time.Second, "epoch 1 committed", func() bool { return r.c.Stats().EpochsCommitted == 1 })
	require.NoError(t, r.stop())
	cancel()
	s := r.c.Stats()
	require.GreaterOrEqual(t, s.Resends, uint64(1))
	require.GreaterOrEqual(t, s.Broadcasts, uint64(2))
	require.Equal(t, uint64(4), requireOnChain(t, n, st, n.chain.Genesis.Nodes[0].Operator.String(), 1))
	require.Empty(t, n.failedTxs())
}

func TestCommitterOnRealChainResumesEpochInFlight(t *testing.T) {
	n := newAppNode(t)
	n.dropAccepted = 1 << 30 // nothing reaches a block while the first process runs
	dir := t.TempDir()
	st := openStore(t, dir)
	appendN(t, st, "a", 3)
	appendN(t, st, "b", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.produceBlocks(ctx, 10*time.Millisecond)
	r := realCommitter(t, n, st, commit.Config{})
	waitFor(t, 30*time.Second, "epoch 1 broadcast", func() bool { s := r.c.Stats(); return s.InFlight == 1 && s.Broadcasts >= 1 })
	require.NoError(t, r.stop())
	inFlight, err := st.LastEpoch()
	require.NoError(t, err)
	require.Zero(t, inFlight.CommittedHeight)

	// The node restarts: new store handle, new broadcaster (sequence read
	// afresh), readings that arrived meanwhile; the chain takes txs again.
	require.NoError(t, st.Close())
	st = openStore(t, dir)
	appendN(t, st, "a", 4)
	n.set(func(n *appNode) { n.dropAccepted = 0 })
	r = realCommitter(t, n, st, commit.Config{})
	waitFor(t, 30*time.Second, "epochs 1 and 2 committed", func() bool { return r.c.Stats().EpochsCommitted == 2 })
	require.NoError(t, r.stop())
	cancel()

	require.Equal(t, uint64(9), requireOnChain(t, n, st, n.chain.Genesis.Nodes[0].Operator.String(), 2))
	e1, err := st.Epoch(1)
	require.NoError(t, err)
	require.Equal(t, inFlight.Root, e1.Root, "the epoch closed before the restart is the one committed")
	// The harness's lost txs advanced the app's CheckTx sequence without
	// ever reaching a block (a real mempool rechecks and forgets them), so a
	// resync can race a block and one tx fail on its sequence; the committer
	// recovers (asserted above). Nothing else may fail.
	for _, log := range n.failedTxs() {
		require.Contains(t, log, "account sequence mismatch")
	}
}
