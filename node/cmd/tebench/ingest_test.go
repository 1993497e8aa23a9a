package main

import (
	"testing"
	"time"
)

// summarizeIngest assigns acknowledged batches to the epochs that committed
// them in acknowledgement order and measures latency from send to the
// observation of that epoch.
func TestSummarizeIngest(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	acks := []ackRec{ // out of order on purpose: the summary sorts by ack
		{send: at(300), ack: at(310), n: 100},
		{send: at(0), ack: at(10), n: 100},
		{send: at(100), ack: at(110), n: 100},
		{send: at(900), ack: at(910), n: 100}, // never committed
	}
	epochs := []epochRec{
		{epoch: 1, count: 200, obs: at(600)}, // batches sent at 0 and 100
		{epoch: 2, count: 100, obs: at(950)}, // batch sent at 300
	}
	r := summarizeIngest(acks, epochs, at(0), at(1000), at(3000))
	if r.samples != 4 {
		t.Fatalf("samples %d, want 4 (the uncommitted batch counts at its age)", r.samples)
	}
	if r.p50 != 600*time.Millisecond || r.p99 != 2100*time.Millisecond {
		t.Fatalf("p50 %s p99 %s, want 600ms and 2100ms (latencies 500, 600, 650, and 2100 uncommitted)", r.p50, r.p99)
	}
	if r.committedPerS != 300 || r.ackedPerS != 400 {
		t.Fatalf("committed %.0f/s acked %.0f/s, want 300 and 400 over the 1 s window", r.committedPerS, r.ackedPerS)
	}
	if got := r.line(2); got != "ingest-run committed_readings_per_s=300 acked_readings_per_s=400 p50_ms=600 p99_ms=2100 latency_samples=4 rejected_requests=2" {
		t.Fatalf("line %q", got)
	}
}
