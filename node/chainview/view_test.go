package chainview_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/trustedge/trustedge/app/apptesting"
	"github.com/trustedge/trustedge/node/chainview"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	"github.com/trustedge/trustedge/x/stream/proof"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// world is a chain on pebble with one device of account 0 homed on node 0,
// one stream for it, and node 0's first epoch committed — all through real
// signed txs — plus a View of the app.
type world struct {
	c      *apptesting.Chain
	view   *chainview.View
	owner  *apptesting.Account
	node   *apptesting.Node
	device devtestutil.TestDevice
	commit *streamtypes.MsgCommitEpoch
}

func newWorld(t testing.TB) *world {
	c := apptesting.SetupOnDisk(t, apptesting.DefaultConfig())
	w := &world{c: c, view: chainview.New(c.App), owner: c.Genesis.Accounts[0], node: c.Genesis.Nodes[0]}
	c.NextBlock()
	w.device = devtestutil.NewTestDevice("sensor-1", w.owner.String(), w.node.Operator.String())
	c.DeliverTx(w.owner, w.device.RegisterMsg())
	c.DeliverTx(w.owner, &streamtypes.MsgCreateStream{
		Owner: w.owner.String(), StreamId: "pm25", DeviceId: w.device.ID, Schema: "pm25.v1", Replication: 2,
	})
	root := proof.EpochRoot([]proof.Batch{{StreamID: "pm25", FirstSeq: 1, LastSeq: 1, Root: make([]byte, 32)}})
	w.commit = &streamtypes.MsgCommitEpoch{
		Sender: w.node.Operator.String(), Epoch: 1, Root: root, ReadingCount: 1, StreamCount: 1,
		WindowStart: c.Time.UnixNano(), WindowEnd: c.Time.UnixNano(),
	}
	c.DeliverTx(w.node.Operator, w.commit)
	return w
}

func TestViewReadsCommittedState(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	v := w.view

	require.Equal(t, w.c.Height(), v.Height())
	require.Equal(t, int64(4), v.Height())
	require.Equal(t, apptesting.DefaultChainID, v.ChainID())

	s, err := v.Stream(ctx, "pm25")
	require.NoError(t, err)
	require.Equal(t, streamtypes.Stream{
		Id: "pm25", DeviceId: "sensor-1", Owner: w.owner.String(), Schema: "pm25.v1",
		HomeNode: w.node.Operator.String(), Replication: 2, Status: streamtypes.STREAM_STATUS_OPEN, CreatedHeight: 3,
	}, s)
	_, err = v.Stream(ctx, "nope")
	require.ErrorIs(t, err, streamtypes.ErrStreamNotFound)

	d, err := v.Device(ctx, "sensor-1")
	require.NoError(t, err)
	require.Equal(t, w.owner.String(), d.Owner)
	require.Equal(t, devicetypes.DEVICE_STATUS_ACTIVE, d.Status)
	_, err = v.Device(ctx, "nope")
	require.ErrorIs(t, err, devicetypes.ErrDeviceNotFound)

	// apptesting grants every test account create+write on stream/*.
	ok, err := v.Allowed(ctx, streamtypes.AccountSubject(w.owner.String()), "write", "stream/pm25")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = v.Allowed(ctx, streamtypes.AccountSubject(w.node.Operator.String()), "write", "stream/pm25")
	require.NoError(t, err)
	require.False(t, ok)
	_, err = v.Allowed(ctx, "nobody", "write", "stream/pm25")
	require.Error(t, err, "a subject x/access cannot parse is no decision, not a denial")

	msg := []byte("batch digest")
	require.NoError(t, v.VerifyDeviceSignature(ctx, "sensor-1", msg, w.device.Key.Sign(msg)))
	require.ErrorIs(t, v.VerifyDeviceSignature(ctx, "sensor-1", []byte("other"), w.device.Key.Sign(msg)), devicetypes.ErrInvalidSignature)
	require.ErrorIs(t, v.VerifyDeviceSignature(ctx, "nope", msg, w.device.Key.Sign(msg)), devicetypes.ErrDeviceNotFound)

	node := w.node.Operator.String()
	last, err := v.LastEpoch(ctx, node)
	require.NoError(t, err)
	require.Equal(t, uint64(1), last)
	last, err = v.LastEpoch(ctx, w.c.Genesis.Nodes[1].Operator.String())
	require.NoError(t, err)
	require.Equal(t, uint64(0), last)
	_, err = v.LastEpoch(ctx, "node0")
	require.ErrorIs(t, err, streamtypes.ErrInvalidAddress)

	c, found, err := v.EpochCommit(ctx, node, 1)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, node, c.Node)
	require.Equal(t, w.commit.Root, c.Root)
	require.Equal(t, int64(4), c.Height)
	_, found, err = v.EpochCommit(ctx, node, 2)
	require.NoError(t, err)
	require.False(t, found)

	// The operator has sent one tx, the owner two.
	accNum, seq, err := v.Account(ctx, w.node.Operator.Address)
	require.NoError(t, err)
	require.Equal(t, w.node.Operator.AccNum, accNum)
	require.Equal(t, uint64(1), seq)
	_, seq, err = v.Account(ctx, w.owner.Address)
	require.NoError(t, err)
	require.Equal(t, uint64(2), seq)
	_, _, err = v.Account(ctx, apptesting.NewAccount("stranger").Address)
	require.ErrorIs(t, err, sdkerrors.ErrUnknownAddress)
	_, _, err = v.Account(ctx, nil)
	require.ErrorIs(t, err, sdkerrors.ErrInvalidAddress)
}

// A block that is finalized but not committed is invisible; it shows once
// committed. The gateway must never accept data against state that may
// still be rolled back.
func TestViewSeesOnlyCommittedState(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	res, err := w.c.FinalizeBlock(w.c.SignTx(w.owner, &streamtypes.MsgCloseStream{Signer: w.owner.String(), StreamId: "pm25"}))
	require.NoError(t, err)
	require.Equal(t, uint32(0), res.TxResults[0].Code, res.TxResults[0].Log)

	s, err := w.view.Stream(ctx, "pm25")
	require.NoError(t, err)
	require.Equal(t, streamtypes.STREAM_STATUS_OPEN, s.Status)
	require.Equal(t, int64(4), w.view.Height())

	w.c.Commit()
	s, err = w.view.Stream(ctx, "pm25")
	require.NoError(t, err)
	require.Equal(t, streamtypes.STREAM_STATUS_CLOSED, s.Status)
	require.Equal(t, int64(5), w.view.Height())
}

func TestViewBeforeFirstBlockAndCancelled(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	v := chainview.New(c.App)
	require.Equal(t, int64(0), v.Height())
	_, err := v.Stream(context.Background(), "pm25")
	require.Error(t, err, "no committed state yet")
	require.NotErrorIs(t, err, streamtypes.ErrStreamNotFound)

	c.NextBlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = v.Stream(ctx, "pm25")
	require.ErrorIs(t, err, context.Canceled)
	_, err = v.Stream(context.Background(), "pm25")
	require.ErrorIs(t, err, streamtypes.ErrStreamNotFound)
}

// Readers on several goroutines while blocks with txs are finalized and
// committed: every read succeeds and heights never go back. Run with -race.
func TestViewConcurrentWithCommits(t *testing.T) {
	w := newWorld(t)
	const readers = 4
	var stop atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			var lastHeight int64
			for !stop.Load() {
				h := w.view.Height()
				if h < lastHeight {
					errs <- fmt.Errorf("height went back from %d to %d", lastHeight, h)
					return
				}
				lastHeight = h
				if _, err := w.view.Stream(ctx, "pm25"); err != nil {
					errs <- err
					return
				}
				if _, err := w.view.Device(ctx, "sensor-1"); err != nil {
					errs <- err
					return
				}
				if _, _, err := w.view.Account(ctx, w.owner.Address); err != nil {
					errs <- err
					return
				}
				reads.Add(1)
			}
		}()
	}
	for epoch := uint64(2); epoch <= 20; epoch++ {
		m := *w.commit
		m.Epoch = epoch
		w.c.DeliverTx(w.node.Operator, &m)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Positive(t, reads.Load())
	last, err := w.view.LastEpoch(context.Background(), w.node.Operator.String())
	require.NoError(t, err)
	require.Equal(t, uint64(20), last)
	t.Logf("%d concurrent read rounds during 19 blocks", reads.Load())
}

// After a restart the new app's View starts at the height on disk, and it
// follows the next commits.
func TestViewHeightAfterRestart(t *testing.T) {
	w := newWorld(t)
	h := w.c.Height()
	w.c.Restart()
	v := chainview.New(w.c.App)
	require.Equal(t, h, v.Height())
	// Before the restarted node's first block BaseApp has no header at the
	// latest height; the View reads that height by number.
	s, err := v.Stream(context.Background(), "pm25")
	require.NoError(t, err)
	require.Equal(t, "sensor-1", s.DeviceId)
	ok, err := v.Allowed(context.Background(), streamtypes.AccountSubject(w.owner.String()), "write", "stream/pm25")
	require.NoError(t, err)
	require.True(t, ok)
	w.c.NextBlock()
	require.Equal(t, h+1, v.Height())
}

// TestAllowedJudgesExpiryByTheClock: a grant that is live at the last
// block's time but expired by the clock (the chain stalls, or its blocks
// lag) no longer allows; one live by both does. The chain itself still
// judges at block time.
func TestAllowedJudgesExpiryByTheClock(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	require.True(t, w.c.Time.Before(time.Now().Add(-time.Hour)), "the test chain's clock must lag the wall clock")
	g := w.c.Genesis
	stale := apptesting.NewAccount("stale-grantee")
	fresh := apptesting.NewAccount("fresh-grantee")
	lagging := w.c.Time.Add(time.Hour) // live at block time, expired by the clock
	live := time.Now().Add(time.Hour)
	w.c.DeliverTx(g.Authority, &accesstypes.MsgGrant{Granter: g.Authority.String(), Subject: streamtypes.AccountSubject(stale.String()),
		Resource: "stream/pm25", Actions: []string{"write"}, ExpiresAt: &lagging})
	w.c.DeliverTx(g.Authority, &accesstypes.MsgGrant{Granter: g.Authority.String(), Subject: streamtypes.AccountSubject(fresh.String()),
		Resource: "stream/pm25", Actions: []string{"write"}, ExpiresAt: &live})

	onChain, err := w.c.App.AccessKeeper.Check(w.c.Context(), streamtypes.AccountSubject(stale.String()), "write", "stream/pm25")
	require.NoError(t, err)
	require.True(t, onChain.Allowed, "at block time the grant is live")
	ok, err := w.view.Allowed(ctx, streamtypes.AccountSubject(stale.String()), "write", "stream/pm25")
	require.NoError(t, err)
	require.False(t, ok, "expired by the clock")
	ok, err = w.view.Allowed(ctx, streamtypes.AccountSubject(fresh.String()), "write", "stream/pm25")
	require.NoError(t, err)
	require.True(t, ok)
}
