package dataplane

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/store"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// emptyChain has no epochs and no streams: a chain that never saw the
// node's store (lost, replaced, or another node's).
type emptyChain struct{}

func (emptyChain) Height() int64                                     { return 5 }
func (emptyChain) ChainID() string                                   { return "test-1" }
func (emptyChain) LastEpoch(context.Context, string) (uint64, error) { return 0, nil }
func (emptyChain) EpochCommit(context.Context, string, uint64) (streamtypes.EpochCommit, bool, error) {
	return streamtypes.EpochCommit{}, false, nil
}
func (emptyChain) Stream(context.Context, string) (streamtypes.Stream, error) {
	return streamtypes.Stream{}, streamtypes.ErrStreamNotFound
}
func (emptyChain) Device(context.Context, string) (devicetypes.Device, error) {
	return devicetypes.Device{}, devicetypes.ErrDeviceNotFound
}
func (emptyChain) Allowed(context.Context, string, string, string) (bool, error) { return false, nil }
func (emptyChain) Broadcast(context.Context, sdk.Msg) (string, error) {
	return "", errors.New("nothing may be broadcast")
}

// TestCommitterStopHaltsIngest: when the committer stops for good (here
// the store holds epochs the chain never saw), the data plane halts the
// gateway's ingest — batches get unavailable with the reason, /healthz
// says ingest_halted — instead of acknowledging readings that would never
// be committed.
func TestCommitterStopHaltsIngest(t *testing.T) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	for i := uint64(1); i <= 2; i++ {
		_, err := st.Append("s", i, []store.Reading{{Time: 1, Payload: []byte("x")}}, time.Now().UnixNano())
		require.NoError(t, err)
		_, err = st.CloseEpoch(i)
		require.NoError(t, err)
	}
	operator := sdk.AccAddress(bytes.Repeat([]byte{7}, 20)).String()
	chain := emptyChain{}
	gw := gateway.New(gateway.Config{Operator: operator}, st, chain)
	cm := commit.New(commit.Config{Operator: operator, PollInterval: time.Millisecond}, st, chain, chain, log.NewNopLogger())

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	runCommitter(ctx, cm, gw, log.NewNopLogger())
	require.NoError(t, ctx.Err(), "the committer stopped at once")

	h := gw.Health()
	require.Equal(t, "ingest_halted", h.Status)
	require.Contains(t, h.HaltedReason, commit.ErrStoreMismatch.Error())
	_, err = gw.Ingest(ctx, &gatewaypb.IngestRequest{StreamId: "s", DeviceId: "d", FirstSeq: 3})
	var gerr *gateway.Error
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, gateway.ReasonUnavailable, gerr.Reason)
	require.Contains(t, gerr.Message, "ingest halted on this node")
	head, err := st.Head("s")
	require.NoError(t, err)
	require.Equal(t, uint64(2), head, "nothing stored")
}

// TestIngestOpensAfterResume: the data plane's gateway starts closed
// (/healthz "starting", batches refused as unavailable with Retry-After
// 5) and opens when the committer has checked the store against the
// chain — here a store in step with an empty chain.
func TestIngestOpensAfterResume(t *testing.T) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	operator := sdk.AccAddress(bytes.Repeat([]byte{7}, 20)).String()
	chain := emptyChain{}
	gw := gateway.New(gateway.Config{Operator: operator, StartClosed: true}, st, chain)
	require.Equal(t, "starting", gw.Health().Status)
	_, err = gw.Ingest(t.Context(), &gatewaypb.IngestRequest{StreamId: "s", DeviceId: "d", FirstSeq: 1})
	var gerr *gateway.Error
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, gateway.ReasonUnavailable, gerr.Reason)
	require.Contains(t, gerr.Message, "ingest not open yet")
	require.Equal(t, int64(5), gerr.RetryAfterSeconds)

	cm := commit.New(commit.Config{Operator: operator, PollInterval: time.Millisecond, OnResumed: gw.OpenIngest},
		st, chain, chain, log.NewNopLogger())
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	go runCommitter(ctx, cm, gw, log.NewNopLogger())
	require.Eventually(t, func() bool { return gw.Health().Status == "ok" }, 5*time.Second, 5*time.Millisecond)
	// Open: the batch now gets past admission to the chain checks (the
	// empty chain has no such stream).
	_, err = gw.Ingest(ctx, &gatewaypb.IngestRequest{StreamId: "s", DeviceId: "d", FirstSeq: 1})
	require.ErrorAs(t, err, &gerr)
	require.NotContains(t, gerr.Message, "not open yet")
}

// TestDefaultStoreDir: a new node keeps its stream store out of <home>/data
// (which `comet unsafe-reset-all` deletes); a node that already has one at
// the old place keeps using it.
func TestDefaultStoreDir(t *testing.T) {
	home := t.TempDir()
	require.Equal(t, filepath.Join(home, "streams"), DefaultStoreDir(home))

	old := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(old, "data", "streams"), 0o755))
	require.Equal(t, filepath.Join(old, "data", "streams"), DefaultStoreDir(old))
	require.NoError(t, os.MkdirAll(filepath.Join(old, "streams"), 0o755))
	require.Equal(t, filepath.Join(old, "streams"), DefaultStoreDir(old), "the new place wins once it exists")
}
