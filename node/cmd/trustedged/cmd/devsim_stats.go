package cmd

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/trustedge/trustedge/node/device"
)

// devsimStats gathers the Batchers' callbacks: ack latencies, acknowledged
// ranges per stream (for proof samples) and the first rejection errors.
type devsimStats struct {
	mu         sync.Mutex
	lastAck    time.Time
	latencies  []time.Duration // a uniform sample of at most maxLatencySamples
	acks       uint64          // acknowledgements seen (the sample's population)
	rng        *rand.Rand
	ranges     map[string][][2]uint64
	rejections []string
}

// Bounds on what devsimStats keeps, so a long run stays small.
const (
	maxRangesPerStream = 1024
	maxRejectionNotes  = 20
	// maxLatencySamples bounds the latency sample (reservoir sampling keeps
	// it uniform over the whole run): a localnet's devsim runs for months.
	maxLatencySamples = 100_000
)

func newDevsimStats() *devsimStats {
	return &devsimStats{ranges: map[string][][2]uint64{}, rng: rand.New(rand.NewPCG(1, 2))}
}

func (s *devsimStats) onAck(a device.Ack) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastAck = now
	s.acks++
	if len(s.latencies) < maxLatencySamples {
		s.latencies = append(s.latencies, a.Latency)
	} else if j := s.rng.Uint64N(s.acks); j < maxLatencySamples {
		s.latencies[j] = a.Latency
	}
	rs := s.ranges[a.StreamID]
	r := [2]uint64{a.FirstSeq, a.LastSeq}
	if len(rs) < maxRangesPerStream {
		rs = append(rs, r)
	} else {
		rs[len(rs)-1] = r // keep the latest as the last sample
	}
	s.ranges[a.StreamID] = rs
}

// onReject keeps the first errors for the report; the caller prints them.
func (s *devsimStats) onReject(r device.Rejection) string {
	note := fmt.Sprintf("stream %s: %d readings (first seq %d) rejected: %v", r.StreamID, len(r.Readings), r.FirstSeq, r.Err)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.rejections) < maxRejectionNotes {
		s.rejections = append(s.rejections, note)
	}
	return note
}

// ackSample is an acknowledged reading: something an e2e test can prove.
type ackSample struct {
	StreamID string `json:"stream_id"`
	Seq      uint64 `json:"seq"`
}

// samples are, per stream in id order, the first acknowledged seq, one
// from the middle and the last.
func (s *devsimStats) samples() []ackSample {
	s.mu.Lock()
	defer s.mu.Unlock()
	streams := make([]string, 0, len(s.ranges))
	for id := range s.ranges {
		streams = append(streams, id)
	}
	slices.Sort(streams)
	var out []ackSample
	for _, id := range streams {
		rs := s.ranges[id]
		mid := rs[len(rs)/2]
		seqs := []uint64{rs[0][0], mid[0] + (mid[1]-mid[0])/2, rs[len(rs)-1][1]}
		slices.Sort(seqs)
		for _, seq := range slices.Compact(seqs) {
			out = append(out, ackSample{StreamID: id, Seq: seq})
		}
	}
	return out
}

// ackSpan is from start to the last acknowledgement (or elapsed if there
// was none): the window the throughput is measured over, so the idle end
// of a drain does not dilute it.
func (s *devsimStats) ackSpan(start time.Time, elapsed time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastAck.IsZero() {
		return elapsed
	}
	return s.lastAck.Sub(start)
}

// latencyPercentiles returns p50 and p99 of the ack latencies.
func (s *devsimStats) latencyPercentiles() (p50, p99 time.Duration) {
	s.mu.Lock()
	ds := slices.Clone(s.latencies)
	s.mu.Unlock()
	slices.Sort(ds)
	return percentile(ds, 50), percentile(ds, 99)
}

// percentile is the nearest-rank percentile p (1..100) of sorted ds.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 · n)
	return sorted[max(rank, 1)-1]
}

// devsimTotals adds up the Batchers' counters.
func devsimTotals(bs []*device.Batcher) device.Stats {
	var t device.Stats
	for _, b := range bs {
		s := b.Stats()
		t.Added += s.Added
		t.Acked += s.Acked
		t.Rejected += s.Rejected
		t.Batches += s.Batches
		t.Retries += s.Retries
		t.Resyncs += s.Resyncs
		t.LostAcks += s.LostAcks
	}
	return t
}

// devsimSummary is the run's result: the final line and the --out file.
type devsimSummary struct {
	ChainID      string      `json:"chain_id"`
	Gateway      string      `json:"gateway"`
	Operator     string      `json:"operator"`
	Devices      int         `json:"devices"`
	Streams      []string    `json:"streams"`
	Rate         int         `json:"rate"`
	Seconds      float64     `json:"seconds"`
	Sent         uint64      `json:"sent"`
	Acked        uint64      `json:"acked"`
	Rejected     uint64      `json:"rejected"`
	Batches      uint64      `json:"batches"`
	Retries      uint64      `json:"retries"`
	Resyncs      uint64      `json:"resyncs"`
	LostAcks     uint64      `json:"lost_acks"`
	P50AckMs     int64       `json:"p50_ack_ms"`
	P99AckMs     int64       `json:"p99_ack_ms"`
	ReadingsPerS int64       `json:"readings_per_s"`
	Rejections   []string    `json:"rejections,omitempty"`
	Samples      []ackSample `json:"samples"`
}

// newDevsimSummary computes the summary from the totals, the collected
// latencies, the elapsed time (generation plus drain) and the span
// throughput is measured over (see ackSpan).
func newDevsimSummary(t device.Stats, st *devsimStats, elapsed, span time.Duration) devsimSummary {
	p50, p99 := st.latencyPercentiles()
	s := devsimSummary{
		Sent: t.Added, Acked: t.Acked, Rejected: t.Rejected, Batches: t.Batches,
		Retries: t.Retries, Resyncs: t.Resyncs, LostAcks: t.LostAcks,
		P50AckMs: p50.Milliseconds(), P99AckMs: p99.Milliseconds(),
		Seconds: elapsed.Seconds(),
		Samples: st.samples(),
	}
	if span > 0 {
		s.ReadingsPerS = int64(t.Acked) * int64(time.Second) / int64(span)
	}
	st.mu.Lock()
	s.Rejections = slices.Clone(st.rejections)
	st.mu.Unlock()
	return s
}

// line is the final summary line; scripts parse it, keep its format.
func (s devsimSummary) line() string {
	return fmt.Sprintf("devsim devices=%d sent=%d acked=%d rejected=%d p50_ack_ms=%d p99_ack_ms=%d readings_per_s=%d",
		s.Devices, s.Sent, s.Acked, s.Rejected, s.P50AckMs, s.P99AckMs, s.ReadingsPerS)
}

// progressLine is one --report line.
func progressLine(elapsed time.Duration, t device.Stats) string {
	rate := int64(0)
	if elapsed > 0 {
		rate = int64(t.Acked) * int64(time.Second) / int64(elapsed)
	}
	return fmt.Sprintf("devsim t=%s sent=%d acked=%d rejected=%d pending=%d retries=%d resyncs=%d lost_acks=%d acked_per_s=%d",
		elapsed.Truncate(time.Second), t.Added, t.Acked, t.Rejected, t.Pending(), t.Retries, t.Resyncs, t.LostAcks, rate)
}

// writeFile writes the summary as indented JSON (atomically: a reader
// never sees half a file).
func (s devsimSummary) writeFile(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
