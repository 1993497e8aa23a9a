package device_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trustedge/trustedge/node/device"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// 503s are retried with the SAME batch: same first seq, same signature.
func TestBatcherRetriesSameBatchOn503(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-503", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	g.inject(fault{status: 503, reason: device.ReasonUnavailable}, fault{status: 500, reason: "internal"})
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 10, FlushInterval: time.Hour})
	addN(t, b, 0, 10)
	a := rec.waitAck(t)
	if a.FirstSeq != 1 || a.LastSeq != 10 || a.Attempts != 3 || a.LostAck {
		t.Fatalf("ack %+v", a)
	}
	calls := g.ingestCalls()
	if len(calls) != 3 || calls[0].status != 503 || calls[1].status != 500 || calls[2].status != 200 {
		t.Fatalf("calls %+v", calls)
	}
	for _, c := range calls[1:] {
		if c.firstSeq != calls[0].firstSeq || !bytes.Equal(c.signature, calls[0].signature) || c.n != 10 {
			t.Fatalf("retry changed the batch: %+v vs %+v", c, calls[0])
		}
	}
	assertStored(t, g, id.StreamID, 1, 0, 10)
	if st := b.Stats(); st.Retries != 2 || st.Acked != 10 || st.Rejected != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// A 429's Retry-After replaces the (here ~1ms) backoff.
func TestBatcherHonoursRetryAfterOn429(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-429", devicetypes.KEY_TYPE_SECP256K1)
	g.addStream(id)
	g.inject(fault{status: 429, reason: device.ReasonRateLimited, retryAfter: "1"})
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 3, FlushInterval: time.Hour})
	addN(t, b, 0, 3)
	a := rec.waitAck(t)
	calls := g.ingestCalls()
	if len(calls) != 2 || calls[0].status != 429 || a.Attempts != 2 {
		t.Fatalf("calls %+v ack %+v", calls, a)
	}
	if gap := calls[1].at.Sub(calls[0].at); gap < time.Second {
		t.Fatalf("retried %s after a 429 asking for 1s", gap)
	}
	if a.Latency < time.Second {
		t.Fatalf("latency %s excludes the wait", a.Latency)
	}
	assertStored(t, g, id.StreamID, 1, 0, 3)
}

// The gateway stores the batch but the answer is lost (connection broken):
// the retry is refused as a replay covering the batch, which is the ack.
// Nothing is stored twice and the next batch continues after it.
func TestBatcherCountsCoveringReplayAsAck(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-lost", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	g.inject(fault{lostAck: true})
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 5, FlushInterval: time.Hour})
	addN(t, b, 0, 5)
	a := rec.waitAck(t)
	if !a.LostAck || a.FirstSeq != 1 || a.LastSeq != 5 || a.Attempts != 2 || !a.AckedAt.IsZero() {
		t.Fatalf("ack %+v", a)
	}
	calls := g.ingestCalls()
	if len(calls) != 2 || calls[1].status != http.StatusConflict || calls[1].firstSeq != 1 {
		t.Fatalf("calls %+v", calls)
	}
	addN(t, b, 5, 5)
	if a := rec.waitAck(t); a.FirstSeq != 6 || a.LastSeq != 10 || a.LostAck {
		t.Fatalf("next ack %+v", a)
	}
	assertStored(t, g, id.StreamID, 1, 0, 10)
	if st := b.Stats(); st.LostAcks != 1 || st.Acked != 10 || st.Batches != 2 || st.Retries != 1 || st.Resyncs != 0 {
		t.Fatalf("stats %+v", st)
	}
	if g.headCalls() != 1 {
		t.Fatalf("%d head calls: the replay's last_seq should have sufficed", g.headCalls())
	}
}

// The stream moved on without this client (another session wrote 7
// readings): the replay does not cover our batch, so it is renumbered from
// the head, re-signed and stored after them.
func TestBatcherResyncsOnReplayNotCovering(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-moved", devicetypes.KEY_TYPE_SECP256K1)
	g.addStream(id)
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 10, FlushInterval: time.Hour})
	g.preload(id.StreamID, 7)
	addN(t, b, 0, 10)
	a := rec.waitAck(t)
	if a.FirstSeq != 8 || a.LastSeq != 17 || a.LostAck || a.Attempts != 2 {
		t.Fatalf("ack %+v", a)
	}
	calls := g.ingestCalls()
	if len(calls) != 2 || calls[0].status != http.StatusConflict || calls[1].firstSeq != 8 || bytes.Equal(calls[0].signature, calls[1].signature) {
		t.Fatalf("calls %+v (the renumbered batch must be signed anew)", calls)
	}
	assertStored(t, g, id.StreamID, 8, 0, 10)
	if st := b.Stats(); st.Resyncs != 1 || st.LostAcks != 0 || b.NextSeq() != 18 {
		t.Fatalf("stats %+v next %d", st, b.NextSeq())
	}
}

// The gateway's head went back (restored from an older copy): our next
// batch leaves a gap, so it is renumbered from Head and delivered.
func TestBatcherResyncsOnGap(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-gap", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 4, FlushInterval: time.Hour})
	addN(t, b, 0, 8)
	rec.waitAck(t)
	rec.waitAck(t)
	g.truncate(id.StreamID, 3)
	heads := g.headCalls()
	addN(t, b, 8, 4)
	a := rec.waitAck(t)
	if a.FirstSeq != 4 || a.LastSeq != 7 {
		t.Fatalf("ack %+v", a)
	}
	calls := g.ingestCalls()
	if c := calls[len(calls)-2]; c.status != http.StatusConflict || c.firstSeq != 9 {
		t.Fatalf("gap call %+v", c)
	}
	if g.headCalls() != heads+1 {
		t.Fatal("a gap must resync from Head")
	}
	got := g.stored(id.StreamID)
	if len(got) != 7 || string(got[3].Payload) != `{"i":8}` || string(got[6].Payload) != `{"i":11}` {
		t.Fatalf("stored %d readings: %s .. %s", len(got), got[3].Payload, got[len(got)-1].Payload)
	}
	if st := b.Stats(); st.Resyncs != 1 || st.Acked != 12 {
		t.Fatalf("stats %+v", st)
	}
}

// A 403 is final: reported with every reading and the error; nothing is
// stored; the stream's next number does not move, so once access is back
// the next batch takes it.
func TestBatcherReportsPermanent403(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-403", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	g.setForbidden(id.StreamID, true)
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 6, FlushInterval: time.Hour})
	addN(t, b, 0, 6)
	deadline := time.Now().Add(10 * time.Second)
	for b.Stats().Rejected == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	_, rejects := rec.snapshot()
	if len(rejects) != 1 {
		t.Fatalf("%d rejections", len(rejects))
	}
	r := rejects[0]
	var apiErr *device.APIError
	if !errors.As(r.Err, &apiErr) || apiErr.Status != http.StatusForbidden || apiErr.Reason != device.ReasonForbidden {
		t.Fatalf("rejection error %v", r.Err)
	}
	if r.StreamID != id.StreamID || r.FirstSeq != 1 || len(r.Readings) != 6 || string(r.Readings[5].Payload) != `{"i":5}` {
		t.Fatalf("rejection %+v", r)
	}
	if len(g.ingestCalls()) != 1 || len(g.stored(id.StreamID)) != 0 {
		t.Fatal("a permanent refusal was retried or stored")
	}
	if b.NextSeq() != 1 {
		t.Fatalf("NextSeq moved to %d", b.NextSeq())
	}

	g.setForbidden(id.StreamID, false)
	addN(t, b, 6, 6)
	if a := rec.waitAck(t); a.FirstSeq != 1 || a.LastSeq != 6 {
		t.Fatalf("ack after access is back %+v", a)
	}
	assertStored(t, g, id.StreamID, 1, 6, 6)
	if st := b.Stats(); st.Rejected != 6 || st.Acked != 6 || st.Pending() != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// A restarted device continues after the stream's head.
func TestBatcherContinuesFromHeadAfterRestart(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-restart", devicetypes.KEY_TYPE_SECP256K1)
	g.addStream(id)
	c := g.serveHTTP()
	first, _ := startBatcher(t, c, id, device.Config{MaxBatch: 21})
	addN(t, first, 0, 42)
	closeBatcher(t, first)

	again, rec := startBatcher(t, c, id, device.Config{MaxBatch: 5})
	if again.NextSeq() != 43 {
		t.Fatalf("restarted at %d", again.NextSeq())
	}
	addN(t, again, 42, 5)
	if a := rec.waitAck(t); a.FirstSeq != 43 || a.LastSeq != 47 || a.Attempts != 1 {
		t.Fatalf("ack %+v", a)
	}
	assertStored(t, g, id.StreamID, 1, 0, 47)
}

func TestBatcherStartFailsOnUnknownStream(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-none", devicetypes.KEY_TYPE_ED25519)
	rec := newRecorder()
	b, err := device.NewBatcher(g.serveHTTP(), id, device.Config{ChainID: g.chainID, OnReject: rec.onReject})
	if err != nil {
		t.Fatal(err)
	}
	addN(t, b, 0, 3) // buffered before Start
	err = b.Start(context.Background())
	var apiErr *device.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || !strings.Contains(err.Error(), id.StreamID) {
		t.Fatalf("Start: %v", err)
	}
	if g.headCalls() != 1 {
		t.Fatalf("%d head calls: a 404 is not retried", g.headCalls())
	}
	if _, rejects := rec.snapshot(); len(rejects) != 1 || len(rejects[0].Readings) != 3 {
		t.Fatalf("buffered readings not reported: %+v", rejects)
	}
	if err := b.Add(time.Now(), nil); !errors.Is(err, device.ErrClosed) {
		t.Fatalf("Add after failed Start: %v", err)
	}
}

// A gateway that never recovers: Close with a deadline gives up, and every
// reading is reported (none vanishes); blocked Adds are released.
func TestBatcherCloseDeadlineReportsUndelivered(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-down", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	for i := 0; i < 10000; i++ {
		g.inject(fault{status: 503, reason: device.ReasonUnavailable})
	}
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 4, MaxBuffered: 8, FlushInterval: time.Millisecond})
	addN(t, b, 0, 12) // 4 in flight, 8 buffered: the buffer is full

	blocked := make(chan error)
	go func() { blocked <- b.Add(time.Now(), []byte("blocked")) }()
	select {
	case err := <-blocked:
		t.Fatalf("Add on a full buffer returned at once: %v", err)
	case <-time.After(50 * time.Millisecond):
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := b.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close: %v", err)
	}
	if err := <-blocked; !errors.Is(err, device.ErrClosed) {
		t.Fatalf("blocked Add: %v", err)
	}
	_, rejects := rec.snapshot()
	n := 0
	for _, r := range rejects {
		n += len(r.Readings)
		if !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("rejection error %v", r.Err)
		}
	}
	st := b.Stats()
	if n != 12 || st.Added != 12 || st.Rejected != 12 || st.Pending() != 0 || st.Acked != 0 {
		t.Fatalf("reported %d readings, stats %+v", n, st)
	}
	if len(g.stored(id.StreamID)) != 0 {
		t.Fatal("stored during an outage")
	}
}

// MaxAttempts turns an endless outage into a reported failure.
func TestBatcherMaxAttempts(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-max", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	g.inject(fault{status: 503}, fault{status: 503}, fault{status: 503})
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 2, MaxAttempts: 3})
	addN(t, b, 0, 2)
	closeBatcher(t, b)
	_, rejects := rec.snapshot()
	if len(rejects) != 1 || !strings.Contains(rejects[0].Err.Error(), "gave up after 3 attempts") {
		t.Fatalf("rejections %+v", rejects)
	}
	if len(g.ingestCalls()) != 3 {
		t.Fatalf("%d calls", len(g.ingestCalls()))
	}
}

// Close on a Batcher never started reports what was added.
func TestBatcherCloseWithoutStart(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-idle", devicetypes.KEY_TYPE_ED25519)
	rec := newRecorder()
	b, err := device.NewBatcher(g.serveHTTP(), id, device.Config{ChainID: g.chainID, OnReject: rec.onReject})
	if err != nil {
		t.Fatal(err)
	}
	addN(t, b, 0, 2)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, rejects := rec.snapshot(); len(rejects) != 1 || len(rejects[0].Readings) != 2 {
		t.Fatalf("rejections %+v", rejects)
	}
	if err := b.Start(context.Background()); err == nil {
		t.Fatal("Start after Close accepted")
	}
}

// waitRejections waits for n rejections and returns them.
func waitRejections(t *testing.T, rec *recorder, n int) []device.Rejection {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, rj := rec.snapshot()
		if len(rj) >= n {
			return rj
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rejections, want %d", len(rj), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A batch stored whose answer was lost, then refused (503 backlog) until
// MaxAttempts: it is rejected as MaybeDelivered. The next batch, numbered
// from the same seq, meets a covering replay with no unanswered try of its
// own: that proves nothing about it, so it resyncs and is stored after the
// first — never acknowledged unstored.
func TestBatcherReplayAfterUncertainRejectIsNoAck(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-unsure", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	g.inject(fault{lostAck: true}, fault{status: 503, reason: device.ReasonUnavailable})
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 5, FlushInterval: time.Hour, MaxAttempts: 2})
	addN(t, b, 0, 5)
	rj := waitRejections(t, rec, 1)
	if !rj[0].MaybeDelivered || rj[0].FirstSeq != 1 {
		t.Fatalf("rejection %+v: the first try went unanswered", rj[0])
	}
	addN(t, b, 5, 5)
	a := rec.waitAck(t)
	if a.LostAck || a.FirstSeq != 6 || a.LastSeq != 10 {
		t.Fatalf("ack %+v: want readings 5..9 stored as 6..10", a)
	}
	assertStored(t, g, id.StreamID, 1, 0, 10)
}

// Another session already wrote past our whole first batch: the first try
// meets a covering replay, which is not an ack (nothing of ours was ever
// sent unanswered); the batch is renumbered and stored.
func TestBatcherFirstTryCoveringReplayResyncs(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-other", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 5, FlushInterval: time.Hour})
	g.preload(id.StreamID, 7)
	addN(t, b, 0, 5)
	a := rec.waitAck(t)
	if a.LostAck || a.FirstSeq != 8 || a.LastSeq != 12 {
		t.Fatalf("ack %+v", a)
	}
	assertStored(t, g, id.StreamID, 8, 0, 5)
	if st := b.Stats(); st.LostAcks != 0 || st.Resyncs != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// Stored with the answer lost, then a permanent 403 (device suspended for
// a moment): rejected as MaybeDelivered; once allowed again the next batch
// is stored after it, not acknowledged by the old batch's replay.
func TestBatcherReplayAfterUncertain403IsNoAck(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-susp", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	g.inject(fault{lostAck: true}, fault{status: 403, reason: device.ReasonForbidden})
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 5, FlushInterval: time.Hour})
	addN(t, b, 0, 5)
	if rj := waitRejections(t, rec, 1); !rj[0].MaybeDelivered {
		t.Fatalf("rejection %+v", rj[0])
	}
	addN(t, b, 5, 3)
	b.Close(t.Context())
	a := rec.waitAck(t)
	if a.LostAck || a.FirstSeq != 6 || a.LastSeq != 8 {
		t.Fatalf("ack %+v", a)
	}
	assertStored(t, g, id.StreamID, 1, 0, 8)
}

// While the gateway turns every batch away (503, ingest halted), the
// buffer fills; AddContext then gives up when its context ends instead of
// blocking, and the reading is not buffered. Once the gateway takes
// batches again everything buffered is delivered.
func TestBatcherAddContextGivesUpWhenFull(t *testing.T) {
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-full", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	halted := make([]fault, 50)
	for i := range halted {
		halted[i] = fault{status: 503, reason: device.ReasonUnavailable}
	}
	g.inject(halted...)
	b, rec := startBatcher(t, g.serveHTTP(), id, device.Config{MaxBatch: 2, MaxBuffered: 4, FlushInterval: time.Millisecond,
		Backoff: device.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond}})
	for i := range 4 {
		if err := b.AddContext(t.Context(), time.Unix(int64(i), 0), []byte(`{"i":`+string(rune('0'+i))+`}`)); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	// The first batch is in delivery (taken from the buffer); fill the rest.
	deadline := time.Now().Add(5 * time.Second)
	for b.Stats().Added < 6 && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		_ = b.AddContext(ctx, time.Now(), []byte(`{"x":1}`))
		cancel()
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	before := b.Stats().Added
	if err := b.AddContext(ctx, time.Now(), []byte(`{"late":1}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("add to a full buffer: %v, want context.DeadlineExceeded", err)
	}
	if got := b.Stats().Added; got != before {
		t.Fatalf("a reading that timed out was buffered (%d -> %d)", before, got)
	}
	// The gateway recovers: all buffered readings arrive, none is lost.
	if err := b.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	acks, rejects := rec.snapshot()
	var acked uint64
	for _, a := range acks {
		acked += a.LastSeq - a.FirstSeq + 1
	}
	if len(rejects) != 0 || acked != before {
		t.Fatalf("acked %d of %d buffered, %d rejections", acked, before, len(rejects))
	}
}
