//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/internal/syncbuf"
)

// TestSoak runs a 4-validator localnet under load while it injects faults,
// then checks that nothing diverged, halted for good or went missing. It
// runs only when SOAK_DURATION is set: `make soak` (10 minutes by default)
// and, briefly, `make test-e2e`.
//
// Load, for the whole run: the chain load generator (build/tebench: bank
// sends from 200 accounts over all four nodes, operator heartbeats) and
// two device simulators streaming signed readings into node1's and node2's
// ingest gateways (their epochs are committed on chain every block).
//
// Faults, one after another with a few quiet seconds between, victims drawn
// from all four nodes (the load generators use node0's RPC and gRPC only to
// set up and retry while it is down), in a fixed rotation:
//   - kill -9 one validator, restart it 3-8 s later: the other three keep
//     committing blocks, and the victim catches up;
//   - freeze one validator (SIGSTOP) for 4-10 s, then SIGCONT: a hung
//     process, as a stalled disk or a paused VM gives;
//   - kill -9 two validators: with half the voting power gone the chain
//     must stop (no block for 4 s), and must resume once they restart;
//   - kill -9 all four at once, restart them 2 s later: the chain must go
//     on from where it stopped.
//
// At the end: every node has the same block hash at every height (so the
// same app hash and results); the uedge supply is what it was; no tx of the
// load generator was committed with an error code; every reading a gateway
// acknowledged is stored, committed once and proves against the chain;
// and no node logged a panic or a consensus failure. SOAK_SEED replays a
// run's victims and timings; SOAK_RATE sets the bank sends per second
// (default 100).
func TestSoak(t *testing.T) {
	dur := soakDuration(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SOAK_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "SOAK_SEED")
		seed = v
	}
	t.Logf("soak %s, SOAK_SEED=%d", dur, seed)
	rng := rand.New(rand.NewPCG(seed, 7))

	ln := StartLocalnet(t, 4, 500)
	t.Cleanup(func() { // a frozen node would ignore localnet.sh stop's SIGTERM
		for i := 0; i < ln.n; i++ {
			ln.signal(i, syscall.SIGCONT)
		}
	})
	supplyBefore := ln.Supply(0)

	ctx, cancel := context.WithTimeout(context.Background(), dur+8*time.Minute)
	defer cancel()
	bench := ln.startTebench(t, ctx, dur)
	// One simulator at a time registers its devices: both sign as the
	// demo owner.
	gateways := []int{1, 2}
	sims := make([]*soakDevsim, len(gateways))
	for k, gw := range gateways {
		sims[k] = ln.startDevsim(t, ctx, gw, dur)
		sims[k].waitStreaming(t, ln)
	}

	// Recovery: from the restart (or SIGCONT) until every node is within
	// two blocks of the others again. Logged, not asserted.
	deadline := time.Now().Add(dur)
	var counts [numFaults]int
	var recovery [numFaults][]time.Duration
	for k := 0; time.Now().Before(deadline); k++ {
		f := fault(k % int(numFaults))
		resumed := ln.inject(t, rng, f)
		counts[f]++
		ln.waitConverged(t, 2*time.Minute)
		recovery[f] = append(recovery[f], time.Since(resumed))
		time.Sleep(time.Duration(3+rng.IntN(5)) * time.Second)
	}
	t.Logf("faults injected: %d kill, %d freeze, %d halt (two killed), %d all killed",
		counts[faultKill], counts[faultFreeze], counts[faultHalt], counts[faultAll])
	for f, name := range []string{"kill -9 + restart", "freeze + SIGCONT", "two killed + restart", "all four killed + restart"} {
		if d := recovery[f]; len(d) > 0 {
			slices.Sort(d)
			t.Logf("recovery after %s: median %s, max %s (%d times)", name, d[len(d)/2].Round(10*time.Millisecond), d[len(d)-1].Round(10*time.Millisecond), len(d))
		}
	}

	totals := bench.wait(t)
	for _, s := range sims {
		s.wait(t)
	}

	// Every node holds the same chain.
	ln.waitConverged(t, 2*time.Minute)
	top, err := ln.Height(0)
	require.NoError(t, err)
	ln.WaitAllHeight(top, time.Minute)
	ref := ln.BlockHashes(t, 0, 1, top)
	for i := 1; i < ln.n; i++ {
		got := ln.BlockHashes(t, i, 1, top)
		for h := int64(1); h <= top; h++ {
			require.Equal(t, ref[h], got[h], "node%d and node0 disagree on block %d", i, h)
		}
	}
	t.Logf("%d blocks identical on all 4 nodes", top)

	require.Equal(t, supplyBefore, ln.Supply(0), "uedge supply changed")
	t.Logf("tebench:\n%s", tail(bench.log.String(), 30))
	require.Zero(t, totals["failed"], "load generator txs committed with an error code")
	require.Zero(t, totals["other"], "load generator txs rejected for a reason other than sequence or a full mempool")
	require.Positive(t, totals["committed_send"], "no bank send committed")
	t.Logf("load generator: %d sends and %d heartbeats committed, %d sequence resyncs, %d RPC errors (nodes down)",
		totals["committed_send"], totals["committed_heartbeat"], totals["seq"], totals["rpc"])

	for k, s := range sims {
		rep := readDevsimReport(t, s.out)
		require.Zero(t, rep.Rejected, tail(s.log.String(), 20))
		require.Equal(t, rep.Sent, rep.Acked, "gateway on node%d: readings sent but never acknowledged", gateways[k])
		require.Positive(t, rep.Acked)
		verifyIngested(t, ln, gateways[k], rep, false)
		t.Logf("node%d gateway: %d readings acknowledged, all committed and provable", gateways[k], rep.Acked)
	}

	for i := 0; i < ln.n; i++ {
		logs, err := os.ReadFile(filepath.Join(ln.NodeHome(i), "trustedged.log"))
		require.NoError(t, err)
		for _, bad := range []string{"panic:", "CONSENSUS FAILURE"} {
			require.NotContains(t, string(logs), bad, "node%d's log", i)
		}
	}
}

func soakDuration(t *testing.T) time.Duration {
	s := os.Getenv("SOAK_DURATION")
	if s == "" {
		t.Skip("SOAK_DURATION not set (make soak)")
	}
	d, err := time.ParseDuration(s)
	require.NoError(t, err, "SOAK_DURATION")
	require.GreaterOrEqual(t, d, 20*time.Second, "SOAK_DURATION: at least 20s")
	return d
}

type fault int

const (
	faultKill fault = iota
	faultFreeze
	faultHalt
	faultAll
	numFaults
)

// inject runs one fault to its end (every victim running again) and returns
// when the victims were resumed.
func (ln *Localnet) inject(t *testing.T, rng *rand.Rand, f fault) (resumed time.Time) {
	t.Helper()
	// Victims a, b and an observer o that stays up, all distinct.
	perm := rng.Perm(ln.n)
	a, b, o := perm[0], perm[1], perm[2]
	start, err := ln.Height(o)
	require.NoError(t, err)
	switch f {
	case faultKill, faultFreeze:
		down := time.Duration(3000+rng.IntN(5000)) * time.Millisecond
		if f == faultKill {
			t.Logf("kill -9 node%d for %s at height %d", a, down, start)
			ln.Kill(a)
		} else {
			down += time.Second
			t.Logf("freeze node%d for %s at height %d", a, down, start)
			ln.signal(a, syscall.SIGSTOP)
		}
		time.Sleep(down)
		// Three of four validators hold more than 2/3 of the power.
		require.Eventually(t, func() bool {
			h, err := ln.Height(o)
			return err == nil && h >= start+2
		}, 30*time.Second, 200*time.Millisecond, "chain stalled with only node%d down", a)
		resumed = time.Now()
		if f == faultKill {
			ln.Restart()
		} else {
			ln.signal(a, syscall.SIGCONT)
		}
	case faultHalt:
		t.Logf("kill -9 node%d and node%d at height %d", a, b, start)
		ln.Kill(a)
		ln.Kill(b)
		time.Sleep(2 * time.Second) // a block already voted may still land
		h1, err := ln.Height(o)
		require.NoError(t, err)
		time.Sleep(4 * time.Second)
		h2, err := ln.Height(o)
		require.NoError(t, err)
		require.Equal(t, h1, h2, "blocks committed with half the voting power down")
		resumed = time.Now()
		ln.Restart()
		require.Eventually(t, func() bool {
			h, err := ln.Height(o)
			return err == nil && h >= h2+2
		}, time.Minute, 200*time.Millisecond, "chain did not resume after node%d and node%d restarted", a, b)
	case faultAll:
		// The whole site goes down at once (e.g. a power cut, as far as
		// kill -9 can play one: the OS keeps what was written).
		t.Logf("kill -9 all %d nodes at height %d", ln.n, start)
		for i := 0; i < ln.n; i++ {
			ln.Kill(i)
		}
		time.Sleep(2 * time.Second)
		resumed = time.Now()
		ln.Restart()
		require.Eventually(t, func() bool {
			h, err := ln.Height(o)
			return err == nil && h >= start+2
		}, time.Minute, 200*time.Millisecond, "chain did not resume after every node restarted")
	}
	return resumed
}

// waitConverged waits until every node answers and is within two blocks of
// the highest.
func (ln *Localnet) waitConverged(t *testing.T, timeout time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		var lo, hi int64 = -1, 0
		for i := 0; i < ln.n; i++ {
			h, err := ln.Height(i)
			if err != nil {
				return false
			}
			if lo < 0 || h < lo {
				lo = h
			}
			hi = max(hi, h)
		}
		return hi-lo <= 2
	}, timeout, 250*time.Millisecond, "nodes did not converge")
}

// WaitAllHeight waits until every node reaches height h.
func (ln *Localnet) WaitAllHeight(h int64, timeout time.Duration) {
	for i := 0; i < ln.n; i++ {
		ln.WaitHeight(i, h, timeout)
	}
}

// signal sends sig to node i's process (errors ignored: used in cleanup).
func (ln *Localnet) signal(i int, sig syscall.Signal) {
	bz, err := os.ReadFile(filepath.Join(ln.NodeHome(i), "trustedged.pid"))
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(bz))); err == nil {
		_ = syscall.Kill(pid, sig)
	}
}

// BlockHashes returns node i's block hashes for heights from..to, read
// through /blockchain (20 headers per call).
func (ln *Localnet) BlockHashes(t *testing.T, i int, from, to int64) map[int64]string {
	t.Helper()
	out := make(map[int64]string, to-from+1)
	for lo := from; lo <= to; lo += 20 {
		hi := min(lo+19, to)
		var res struct {
			BlockMetas []struct {
				BlockID struct {
					Hash string `json:"hash"`
				} `json:"block_id"`
				Header struct {
					Height string `json:"height"`
				} `json:"header"`
			} `json:"block_metas"`
		}
		require.NoError(t, ln.rpcGet(i, fmt.Sprintf("/blockchain?minHeight=%d&maxHeight=%d", lo, hi), &res))
		for _, m := range res.BlockMetas {
			h, err := strconv.ParseInt(m.Header.Height, 10, 64)
			require.NoError(t, err)
			out[h] = m.BlockID.Hash
		}
	}
	require.Len(t, out, int(to-from+1), "node%d is missing blocks in %d..%d", i, from, to)
	return out
}

// Supply is the chain's total uedge supply as node i's REST API reports it.
func (ln *Localnet) Supply(i int) string {
	ln.t.Helper()
	var res struct {
		Amount struct {
			Amount string `json:"amount"`
		} `json:"amount"`
	}
	require.NoError(ln.t, httpJSON(ln.REST(i)+"/cosmos/bank/v1beta1/supply/by_denom?denom=uedge", &res))
	require.NotEmpty(ln.t, res.Amount.Amount)
	return res.Amount.Amount
}

// soakRate is SOAK_RATE (bank sends/s), 100 by default.
func soakRate(t *testing.T) string {
	s := os.Getenv("SOAK_RATE")
	if s == "" {
		return "100"
	}
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, "SOAK_RATE")
	require.Positive(t, v, "SOAK_RATE")
	return s
}

// soakTebench is a running `tebench run`.
type soakTebench struct {
	cmd  *exec.Cmd
	log  *syncbuf.Buffer
	done chan error
}

// startTebench loads the chain for dur from 200 accounts (funded and
// granted by the authority key at start) over all nodes. Txs lost in a
// killed node's mempool never commit, so nothing caps the pending set and
// the drain after the run is short.
func (ln *Localnet) startTebench(t *testing.T, ctx context.Context, dur time.Duration) *soakTebench {
	t.Helper()
	bin := os.Getenv("TEBENCH")
	if bin == "" {
		bin = filepath.Join(ln.root, "build", "tebench")
	}
	_, err := os.Stat(bin)
	require.NoError(t, err, "build the load generator first (make build-bench) or set TEBENCH")
	var nodes []string
	for i := 0; i < ln.n; i++ {
		nodes = append(nodes, ln.rpcURL(i, ""))
	}
	cmd := exec.CommandContext(ctx, bin, "run", "-nodes", strings.Join(nodes, ","),
		"-grpc", fmt.Sprintf("127.0.0.1:%d", ln.offset+9090), "-chain-id", "trustedge-local",
		"-localnet-home", ln.home, "-accounts", "200", "-rate", soakRate(t), "-heartbeat-rate", "4",
		"-warmup", "1s", "-duration", dur.String(), "-drain", "15s", "-max-pending", "0",
		"-presign=false", "-progress", "30s")
	s := &soakTebench{cmd: cmd, log: &syncbuf.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	require.NoError(t, cmd.Start())
	go func() { s.done <- cmd.Wait() }()
	return s
}

var tebenchTotalsRe = regexp.MustCompile(`committed send=(\d+) heartbeat=(\d+), failed=(\d+), rejects full=(\d+) seq=(\d+) other=(\d+) rpc-errors=(\d+)`)

// wait waits for the run to end and returns its totals line's counters.
func (s *soakTebench) wait(t *testing.T) map[string]int {
	t.Helper()
	require.NoError(t, <-s.done, "tebench:\n%s", tail(s.log.String(), 40))
	m := tebenchTotalsRe.FindStringSubmatch(s.log.String())
	require.NotNil(t, m, "no totals line from tebench:\n%s", tail(s.log.String(), 40))
	out := map[string]int{}
	for k, name := range []string{"committed_send", "committed_heartbeat", "failed", "full", "seq", "other", "rpc"} {
		out[name], _ = strconv.Atoi(m[k+1])
	}
	return out
}

// soakDevsim is a running device simulator.
type soakDevsim struct {
	gw     int
	prefix string
	out    string
	log    *syncbuf.Buffer
	done   chan error
}

func (ln *Localnet) startDevsim(t *testing.T, ctx context.Context, gw int, dur time.Duration) *soakDevsim {
	t.Helper()
	s := &soakDevsim{gw: gw, prefix: fmt.Sprintf("soak%d", gw), out: filepath.Join(t.TempDir(), "devsim.json"),
		log: &syncbuf.Buffer{}, done: make(chan error, 1)}
	cmd := ln.devsimCmd(ctx, gw, s.out, "--devices", "3", "--rate", "150", "--duration", dur.String(),
		"--drain", "3m", "--prefix", s.prefix)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	require.NoError(t, cmd.Start())
	go func() { s.done <- cmd.Wait() }()
	return s
}

// waitStreaming waits until the gateway has acknowledged readings, so the
// devices are registered before any fault.
func (s *soakDevsim) waitStreaming(t *testing.T, ln *Localnet) {
	t.Helper()
	require.Eventually(t, func() bool {
		h, err := ln.Head(s.gw, s.prefix+"-pm25-0.pm25")
		return err == nil && h > 50
	}, 90*time.Second, 250*time.Millisecond, "devsim on node%d never got readings acknowledged:\n%s", s.gw, s.log.String())
}

func (s *soakDevsim) wait(t *testing.T) {
	t.Helper()
	require.NoError(t, <-s.done, "devsim on node%d:\n%s", s.gw, tail(s.log.String(), 40))
}
