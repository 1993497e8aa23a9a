// Command tebench is TrustEdge's chain load generator. It signs bank sends
// (from deterministic bench accounts) and x/edge heartbeats (from each node's
// operator key) in-process, broadcasts them concurrently to every validator
// with broadcast_tx_sync, and measures throughput and commit latency from
// the blocks the chain commits.
//
//	tebench accounts -n 2000 > accounts.json   # bulk-add-genesis-account JSON
//	tebench run -localnet-home .localnet-bench -accounts 2000 -rate 1200 -duration 30s
//
// `run` prints progress to stderr and exactly one line to stdout:
//
//	chain tx_per_s=<n> block_time_ms=<n> p50_commit_ms=<n> p99_commit_ms=<n>
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app"
)

type config struct {
	nodes        []string
	grpcAddr     string
	chainID      string
	numAccounts  int
	workers      int
	rate         float64
	hbRate       float64
	warmup       time.Duration
	duration     time.Duration
	drain        time.Duration
	gas          uint64
	localnetHome string
	fundKey      string
	fundAmount   int64
	progress     time.Duration
	presign      bool
	maxPending   int
	msg          string
	owner        string
}

func main() {
	app.SetAddressPrefixes()
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "accounts":
		err = cmdAccounts(os.Args[2:])
	case "run":
		err = cmdRun(os.Args[2:])
	case "ingest":
		err = cmdIngest(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tebench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  tebench accounts [-n N] [-coins 1000000000uedge]   print bulk-add-genesis-account JSON for N bench keys
  tebench run [flags]                                 load the chain; tebench run -h for flags
  tebench ingest [flags]                              load one node's ingest gateway; tebench ingest -h for flags`)
	os.Exit(2)
}

func cmdAccounts(args []string) error {
	fs := flag.NewFlagSet("accounts", flag.ExitOnError)
	n := fs.Int("n", 1000, "number of bench accounts")
	coinsStr := fs.String("coins", "1000000000"+app.FeeDenom, "coins for each account")
	_ = fs.Parse(args)
	coins, err := sdk.ParseCoinsNormalized(*coinsStr)
	if err != nil {
		return err
	}
	return writeBulkAccounts(os.Stdout, *n, coins)
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var cfg config
	nodes := fs.String("nodes", "http://127.0.0.1:26657,http://127.0.0.1:26757,http://127.0.0.1:26857,http://127.0.0.1:26957",
		"CometBFT RPC endpoints, comma-separated; accounts are spread over them round-robin, the first one is watched for blocks")
	fs.StringVar(&cfg.grpcAddr, "grpc", "127.0.0.1:9090", "gRPC endpoint for account queries")
	fs.StringVar(&cfg.chainID, "chain-id", "trustedge-local", "chain id")
	fs.IntVar(&cfg.numAccounts, "accounts", 1000, "bench accounts (deterministic keys) sending bank transfers")
	fs.IntVar(&cfg.workers, "workers", 0, "concurrent bank-send workers (in-flight broadcast_tx_sync calls), each owning accounts/workers accounts (default: 8 per node)")
	fs.Float64Var(&cfg.rate, "rate", 1200, "offered bank-send load, tx/s")
	fs.Float64Var(&cfg.hbRate, "heartbeat-rate", 40, "offered heartbeat load, tx/s, split over the node operators")
	fs.DurationVar(&cfg.warmup, "warmup", 5*time.Second, "load before the measurement window")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "measurement window")
	fs.DurationVar(&cfg.drain, "drain", 20*time.Second, "max wait after the window for its txs to commit (load continues)")
	fs.Uint64Var(&cfg.gas, "gas", 200_000, "gas limit of every tx (fees are zero)")
	fs.StringVar(&cfg.localnetHome, "localnet-home", ".localnet", "localnet home: operator keys are node<i> in <home>/node<i>/keyring-test")
	fs.StringVar(&cfg.fundKey, "fund-key", "admin", "key in <localnet-home>/node0 (the authority) that funds and grants bench accounts missing on chain (\"\" = fail instead)")
	fs.Int64Var(&cfg.fundAmount, "fund-amount", 10_000_000, "uedge given to each bench account when funding")
	fs.DurationVar(&cfg.progress, "progress", 5*time.Second, "progress line interval (stderr)")
	fs.IntVar(&cfg.maxPending, "max-pending", -1, "pause sending while this many accepted txs await a block (default: 2 s of -rate; 0: no limit)")
	fs.StringVar(&cfg.msg, "msg", "send", "load message: send (bank transfers) or reading (x/stream MsgRecordReading, one reading per tx: the naive alternative to epoch commitments)")
	fs.StringVar(&cfg.owner, "owner", "demo", "with -msg reading: key in <localnet-home>/node0 that registers the bench accounts' devices and streams")
	fs.BoolVar(&cfg.presign, "presign", true, "sign the run's txs before the load starts (the window then measures the chain, not client signing)")
	_ = fs.Parse(args)
	for _, n := range strings.Split(*nodes, ",") {
		if n = strings.TrimSpace(n); n != "" {
			cfg.nodes = append(cfg.nodes, n)
		}
	}
	if len(cfg.nodes) == 0 || cfg.numAccounts < 1 {
		return fmt.Errorf("need at least one node and one account")
	}
	if cfg.workers <= 0 {
		cfg.workers = 8 * len(cfg.nodes)
	}
	cfg.workers = min(cfg.workers, cfg.numAccounts)
	if cfg.maxPending < 0 {
		cfg.maxPending = int(2 * (cfg.rate + cfg.hbRate))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Println(s.finalLine())
	return nil
}

func run(ctx context.Context, cfg config) (summary, error) {
	enc := appEncoding()
	b := &bench{
		cfg:     cfg,
		enc:     enc,
		signer:  &signer{txConfig: enc.txConfig, chainID: cfg.chainID, gas: cfg.gas},
		pending: newPendingSet(),
		// One second of offered load may queue while workers are busy.
		tokens: make(chan struct{}, max(int(cfg.rate), 1)),
	}
	perNode := cfg.workers/len(cfg.nodes) + 8
	for _, n := range cfg.nodes {
		b.clients = append(b.clients, newRPCClient(n, perNode))
	}

	// Operators: key node<i> of each node home (heartbeats go to node i).
	var ops []*account
	for i := range cfg.nodes {
		home := filepath.Join(cfg.localnetHome, fmt.Sprintf("node%d", i))
		op, err := loadKeyringKey(enc.app.Codec(), home, fmt.Sprintf("node%d", i))
		if err != nil {
			return summary{}, fmt.Errorf("operator key: %w", err)
		}
		op.node = i
		ops = append(ops, op)
	}
	accs := benchAccounts(cfg.numAccounts)
	for i, a := range accs {
		a.node = i % len(cfg.nodes)
		a.to = accs[(i+1)%len(accs)]
	}

	q, err := newAccountQuerier(cfg.grpcAddr, enc)
	if err != nil {
		return summary{}, err
	}
	defer q.conn.Close()
	logf("querying %d bench accounts and %d operators on %s", len(accs), len(ops), cfg.grpcAddr)
	if missing, err := q.loadAll(ctx, ops); err != nil || len(missing) > 0 {
		return summary{}, fmt.Errorf("operator accounts: missing=%d err=%v", len(missing), err)
	}
	var funder *account
	if cfg.fundKey != "" {
		if funder, err = loadKeyringKey(enc.app.Codec(), filepath.Join(cfg.localnetHome, "node0"), cfg.fundKey); err != nil {
			return summary{}, err
		}
	}
	if err := b.setupAccounts(ctx, q, funder, accs); err != nil {
		return summary{}, err
	}
	if cfg.msg == msgReading {
		if err := b.setupReadingStreams(ctx, q, ops[0], accs); err != nil {
			return summary{}, err
		}
	}

	if cfg.presign {
		total := (cfg.warmup + cfg.duration + cfg.drain).Seconds() * 1.2
		perAcc := int(math.Ceil(cfg.rate*total/float64(len(accs)))) + 2
		perOp := int(math.Ceil(cfg.hbRate*total/float64(len(ops)))) + 2
		t := time.Now()
		if err := b.presign(accs, perAcc, b.loadMsg); err != nil {
			return summary{}, err
		}
		if cfg.hbRate > 0 {
			if err := b.presign(ops, perOp, func(a *account) sdk.Msg { return heartbeatMsg(a, a.seq) }); err != nil {
				return summary{}, err
			}
		}
		logf("presigned %d sends and %d heartbeats in %s", perAcc*len(accs), perOp*len(ops), time.Since(t).Round(time.Millisecond))
	}

	startHeight, err := b.clients[0].appHeight(ctx)
	if err != nil {
		return summary{}, fmt.Errorf("reading height from %s: %w", cfg.nodes[0], err)
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	go func() { b.watch(watchCtx, startHeight); close(watchDone) }()

	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan struct{})
	var nWorkers int
	{
		// Worker w owns accounts w, w+W, w+2W, …; with W a multiple of the
		// node count they all broadcast to the same node.
		owned := make([][]*account, cfg.workers)
		for i, a := range accs {
			owned[i%cfg.workers] = append(owned[i%cfg.workers], a)
		}
		done := make(chan struct{}, cfg.workers+len(ops))
		for w := range owned {
			go func(w int) { b.sendWorker(loadCtx, owned[w]); done <- struct{}{} }(w)
		}
		for _, op := range ops {
			go func(op *account) { b.heartbeatWorker(loadCtx, op, cfg.hbRate/float64(len(ops))); done <- struct{}{} }(op)
		}
		nWorkers = cfg.workers + len(ops)
		go b.pace(loadCtx, cfg.rate)
		go func() {
			for range nWorkers {
				<-done
			}
			close(loadDone)
		}()
	}
	t0 := time.Now()
	from := t0.Add(cfg.warmup)
	to := from.Add(cfg.duration)
	logf("load started at height %d: %.0f sends/s from %d accounts (%d workers) + %.0f heartbeats/s from %d operators over %d nodes, max %d pending; window %s after %s warmup",
		startHeight, cfg.rate, len(accs), cfg.workers, cfg.hbRate, len(ops), len(cfg.nodes), cfg.maxPending, cfg.duration, cfg.warmup)

	pids := nodePIDs(cfg.localnetHome, len(cfg.nodes))
	var cpuFrom, cpuTo cpuSample
	progress := time.NewTicker(cfg.progress)
	defer progress.Stop()
	var last snapshot
	last.at = t0
	phase := "warmup"
	for {
		now := time.Now()
		if phase == "warmup" && !now.Before(from) {
			phase = "window"
			cpuFrom = sampleCPU(pids)
		}
		if phase == "window" && !now.Before(to) {
			phase = "drain"
			cpuTo = sampleCPU(pids)
		}
		if phase == "drain" {
			if b.pending.countBefore(to) == 0 || now.After(to.Add(cfg.drain)) {
				break
			}
		}
		select {
		case <-ctx.Done():
			stopLoad()
			stopWatch()
			return summary{}, ctx.Err()
		case <-progress.C:
			last = b.progressLine(t0, phase, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
	stopLoad()
	<-loadDone
	// Let the watcher catch up with what is already committed.
	if h, err := b.clients[0].appHeight(ctx); err == nil {
		deadline := time.Now().Add(5 * time.Second)
		for b.height.Load() < h && time.Now().Before(deadline) {
			sleepCtx(ctx, 20*time.Millisecond)
		}
	}
	stopWatch()
	<-watchDone
	b.progressLine(t0, "done", last)
	if err := b.checkResults(ctx); err != nil {
		return summary{}, err
	}

	b.mu.Lock()
	end := time.Now()
	s := summarize(from, to, end, b.commits, b.blocks, b.pending.submittedBetween(from, to))
	b.mu.Unlock()
	logf("window %s: %d txs committed with code 0 (%d with code != 0) in %d blocks (mean %.0f, max %d txs per block); latency samples %d, max %s",
		s.window, s.committedOK, s.failed, s.blocks, s.meanBlockTxs, s.maxBlockTxs, s.samples, s.max.Round(time.Millisecond))
	if s.uncommitted > 0 {
		logf("%d txs accepted in the window were not committed %s after it: their latency counts as their age at the end (a lower bound)", s.uncommitted, cfg.drain)
	}
	logf("%s", cpuReport(cpuFrom, cpuTo, s.committedOK))
	logf("totals: sent send=%d heartbeat=%d, accepted send=%d heartbeat=%d, committed send=%d heartbeat=%d, failed=%d, rejects full=%d seq=%d other=%d rpc-errors=%d dropped-tokens=%d signed-live=%d",
		b.c.sent[kindSend].Load(), b.c.sent[kindHeartbeat].Load(),
		b.c.accepted[kindSend].Load(), b.c.accepted[kindHeartbeat].Load(),
		b.c.committed[kindSend].Load(), b.c.committed[kindHeartbeat].Load(), b.c.failed.Load(),
		b.c.rejFull.Load(), b.c.rejSeq.Load(), b.c.rejOther.Load(), b.c.errRPC.Load(), b.c.dropTokens.Load(), b.c.signedLive.Load())
	return s, nil
}

type snapshot struct {
	at       time.Time
	included int64
	sent     int64
}

func (b *bench) progressLine(t0 time.Time, phase string, last snapshot) snapshot {
	now := time.Now()
	cur := snapshot{
		at:       now,
		included: b.c.included[kindSend].Load() + b.c.included[kindHeartbeat].Load(),
		sent:     b.c.sent[kindSend].Load() + b.c.sent[kindHeartbeat].Load(),
	}
	dt := now.Sub(last.at).Seconds()
	mempool := -1
	if n, err := b.clients[0].numUnconfirmedTxs(context.Background()); err == nil {
		mempool = n
	}
	logf("t=%4.0fs %-6s height=%d sent=%d (%.0f/s) in-blocks=%d (%.0f/s, hb %d) pending=%d mempool0=%d rejects full=%d seq=%d other=%d rpc=%d dropped=%d",
		now.Sub(t0).Seconds(), phase, b.height.Load(), cur.sent, float64(cur.sent-last.sent)/dt,
		cur.included, float64(cur.included-last.included)/dt, b.c.included[kindHeartbeat].Load(),
		b.pending.n.Load(), mempool, b.c.rejFull.Load(), b.c.rejSeq.Load(), b.c.rejOther.Load(),
		b.c.errRPC.Load(), b.c.dropTokens.Load())
	return cur
}
