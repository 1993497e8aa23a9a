package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// samples: the smallest value with at least p% of the samples at or below
// it. samples need not be sorted; it is not modified. Zero for no samples.
func percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return percentileSorted(s, p)
}

func percentileSorted(s []time.Duration, p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	if p <= 0 {
		return s[0]
	}
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(s) {
		rank = len(s)
	}
	return s[rank-1]
}

// commitRec is one of our txs found in a committed block.
type commitRec struct {
	submit  time.Time
	commit  time.Time // when the app was observed to have committed its block
	code    uint32
	checked bool // code read from block_results (after the run)
	kind    txKind
	height  int64
	index   int // position in the block
}

// blockRec is one committed block as the watcher saw it.
type blockRec struct {
	height  int64
	hdrTime time.Time // block header time (proposer's clock, BFT time)
	obs     time.Time // when the watcher saw the app commit it
	ntx     int
	ours    int
}

// summary is the benchmark result over the measurement window [from, to).
type summary struct {
	window       time.Duration
	committedOK  int // our code-0 txs in blocks committed inside the window
	failed       int // our txs committed inside the window with code != 0
	txPerS       float64
	blocks       int
	blockTime    time.Duration // mean header-time interval of the window's blocks
	meanBlockTxs float64
	maxBlockTxs  int
	p50, p99     time.Duration // commit latency of code-0 txs submitted inside the window
	max          time.Duration
	samples      int
	uncommitted  int // accepted in the window, still not committed at the end
}

// summarize computes the final figures. Throughput counts code-0 txs in the
// blocks committed inside the window; latency covers the code-0 txs
// submitted inside the window (committed possibly a little after it). Txs
// accepted in the window but never committed by end count with their age at
// end, a lower bound, so an overloaded chain cannot hide its tail.
func summarize(from, to, end time.Time, commits []commitRec, blocks []blockRec, uncommitted []time.Time) summary {
	s := summary{window: to.Sub(from), uncommitted: len(uncommitted)}
	var lat []time.Duration
	for _, sub := range uncommitted {
		lat = append(lat, end.Sub(sub))
	}
	for _, c := range commits {
		if !c.checked {
			continue // result unknown: neither success nor failure
		}
		inWindow := !c.commit.Before(from) && c.commit.Before(to)
		if inWindow {
			if c.code == 0 {
				s.committedOK++
			} else {
				s.failed++
			}
		}
		if c.code == 0 && !c.submit.Before(from) && c.submit.Before(to) {
			lat = append(lat, c.commit.Sub(c.submit))
		}
	}
	if s.window > 0 {
		s.txPerS = float64(s.committedOK) / s.window.Seconds()
	}
	var first, last time.Time
	for _, b := range blocks {
		if b.obs.Before(from) || !b.obs.Before(to) {
			continue
		}
		if s.blocks == 0 {
			first = b.hdrTime
		}
		last = b.hdrTime
		s.blocks++
		s.meanBlockTxs += float64(b.ntx)
		s.maxBlockTxs = max(s.maxBlockTxs, b.ntx)
	}
	if s.blocks > 0 {
		s.meanBlockTxs /= float64(s.blocks)
	}
	if s.blocks > 1 {
		s.blockTime = last.Sub(first) / time.Duration(s.blocks-1)
	}
	slices.Sort(lat)
	s.samples = len(lat)
	s.p50 = percentileSorted(lat, 50)
	s.p99 = percentileSorted(lat, 99)
	if len(lat) > 0 {
		s.max = lat[len(lat)-1]
	}
	return s
}

// finalLine is the one line bench.sh prints on stdout.
func (s summary) finalLine() string {
	return fmt.Sprintf("chain tx_per_s=%d block_time_ms=%d p50_commit_ms=%d p99_commit_ms=%d",
		int64(math.Round(s.txPerS)), s.blockTime.Milliseconds(), s.p50.Milliseconds(), s.p99.Milliseconds())
}
