package dataplane

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// fakeHeight is the chain's height, counting how often the heartbeater
// read it since the last change (each poll reads it once).
type fakeHeight struct {
	mu    sync.Mutex
	h     int64
	reads int
}

func (f *fakeHeight) Height() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return f.h
}

func (f *fakeHeight) current() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.h
}

// set moves to height h and returns once the heartbeater has polled it
// twice: the first poll's broadcast, if any, is then done.
func (f *fakeHeight) set(t *testing.T, h int64) {
	f.mu.Lock()
	f.h, f.reads = h, 0
	f.mu.Unlock()
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.reads >= 2
	}, 10*time.Second, time.Millisecond)
}

// recorder is a Broadcaster that keeps what it was given and fails while
// fail is set.
type recorder struct {
	mu   sync.Mutex
	msgs []*edgetypes.MsgHeartbeat
	at   []int64
	fail bool
	h    *fakeHeight
}

func (r *recorder) Broadcast(_ context.Context, msg sdk.Msg) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return "", errors.New("mempool is full")
	}
	r.msgs = append(r.msgs, msg.(*edgetypes.MsgHeartbeat))
	r.at = append(r.at, r.h.current())
	return "hash", nil
}

func (r *recorder) heights() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.at...)
}

// TestHeartbeaterEveryNBlocks: one heartbeat at the first block, then one
// every EveryBlocks, signed as the sender for the operator's node with the
// sampled load; a failed broadcast is retried at the next block.
func TestHeartbeaterEveryNBlocks(t *testing.T) {
	h := &fakeHeight{}
	r := &recorder{h: h}
	samples := atomic.Uint64{}
	hb := &Heartbeater{Broadcaster: r, Chain: h, Sender: "edge1committer", Operator: "edge1operator", EveryBlocks: 3,
		Poll: time.Millisecond, Log: log.NewNopLogger(),
		Sample: func() edgetypes.Load { return edgetypes.Load{CpuMillicores: samples.Add(1)} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hb.Run(ctx); close(done) }()
	step := func(height int64) { h.set(t, height) }
	step(0) // no block yet: nothing
	for height := int64(1); height <= 7; height++ {
		step(height)
	}
	require.Equal(t, []int64{1, 4, 7}, r.heights())

	r.mu.Lock()
	r.fail = true
	r.mu.Unlock()
	step(10) // due, fails
	r.mu.Lock()
	r.fail = false
	r.mu.Unlock()
	step(10) // same height: not retried until the next block
	step(11)
	cancel()
	<-done
	require.Equal(t, []int64{1, 4, 7, 11}, r.heights())
	for _, m := range r.msgs {
		require.Equal(t, "edge1committer", m.Sender)
		require.Equal(t, "edge1operator", m.Node)
		require.Positive(t, m.Load.CpuMillicores)
	}
}

// TestLoadSampler: CPU burnt between samples shows as millicores, the
// process has resident memory, and the data directory's bytes count in GiB.
func TestLoadSampler(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "sub", "big"))
	if errors.Is(err, os.ErrNotExist) {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
		f, err = os.Create(filepath.Join(dir, "sub", "big"))
	}
	require.NoError(t, err)
	require.NoError(t, f.Truncate(3<<30)) // sparse: 3 GiB apparent, no disk
	require.NoError(t, f.Close())

	s := newLoadSampler(dir)
	deadline := time.Now().Add(200 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) { // one core busy for 200 ms
		x++
	}
	l := s.Sample()
	require.Positive(t, x)
	require.Greater(t, l.CpuMillicores, uint64(100), "a busy loop is most of a core (less on a loaded machine)")
	require.Less(t, l.CpuMillicores, uint64(4000))
	require.Positive(t, l.MemoryMib)
	require.Equal(t, uint64(3), l.StorageGib)
	require.Zero(t, l.ActiveTasks)
	require.Zero(t, newLoadSampler("").Sample().StorageGib)
}

// TestLoadSamplerCountsEveryDataDir: storage counts the chain's data dir
// and the stream store outside it, and a store kept inside the data dir
// (the old default) once.
func TestLoadSamplerCountsEveryDataDir(t *testing.T) {
	sparse := func(path string, size int64) {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		f, err := os.Create(path)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(size))
		require.NoError(t, f.Close())
	}
	home := t.TempDir()
	sparse(filepath.Join(home, "data", "application.db", "x"), 2<<30)
	sparse(filepath.Join(home, "streams", "y"), 3<<30)
	require.Equal(t, uint64(5), newLoadSampler(filepath.Join(home, "data"), filepath.Join(home, "streams")).Sample().StorageGib)

	old := t.TempDir()
	sparse(filepath.Join(old, "data", "application.db", "x"), 2<<30)
	sparse(filepath.Join(old, "data", "streams", "y"), 3<<30)
	require.Equal(t, uint64(5), newLoadSampler(filepath.Join(old, "data"), filepath.Join(old, "data", "streams")).Sample().StorageGib)
	require.Equal(t, uint64(5), newLoadSampler(filepath.Join(old, "data"), filepath.Join(old, "data")+"/").Sample().StorageGib, "the same dir twice")
}

func TestOutermost(t *testing.T) {
	require.Equal(t, []string{"/h/data", "/h/streams"}, outermost([]string{"/h/data", "", "/h/streams", "/h/data/", "/h/data/streams"}))
	require.Equal(t, []string{"/h/data"}, outermost([]string{"/h/data", "/h/data/..x"}), "..x is a name inside data")
	require.Equal(t, []string{"/h/a", "/h/ab"}, outermost([]string{"/h/a", "/h/ab"}))
}

// BenchmarkLoadSample is one heartbeat's measurement over a data directory
// of 2,000 files (a pebble store with a few hundred MB has hundreds).
func BenchmarkLoadSample(b *testing.B) {
	dir := b.TempDir()
	for i := range 2000 {
		sub := filepath.Join(dir, strconv.Itoa(i%20))
		require.NoError(b, os.MkdirAll(sub, 0o755))
		require.NoError(b, os.WriteFile(filepath.Join(sub, strconv.Itoa(i)), []byte("x"), 0o644))
	}
	s := newLoadSampler(dir)
	b.ResetTimer()
	for range b.N {
		_ = s.Sample()
	}
}

// TestHeartbeaterPaused: while Paused says so (ingest halted), no
// heartbeat is sent; afterwards they resume.
func TestHeartbeaterPaused(t *testing.T) {
	h := &fakeHeight{}
	r := &recorder{h: h}
	var paused atomic.Bool
	hb := &Heartbeater{Broadcaster: r, Chain: h, Sender: "edge1c", Operator: "edge1o", EveryBlocks: 1,
		Poll: time.Millisecond, Log: log.NewNopLogger(), Paused: paused.Load,
		Sample: func() edgetypes.Load { return edgetypes.Load{} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hb.Run(ctx); close(done) }()
	h.set(t, 1)
	paused.Store(true)
	h.set(t, 2)
	h.set(t, 3)
	paused.Store(false)
	h.set(t, 4)
	cancel()
	<-done
	require.Equal(t, []int64{1, 4}, r.heights())
}
