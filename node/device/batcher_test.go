package device_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustedge/trustedge/node/device"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// recorder collects a Batcher's callbacks.
type recorder struct {
	mu      sync.Mutex
	acks    []device.Ack
	rejects []device.Rejection
	ackCh   chan device.Ack
}

func newRecorder() *recorder { return &recorder{ackCh: make(chan device.Ack, 1000)} }

func (r *recorder) onAck(a device.Ack) {
	r.mu.Lock()
	r.acks = append(r.acks, a)
	r.mu.Unlock()
	r.ackCh <- a
}

func (r *recorder) onReject(x device.Rejection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejects = append(r.rejects, x)
}

func (r *recorder) snapshot() ([]device.Ack, []device.Rejection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]device.Ack(nil), r.acks...), append([]device.Rejection(nil), r.rejects...)
}

func (r *recorder) waitAck(t *testing.T) device.Ack {
	t.Helper()
	select {
	case a := <-r.ackCh:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no ack within 10s")
		return device.Ack{}
	}
}

// fastRetries keeps tests quick: retries after ~1ms.
var fastRetries = device.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond}

func startBatcher(t *testing.T, tr device.Transport, id device.Identity, cfg device.Config) (*device.Batcher, *recorder) {
	t.Helper()
	rec := newRecorder()
	cfg.ChainID = "trustedge-test"
	cfg.OnAck, cfg.OnReject = rec.onAck, rec.onReject
	if cfg.Backoff == (device.Backoff{}) {
		cfg.Backoff = fastRetries
	}
	b, err := device.NewBatcher(tr, id, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	return b, rec
}

func addN(t *testing.T, b *device.Batcher, from, n int) {
	t.Helper()
	base := time.Unix(1_700_000_000, 0)
	for i := from; i < from+n; i++ {
		if err := b.Add(base.Add(time.Duration(i)*time.Millisecond), []byte(fmt.Sprintf(`{"i":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
}

func closeBatcher(t *testing.T, b *device.Batcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// assertStored checks the gateway holds exactly readings from..from+n-1 (as
// added by addN) at seqs firstSeq.., after any preloaded ones.
func assertStored(t *testing.T, g *fakeGateway, stream string, firstSeq uint64, from, n int) {
	t.Helper()
	got := g.stored(stream)
	if uint64(len(got)) != firstSeq-1+uint64(n) {
		t.Fatalf("stored %d readings, want %d", len(got), firstSeq-1+uint64(n))
	}
	for i := 0; i < n; i++ {
		r := got[firstSeq-1+uint64(i)]
		if want := fmt.Sprintf(`{"i":%d}`, from+i); string(r.Payload) != want {
			t.Fatalf("seq %d holds %s, want %s", firstSeq+uint64(i), r.Payload, want)
		}
	}
}

// Every key type and sign mode: batches cut at MaxBatch, numbered
// contiguously, accepted by a gateway that verifies every signature.
func TestBatcherDeliversSignedBatchesInOrder(t *testing.T) {
	for _, kt := range keyTypes {
		for _, mode := range []device.SignMode{device.BatchSignature, device.ReadingSignatures} {
			t.Run(kt.String()+"/"+mode.String(), func(t *testing.T) {
				g := newFakeGateway(t)
				id := testIdentity(t, "dev-order", kt)
				g.addStream(id)
				b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 100, FlushInterval: time.Hour, SignMode: mode})
				if b.NextSeq() != 1 {
					t.Fatalf("NextSeq = %d on an empty stream", b.NextSeq())
				}
				addN(t, b, 0, 250)
				closeBatcher(t, b)

				acks, rejects := rec.snapshot()
				if len(rejects) != 0 {
					t.Fatalf("rejections: %+v", rejects)
				}
				want := [][2]uint64{{1, 100}, {101, 200}, {201, 250}}
				if len(acks) != len(want) {
					t.Fatalf("%d acks, want %d", len(acks), len(want))
				}
				for i, a := range acks {
					if a.FirstSeq != want[i][0] || a.LastSeq != want[i][1] || a.Attempts != 1 || a.LostAck || a.StreamID != id.StreamID || a.Latency <= 0 || a.AckedAt.IsZero() {
						t.Fatalf("ack %d = %+v", i, a)
					}
				}
				for _, c := range g.ingestCalls() {
					if c.status != http.StatusOK {
						t.Fatalf("gateway refused a call: %+v", c)
					}
				}
				assertStored(t, g, id.StreamID, 1, 0, 250)
				st := b.Stats()
				if st != (device.Stats{Added: 250, Acked: 250, Batches: 3}) || st.Pending() != 0 || b.NextSeq() != 251 {
					t.Fatalf("stats %+v next %d", st, b.NextSeq())
				}
			})
		}
	}
}

func TestBatcherFlushesAfterInterval(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-flush", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 100, FlushInterval: 30 * time.Millisecond})
	start := time.Now()
	addN(t, b, 0, 5)
	a := rec.waitAck(t)
	if a.FirstSeq != 1 || a.LastSeq != 5 {
		t.Fatalf("ack %+v", a)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Fatalf("flushed after %s, before the interval", waited)
	}
	assertStored(t, g, id.StreamID, 1, 0, 5)
}

// A batch too big for one request body splits by size whatever MaxBatch says.
func TestBatcherSplitsByBytes(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-big", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 10000, FlushInterval: time.Hour})
	payload := []byte(strings.Repeat("x", 1024))
	for i := 0; i < 3000; i++ {
		if err := b.Add(time.Unix(0, int64(i)), payload); err != nil {
			t.Fatal(err)
		}
	}
	closeBatcher(t, b)
	acks, rejects := rec.snapshot()
	if len(rejects) != 0 || len(acks) < 2 {
		t.Fatalf("%d acks, %d rejections: want several acks, none rejected", len(acks), len(rejects))
	}
	if n := len(g.stored(id.StreamID)); n != 3000 {
		t.Fatalf("stored %d", n)
	}
}

func TestBatcherRejectsBadInput(t *testing.T) {
	g := newFakeGateway(t)
	c := g.serveHTTP()
	id := testIdentity(t, "dev-cfg", devicetypes.KEY_TYPE_ED25519)
	cases := map[string]struct {
		tr   device.Transport
		id   device.Identity
		cfg  device.Config
		want string
	}{
		"no transport":   {nil, id, device.Config{ChainID: "c"}, "transport"},
		"no chain":       {c, id, device.Config{}, "chain id"},
		"bad identity":   {c, device.Identity{DeviceID: "d"}, device.Config{ChainID: "c"}, "stream id"},
		"batch too big":  {c, id, device.Config{ChainID: "c", MaxBatch: 10001}, "max batch"},
		"negative batch": {c, id, device.Config{ChainID: "c", MaxBatch: -1}, "max batch"},
		"buffer < batch": {c, id, device.Config{ChainID: "c", MaxBatch: 10, MaxBuffered: 5}, "max buffered"},
		"neg flush":      {c, id, device.Config{ChainID: "c", FlushInterval: -time.Second}, "flush"},
		"bad backoff":    {c, id, device.Config{ChainID: "c", Backoff: device.Backoff{Initial: time.Second, Max: time.Millisecond}}, "backoff"},
		"neg attempts":   {c, id, device.Config{ChainID: "c", MaxAttempts: -1}, "attempts"},
		"bad mode":       {c, id, device.Config{ChainID: "c", SignMode: 7}, "sign mode"},
	}
	for name, tc := range cases {
		b, err := device.NewBatcher(tc.tr, tc.id, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || b != nil {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}

	g.addStream(id)
	b, rec := startBatcher(t, c, id, device.Config{})
	if err := b.Add(time.Now(), make([]byte, 1025)); err == nil || !strings.Contains(err.Error(), "at most 1024") {
		t.Fatalf("oversized payload: %v", err)
	}
	closeBatcher(t, b)
	if err := b.Add(time.Now(), []byte("late")); !errors.Is(err, device.ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
	if st := b.Stats(); st.Added != 0 || len(g.ingestCalls()) != 0 {
		t.Fatalf("refused input changed something: %+v", st)
	}
	if acks, rejects := rec.snapshot(); len(acks)+len(rejects) != 0 {
		t.Fatal("callbacks for refused input")
	}
	if err := b.Start(context.Background()); err == nil {
		t.Fatal("second Start accepted")
	}
}

// Add copies the payload: a device may reuse its buffer.
func TestBatcherAddCopiesPayload(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-copy", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	b, _ := startBatcher(t, g.serveHTTP(), id, device.Config{FlushInterval: time.Hour})
	buf := []byte(`{"i":0}`)
	if err := b.Add(time.Unix(0, 0), buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, `{"i":9}`)
	closeBatcher(t, b)
	assertStored(t, g, id.StreamID, 1, 0, 1)
}

// Many goroutines adding into a small buffer while the gateway fails now
// and then: every reading is stored exactly once.
func TestBatcherConcurrentAddsDeliverEachReadingOnce(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-many", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	for i := 0; i < 5; i++ {
		g.inject(fault{status: 503}, fault{lostAck: true})
	}
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 7, MaxBuffered: 20, FlushInterval: time.Millisecond})
	const writers, each = 8, 500
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := b.Add(time.Unix(0, int64(i)), []byte(fmt.Sprintf("%d/%d", w, i))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	closeBatcher(t, b)
	got := g.stored(id.StreamID)
	seen := map[string]bool{}
	for _, r := range got {
		if seen[string(r.Payload)] {
			t.Fatalf("%s stored twice", r.Payload)
		}
		seen[string(r.Payload)] = true
	}
	if len(got) != writers*each {
		t.Fatalf("stored %d of %d", len(got), writers*each)
	}
	acks, rejects := rec.snapshot()
	if len(rejects) != 0 {
		t.Fatalf("rejections %+v", rejects)
	}
	var next uint64 = 1
	for _, a := range acks {
		if a.FirstSeq != next || a.LastSeq-a.FirstSeq >= 7 {
			t.Fatalf("ack %+v, expected to start at %d", a, next)
		}
		next = a.LastSeq + 1
	}
	if st := b.Stats(); st.Acked != writers*each || st.LostAcks == 0 || st.Retries == 0 || st.Pending() != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// countingCtx counts the AfterFunc registrations still live on it
// (context.AfterFunc uses a context's own AfterFunc method when it has one
// and is not a context package cancelCtx; a non-nil Done makes it
// cancellable in the package's eyes, so registrations are made at all).
type countingCtx struct {
	context.Context
	done chan struct{}
	mu   sync.Mutex
	live int
}

func (c *countingCtx) Done() <-chan struct{} { return c.done }

func (c *countingCtx) AfterFunc(f func()) func() bool {
	c.mu.Lock()
	c.live++
	c.mu.Unlock()
	var once sync.Once
	return func() bool {
		stopped := false
		once.Do(func() {
			stopped = true
			c.mu.Lock()
			c.live--
			c.mu.Unlock()
		})
		return stopped
	}
}

// A Batcher that stops drops its registration on Start's ctx: many
// batchers run on one long-lived ctx (a proxy serving devices that come
// and go) must not pile up registrations, each holding its Batcher.
func TestBatcherUnlinksFromStartContext(t *testing.T) {
	g := newFakeGateway(t)
	c := g.serveHTTP()
	ctx := &countingCtx{Context: context.Background(), done: make(chan struct{})}
	for i := range 5 {
		id := testIdentity(t, fmt.Sprintf("unlink-%d", i), devicetypes.KEY_TYPE_ED25519)
		g.addStream(id)
		b, err := device.NewBatcher(c, id, device.Config{ChainID: g.chainID, Backoff: fastRetries})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Start(ctx); err != nil {
			t.Fatal(err)
		}
		addN(t, b, 0, 3)
		closeBatcher(t, b)
		assertStored(t, g, id.StreamID, 1, 0, 3)
	}
	ctx.mu.Lock()
	defer ctx.mu.Unlock()
	if ctx.live != 0 {
		t.Fatalf("%d registrations left on the start context after every batcher closed", ctx.live)
	}
}
