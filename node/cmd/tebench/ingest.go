package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

type ingestConfig struct {
	gatewayGRPC  string
	chainGRPC    string
	rpc          string
	chainID      string
	localnetHome string
	ownerKey     string
	nodeIndex    int
	devices      int
	batch        int
	clients      int
	rate         float64
	payloadBytes int
	warmup       time.Duration
	duration     time.Duration
	drain        time.Duration
	poll         time.Duration
}

// cmdIngest is `tebench ingest`: load one edge node's gateway with signed
// reading batches and measure readings committed on chain per second and
// the send -> finalized-commitment latency.
func cmdIngest(args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ExitOnError)
	var c ingestConfig
	fs.StringVar(&c.gatewayGRPC, "gateway-grpc", "127.0.0.1:8081", "ingest gateway gRPC endpoint of the loaded node")
	fs.StringVar(&c.chainGRPC, "grpc", "127.0.0.1:9090", "chain gRPC endpoint (queries)")
	fs.StringVar(&c.rpc, "rpc", "http://127.0.0.1:26657", "CometBFT RPC of node0 (setup txs)")
	fs.StringVar(&c.chainID, "chain-id", "trustedge-local", "chain id")
	fs.StringVar(&c.localnetHome, "localnet-home", ".localnet", "localnet home (owner key in node0, operator key node<i> in node<i>)")
	fs.StringVar(&c.ownerKey, "owner", "demo", "key in <localnet-home>/node0 that owns the bench devices")
	fs.IntVar(&c.nodeIndex, "node", 0, "index of the loaded node (devices are homed on its operator)")
	fs.IntVar(&c.devices, "devices", 200, "simulated devices, one stream each")
	fs.IntVar(&c.batch, "batch", 500, "readings per signed batch")
	fs.IntVar(&c.clients, "clients", 16, "concurrent gRPC clients (each owns devices/clients devices)")
	fs.Float64Var(&c.rate, "rate", 0, "offered readings/s (0: as fast as the gateway acknowledges)")
	fs.IntVar(&c.payloadBytes, "payload", 64, "payload bytes per reading")
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "load before the measurement window")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "measurement window")
	fs.DurationVar(&c.drain, "drain", 15*time.Second, "max wait after the load for the window's readings to commit")
	fs.DurationVar(&c.poll, "poll", 20*time.Millisecond, "how often the chain is polled for new epoch commitments")
	_ = fs.Parse(args)
	if c.devices < 1 || c.batch < 1 || c.clients < 1 || c.batch > ingest.MaxReadingsPerBatch {
		return fmt.Errorf("need devices, clients >= 1 and 1 <= batch <= %d", ingest.MaxReadingsPerBatch)
	}
	c.clients = min(c.clients, c.devices)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	line, err := runIngest(ctx, c)
	if err != nil {
		return err
	}
	fmt.Println(line)
	return nil
}

// ackRec is one acknowledged batch.
type ackRec struct {
	send, ack time.Time
	n         int
}

// epochRec is one epoch commitment of the loaded node, as the watcher saw it.
type epochRec struct {
	epoch  uint64
	count  uint64
	height int64
	obs    time.Time
}

func runIngest(ctx context.Context, c ingestConfig) (string, error) {
	enc := appEncoding()
	b := &bench{
		enc:     enc,
		signer:  &signer{txConfig: enc.txConfig, chainID: c.chainID, gas: 200_000},
		clients: []*rpcClient{newRPCClient(c.rpc, 8)},
	}
	q, err := newAccountQuerier(c.chainGRPC, enc)
	if err != nil {
		return "", err
	}
	defer q.conn.Close()
	owner, err := loadKeyringKey(enc.app.Codec(), filepath.Join(c.localnetHome, "node0"), c.ownerKey)
	if err != nil {
		return "", err
	}
	nodeName := fmt.Sprintf("node%d", c.nodeIndex)
	op, err := loadKeyringKey(enc.app.Codec(), filepath.Join(c.localnetHome, nodeName), nodeName)
	if err != nil {
		return "", err
	}
	devs := ingestDevices("bench", c.devices)
	if err := b.registerDevices(ctx, q, q.conn, owner, op.addrStr, devs); err != nil {
		return "", err
	}

	cdc := codec.NewProtoCodec(enc.registry)
	gconn, err := grpc.NewClient(c.gatewayGRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(cdc.GRPCCodec()), grpc.MaxCallSendMsgSize(ingest.MaxBodyBytes)))
	if err != nil {
		return "", err
	}
	defer gconn.Close()
	gc := gatewaypb.NewGatewayClient(gconn)
	for _, d := range devs {
		h, err := gc.Head(ctx, &gatewaypb.HeadRequest{StreamId: d.stream})
		if err != nil {
			return "", fmt.Errorf("gateway %s head of %s: %w", c.gatewayGRPC, d.stream, err)
		}
		d.next = h.LastSeq + 1
	}
	sq := streamtypes.NewQueryClient(q.conn)
	base, err := latestEpoch(ctx, sq, op.addrStr)
	if err != nil {
		return "", err
	}

	w := &ingestWatch{sq: sq, node: op.addrStr, last: base}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go w.run(watchCtx, c.poll)

	pids := nodePIDs(c.localnetHome, 0) // however many validators the bench started
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var (
		mu       sync.Mutex
		acks     []ackRec
		rejected atomic.Int64
		wg       sync.WaitGroup
	)
	var tokens chan struct{}
	if c.rate > 0 {
		tokens = make(chan struct{}, c.clients*2)
		go paceTokens(loadCtx, tokens, c.rate/float64(c.batch), func() {})
	}
	payload := make([]byte, c.payloadBytes)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	logf("ingest: %d devices, %d clients, batches of %d, %d-byte payloads -> %s (operator %s)",
		c.devices, c.clients, c.batch, c.payloadBytes, c.gatewayGRPC, op.addrStr)
	t0 := time.Now()
	for ci := 0; ci < c.clients; ci++ {
		var mine []*benchDevice
		for i := ci; i < len(devs); i += c.clients {
			mine = append(mine, devs[i])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]ackRec, 0, 1024)
			defer func() { mu.Lock(); acks = append(acks, local...); mu.Unlock() }()
			for k := 0; loadCtx.Err() == nil; k++ {
				if tokens != nil {
					select {
					case <-loadCtx.Done():
						return
					case <-tokens:
					}
				}
				d := mine[k%len(mine)]
				req := signedBatch(c.chainID, d, c.batch, payload)
				send := time.Now()
				_, err := gc.Ingest(loadCtx, req)
				if err != nil {
					if loadCtx.Err() != nil {
						return
					}
					rejected.Add(1)
					switch status.Code(err) {
					case codes.AlreadyExists, codes.OutOfRange:
						if h, herr := gc.Head(loadCtx, &gatewaypb.HeadRequest{StreamId: d.stream}); herr == nil {
							d.next = h.LastSeq + 1
						}
					case codes.ResourceExhausted, codes.Unavailable:
						sleepCtx(loadCtx, 50*time.Millisecond)
					default:
						logf("ingest %s: %v", d.stream, err)
						sleepCtx(loadCtx, 200*time.Millisecond)
					}
					continue
				}
				d.next += uint64(c.batch)
				local = append(local, ackRec{send: send, ack: time.Now(), n: c.batch})
			}
		}()
	}
	from := t0.Add(c.warmup)
	to := from.Add(c.duration)
	sleepCtx(ctx, time.Until(from))
	cpuA := sampleCPU(pids)
	sleepCtx(ctx, time.Until(to))
	cpuB := sampleCPU(pids)
	stopLoad()
	wg.Wait()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}

	// Wait until every acknowledged reading is in a commitment we observed.
	var acked uint64
	for _, a := range acks {
		acked += uint64(a.n)
	}
	deadline := time.Now().Add(c.drain)
	for w.committedSince() < acked && time.Now().Before(deadline) {
		sleepCtx(ctx, 50*time.Millisecond)
	}
	stopWatch()
	res := summarizeIngest(acks, w.snapshot(), from, to, time.Now())
	logf("ingest: acked %d readings (%d batches), %d requests rejected, %d of them committed in %d epochs",
		acked, len(acks), rejected.Load(), w.committedSince(), len(w.snapshot()))
	var committedInWindow int
	for _, e := range w.snapshot() {
		if !e.obs.Before(from) && e.obs.Before(to) {
			committedInWindow += int(e.count)
		}
	}
	logf("%s", cpuReport(cpuA, cpuB, 0))
	if committedInWindow > 0 && cpuA.ok && cpuB.ok {
		logf("validator CPU per 1,000 committed readings: %.2f ms (all nodes)", cpuPerUnit(cpuA, cpuB)/float64(committedInWindow)*1e6)
	}
	return res.line(rejected.Load()), nil
}

// cpuPerUnit is the validators' CPU seconds between two samples.
func cpuPerUnit(a, b cpuSample) float64 {
	var s float64
	for i := range a.nodes {
		if a.nodes[i] >= 0 && b.nodes[i] >= 0 {
			s += b.nodes[i] - a.nodes[i]
		}
	}
	return s
}

// signedBatch builds a batch of n readings for d at its next sequence number,
// signed by the device key over node/ingest.BatchSignBytes.
func signedBatch(chainID string, d *benchDevice, n int, payload []byte) *gatewaypb.IngestRequest {
	now := time.Now().UnixNano()
	rs := make([]gatewaypb.Reading, n)
	sr := make([]ingest.BatchReading, n)
	for i := range rs {
		rs[i] = gatewaypb.Reading{Time: now + int64(i), Payload: payload}
		sr[i] = ingest.BatchReading{Time: rs[i].Time, Payload: payload}
	}
	sig, err := d.key.Sign(ingest.BatchSignBytes(chainID, d.stream, d.id, d.next, sr))
	if err != nil {
		panic(err) // ed25519 signing does not fail
	}
	return &gatewaypb.IngestRequest{StreamId: d.stream, DeviceId: d.id, FirstSeq: d.next, Readings: rs, Signature: sig}
}

// ingestWatch polls the chain for the loaded node's new epoch commitments.
type ingestWatch struct {
	sq   streamtypes.QueryClient
	node string
	last uint64

	mu     sync.Mutex
	epochs []epochRec
}

func latestEpoch(ctx context.Context, sq streamtypes.QueryClient, node string) (uint64, error) {
	res, err := sq.Epochs(ctx, &streamtypes.QueryEpochsRequest{Node: node, Pagination: &query.PageRequest{Limit: 1}})
	if err != nil {
		return 0, fmt.Errorf("epochs of %s: %w", node, err)
	}
	if len(res.Commits) == 0 {
		return 0, nil
	}
	return res.Commits[0].Epoch, nil
}

func (w *ingestWatch) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// Newest first: a page of 50 covers any backlog between two polls.
		res, err := w.sq.Epochs(ctx, &streamtypes.QueryEpochsRequest{Node: w.node, Pagination: &query.PageRequest{Limit: 50}})
		if err != nil {
			continue
		}
		obs := time.Now()
		var fresh []epochRec
		for _, cm := range res.Commits {
			if cm.Epoch > w.last {
				fresh = append(fresh, epochRec{epoch: cm.Epoch, count: cm.ReadingCount, height: cm.Height, obs: obs})
			}
		}
		if len(fresh) == 0 {
			continue
		}
		slices.SortFunc(fresh, func(a, b epochRec) int { return int(a.epoch) - int(b.epoch) })
		w.mu.Lock()
		w.epochs = append(w.epochs, fresh...)
		w.last = fresh[len(fresh)-1].epoch
		w.mu.Unlock()
	}
}

func (w *ingestWatch) snapshot() []epochRec {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.epochs)
}

func (w *ingestWatch) committedSince() uint64 {
	var n uint64
	for _, e := range w.snapshot() {
		n += e.count
	}
	return n
}

// ingestResult is the measured window.
type ingestResult struct {
	committedPerS float64
	ackedPerS     float64
	p50, p99      time.Duration
	samples       int
}

// summarizeIngest matches acknowledged batches to the commitments that
// finalized them. The node closes an epoch over every reading acknowledged
// before the close, so readings are committed in acknowledgement order:
// the k-th acknowledged reading is in the first epoch whose cumulative
// reading count reaches k. A batch's latency is from its send to the moment
// the watcher saw that epoch in a committed block; a batch never seen
// committed counts at its age at asOf (a lower bound), as the chain bench
// counts its uncommitted txs, so an overloaded run cannot report a p99
// better than what its slowest batches got.
func summarizeIngest(acks []ackRec, epochs []epochRec, from, to, asOf time.Time) ingestResult {
	slices.SortFunc(acks, func(a, b ackRec) int { return a.ack.Compare(b.ack) })
	var (
		res       ingestResult
		lat       []time.Duration
		cum       uint64
		ei        int
		committed uint64
		inWindow  uint64
	)
	for _, e := range epochs {
		if !e.obs.Before(from) && e.obs.Before(to) {
			committed += e.count
		}
	}
	var epochCum uint64
	if len(epochs) > 0 {
		epochCum = epochs[0].count
	}
	for _, a := range acks {
		cum += uint64(a.n)
		if !a.send.Before(from) && a.send.Before(to) {
			inWindow += uint64(a.n)
		}
		for ei < len(epochs) && epochCum < cum {
			ei++
			if ei < len(epochs) {
				epochCum += epochs[ei].count
			}
		}
		if !a.send.Before(from) && a.send.Before(to) {
			if ei >= len(epochs) {
				lat = append(lat, asOf.Sub(a.send)) // acknowledged, never seen committed
			} else {
				lat = append(lat, epochs[ei].obs.Sub(a.send))
			}
		}
	}
	w := to.Sub(from).Seconds()
	res.committedPerS = float64(committed) / w
	res.ackedPerS = float64(inWindow) / w
	slices.Sort(lat)
	res.p50 = percentileSorted(lat, 50)
	res.p99 = percentileSorted(lat, 99)
	res.samples = len(lat)
	return res
}

func (r ingestResult) line(rejected int64) string {
	return fmt.Sprintf("ingest-run committed_readings_per_s=%d acked_readings_per_s=%d p50_ms=%d p99_ms=%d latency_samples=%d rejected_requests=%d",
		int64(r.committedPerS), int64(r.ackedPerS), r.p50.Milliseconds(), r.p99.Milliseconds(), r.samples, rejected)
}
