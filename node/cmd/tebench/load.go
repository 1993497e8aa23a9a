package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

type txKind uint8

const (
	kindSend txKind = iota
	kindHeartbeat
	numKinds
)

func (k txKind) String() string {
	if k == kindHeartbeat {
		return "heartbeat"
	}
	return "send"
}

// pendingSet maps tx hash -> submission of txs the nodes accepted (CheckTx
// code 0) and that no committed block has carried yet.
type pendingSet struct {
	shards [64]struct {
		mu sync.Mutex
		m  map[[32]byte]pendingTx
	}
	n atomic.Int64
}

type pendingTx struct {
	submit time.Time
	kind   txKind
}

func newPendingSet() *pendingSet {
	p := &pendingSet{}
	for i := range p.shards {
		p.shards[i].m = make(map[[32]byte]pendingTx)
	}
	return p
}

// add records an accepted tx. A resend of a tx already pending (the node
// answered "already in cache") keeps its first submission time.
func (p *pendingSet) add(h [32]byte, tx pendingTx) {
	s := &p.shards[h[0]%64]
	s.mu.Lock()
	if _, dup := s.m[h]; !dup {
		p.n.Add(1)
		s.m[h] = tx
	}
	s.mu.Unlock()
}

func (p *pendingSet) take(h [32]byte) (pendingTx, bool) {
	s := &p.shards[h[0]%64]
	s.mu.Lock()
	tx, ok := s.m[h]
	if ok {
		delete(s.m, h)
		p.n.Add(-1)
	}
	s.mu.Unlock()
	return tx, ok
}

// submittedBetween returns the submit times of pending txs submitted in [from, to).
func (p *pendingSet) submittedBetween(from, to time.Time) []time.Time {
	var out []time.Time
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		for _, tx := range s.m {
			if !tx.submit.Before(from) && tx.submit.Before(to) {
				out = append(out, tx.submit)
			}
		}
		s.mu.Unlock()
	}
	return out
}

// countBefore counts pending txs submitted before t.
func (p *pendingSet) countBefore(t time.Time) int {
	n := 0
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		for _, tx := range s.m {
			if tx.submit.Before(t) {
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}

type counters struct {
	sent       [numKinds]atomic.Int64 // broadcast attempts
	accepted   [numKinds]atomic.Int64 // CheckTx code 0
	included   [numKinds]atomic.Int64 // ours, in a block (code read after the run)
	committed  [numKinds]atomic.Int64 // ours, in a block, code 0 (checkResults)
	failed     atomic.Int64           // ours, in a block, code != 0 (checkResults)
	rejFull    atomic.Int64           // mempool full / rechecking
	rejSeq     atomic.Int64           // sequence mismatch (resynced)
	rejOther   atomic.Int64
	errRPC     atomic.Int64 // transport errors
	dropTokens atomic.Int64 // pacer ticks no worker was free to take
	signedLive atomic.Int64 // txs signed during the load (presigned ran out or was invalidated)
}

type bench struct {
	cfg      config
	enc      encoding
	signer   *signer
	clients  []*rpcClient
	pending  *pendingSet
	c        counters
	tokens   chan struct{}
	height   atomic.Int64
	mu       sync.Mutex
	commits  []commitRec
	blocks   []blockRec
	errLogMu sync.Mutex
	errLogs  map[string]int // by kind
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[tebench] "+format+"\n", args...)
}

// logErr logs the first few unexpected errors of each kind, so a
// misconfiguration is visible without flooding stderr, and a flood of one
// kind (RPC errors while a node is down) does not hide the first of another.
func (b *bench) logErr(kind, format string, args ...any) {
	b.errLogMu.Lock()
	defer b.errLogMu.Unlock()
	if b.errLogs == nil {
		b.errLogs = map[string]int{}
	}
	if b.errLogs[kind] < 10 {
		b.errLogs[kind]++
		logf(format, args...)
	}
}

var seqMismatchRe = regexp.MustCompile(`expected (\d+), got (\d+)`)

// send signs msg as acc and broadcasts it to acc's node until the node
// accepts it, the attempt budget runs out or ctx ends. Mempool-full answers
// back off and retry; sequence mismatches resync from the node's answer.
func (b *bench) send(ctx context.Context, acc *account, kind txKind, msg func() sdk.Msg) {
	cl := b.clients[acc.node]
	backoff := 20 * time.Millisecond
	// Latency counts from the first attempt: time spent rejected (mempool
	// full, resync) is part of what the client waits.
	var first time.Time
	for attempt := 0; attempt < 50 && ctx.Err() == nil; attempt++ {
		tx := acc.nextPresigned()
		if tx == nil {
			var err error
			if tx, err = b.signer.sign(acc, 0, msg()); err != nil {
				b.logErr("sign", "signing for %s: %v", acc.name, err)
				b.c.rejOther.Add(1)
				return
			}
			b.c.signedLive.Add(1)
		}
		h := txHash(tx)
		if first.IsZero() {
			first = time.Now()
		}
		b.c.sent[kind].Add(1)
		res, err := cl.broadcastTxSync(ctx, tx)
		switch {
		case err == nil && res.Code == 0, isInCache(err):
			b.pending.add(h, pendingTx{submit: first, kind: kind})
			b.c.accepted[kind].Add(1)
			acc.seq++
			return
		case err != nil && isMempoolFull(err):
			b.c.rejFull.Add(1)
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			b.c.errRPC.Add(1)
			b.logErr("rpc", "broadcast to %s: %v", cl.url, err)
		case res.Codespace == "sdk" && res.Code == 32: // ErrWrongSequence
			b.c.rejSeq.Add(1)
			m := seqMismatchRe.FindStringSubmatch(res.Log)
			if m == nil {
				b.logErr("seq", "%s: unparsable sequence mismatch: %s", acc.name, res.Log)
				return
			}
			want, _ := strconv.ParseUint(m[1], 10, 64)
			acc.seq = want
			continue // re-sign at once with the node's sequence
		default:
			b.c.rejOther.Add(1)
			b.logErr("rejected", "%s tx of %s rejected: code=%d codespace=%s log=%s", kind, acc.name, res.Code, res.Codespace, res.Log)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		if backoff < 500*time.Millisecond {
			backoff *= 2
		}
	}
}

// pace hands out rate tokens per second to the send workers. Up to one
// second of tokens queue; beyond that a token no worker is free to take is
// dropped and counted: the workers are blocked because the nodes answer
// CheckTx slowly (e.g. while executing a block) or -max-pending is reached.
func (b *bench) pace(ctx context.Context, rate float64) {
	paceTokens(ctx, b.tokens, rate, func() { b.c.dropTokens.Add(1) })
}

// paceTokens sends rate tokens per second into tokens until ctx ends; a
// token that finds the channel full is dropped (and reported to dropped).
func paceTokens(ctx context.Context, tokens chan<- struct{}, rate float64, dropped func()) {
	const tick = 2 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	credit := 0.0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			credit += rate * now.Sub(last).Seconds()
			last = now
			for ; credit >= 1; credit-- {
				select {
				case tokens <- struct{}{}:
				default:
					dropped()
				}
			}
		}
	}
}

// sendWorker owns accs: each token sends 1uedge from its next account to
// that account's recipient.
func (b *bench) sendWorker(ctx context.Context, accs []*account) {
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-b.tokens:
		}
		for b.cfg.maxPending > 0 && b.pending.n.Load() >= int64(b.cfg.maxPending) && ctx.Err() == nil {
			sleepCtx(ctx, 5*time.Millisecond)
		}
		acc := accs[i%len(accs)]
		b.send(ctx, acc, kindSend, func() sdk.Msg { return b.loadMsg(acc) })
	}
}

// heartbeatWorker sends MsgHeartbeat signed by one node operator at rate/s.
func (b *bench) heartbeatWorker(ctx context.Context, op *account, rate float64) {
	if rate <= 0 {
		return
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.send(ctx, op, kindHeartbeat, func() sdk.Msg { return heartbeatMsg(op, op.seq) })
	}
}

// watch follows the app's committed height on the first node and matches
// every committed tx against the pending set.
func (b *bench) watch(ctx context.Context, from int64) {
	cl := b.clients[0]
	next := from + 1
	for ctx.Err() == nil {
		h, err := cl.appHeight(ctx)
		if err != nil || h < next {
			if err != nil && ctx.Err() == nil {
				b.logErr("watch", "abci_info: %v", err)
			}
			sleepCtx(ctx, 20*time.Millisecond)
			continue
		}
		obs := time.Now()
		for ; next <= h && ctx.Err() == nil; next++ {
			if err := b.processBlock(ctx, cl, next, obs); err != nil {
				if ctx.Err() == nil {
					b.logErr("watch", "block %d: %v", next, err)
					sleepCtx(ctx, 100*time.Millisecond)
				}
				break
			}
			b.height.Store(next)
		}
	}
}

func (b *bench) processBlock(ctx context.Context, cl *rpcClient, height int64, obs time.Time) error {
	blk, err := cl.block(ctx, height)
	if err != nil {
		return err
	}
	br := blockRec{height: height, hdrTime: blk.Time, obs: obs, ntx: len(blk.Txs)}
	var recs []commitRec
	for i, tx := range blk.Txs {
		p, ok := b.pending.take(txHash(tx))
		if !ok {
			continue
		}
		br.ours++
		b.c.included[p.kind].Add(1)
		recs = append(recs, commitRec{submit: p.submit, commit: obs, kind: p.kind, height: height, index: i})
	}
	b.mu.Lock()
	b.commits = append(b.commits, recs...)
	b.blocks = append(b.blocks, br)
	b.mu.Unlock()
	return nil
}

// checkResults reads the result code of each of our committed txs, once
// the load and the measurement window are over: block_results answers in
// JSON with every event of every tx, and serving it while measuring cost
// the watched node ~20 % more CPU than its peers, load the chain under test
// would not otherwise carry. Blocks are spread over all nodes (they agree
// on results: the results hash is in the next header), and a node that does
// not answer (down, or still catching up after a restart) is skipped for
// the next. Must run after the watcher stopped.
func (b *bench) checkResults(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	results := make(map[int64][]txResult)
	for i, blk := range b.blocks {
		if blk.ours == 0 {
			continue
		}
		res, err := b.blockResults(ctx, i, blk.height)
		if err != nil {
			return err
		}
		if len(res) != blk.ntx {
			return fmt.Errorf("block %d: %d txs but %d results", blk.height, blk.ntx, len(res))
		}
		results[blk.height] = res
	}
	for i := range b.commits {
		c := &b.commits[i]
		r := results[c.height][c.index]
		c.code, c.checked = r.Code, true
		if r.Code == 0 {
			b.c.committed[c.kind].Add(1)
		} else {
			b.c.failed.Add(1)
			b.logErr("failed", "%s tx failed in block %d: code=%d codespace=%s log=%s", c.kind, c.height, r.Code, r.Codespace, r.Log)
		}
	}
	return nil
}

// blockResults reads a block's tx results from node first%n, or from the
// next nodes in turn when it does not answer.
func (b *bench) blockResults(ctx context.Context, first int, height int64) ([]txResult, error) {
	var errs []error
	for k := range b.clients {
		cl := b.clients[(first+k)%len(b.clients)]
		res, err := cl.blockResults(ctx, height)
		if err == nil {
			return res, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", cl.url, err))
	}
	return nil, fmt.Errorf("block_results %d from no node: %w", height, errors.Join(errs...))
}

// presign signs perAcc txs ahead for every account, from its current
// sequence on, using all CPUs.
func (b *bench) presign(accs []*account, perAcc int, msg func(a *account) sdk.Msg) error {
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		errMu sync.Mutex
		first error
	)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(accs) {
					return
				}
				a := accs[i]
				start := a.seq
				txs := make([][]byte, 0, perAcc)
				for k := range perAcc {
					a.seq = start + uint64(k)
					tx, err := b.signer.sign(a, 0, msg(a))
					if err != nil {
						errMu.Lock()
						first = cmp.Or(first, err)
						errMu.Unlock()
						break
					}
					txs = append(txs, tx)
				}
				a.seq = start
				a.presigned, a.presignedSeq = txs, start
			}
		}()
	}
	wg.Wait()
	return first
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// accountQuerier reads account numbers and sequences over gRPC.
type accountQuerier struct {
	conn *grpc.ClientConn
	qc   authtypes.QueryClient
	enc  encoding
}

func newAccountQuerier(addr string, enc encoding) (*accountQuerier, error) {
	cdc := codec.NewProtoCodec(enc.registry)
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(cdc.GRPCCodec())))
	if err != nil {
		return nil, err
	}
	return &accountQuerier{conn: conn, qc: authtypes.NewQueryClient(conn), enc: enc}, nil
}

var errNoAccount = errors.New("account not found")

func (q *accountQuerier) load(ctx context.Context, acc *account) error {
	var (
		res *authtypes.QueryAccountResponse
		err error
	)
	// Right after a (re)start the node may answer "invalid height" for a
	// moment: retry anything but "not found" for up to 30 s.
	for try := 0; try < 120; try++ {
		res, err = q.qc.Account(ctx, &authtypes.QueryAccountRequest{Address: acc.addrStr})
		if err == nil || status.Code(err) == codes.NotFound || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, 250*time.Millisecond)
	}
	if status.Code(err) == codes.NotFound {
		return errNoAccount
	}
	if err != nil {
		return err
	}
	var ai sdk.AccountI
	if err := q.enc.registry.UnpackAny(res.Account, &ai); err != nil {
		return err
	}
	acc.accNum, acc.seq = ai.GetAccountNumber(), ai.GetSequence()
	return nil
}

// loadAll queries every account concurrently; it returns those that do not
// exist on chain yet.
func (q *accountQuerier) loadAll(ctx context.Context, accs []*account) ([]*account, error) {
	var (
		mu      sync.Mutex
		missing []*account
		firstEr error
		wg      sync.WaitGroup
		sem     = make(chan struct{}, 32)
	)
	for _, a := range accs {
		wg.Add(1)
		sem <- struct{}{}
		go func(a *account) {
			defer wg.Done()
			defer func() { <-sem }()
			err := q.load(ctx, a)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, errNoAccount):
				missing = append(missing, a)
			case err != nil && firstEr == nil:
				firstEr = fmt.Errorf("querying %s: %w", a.addrStr, err)
			}
		}(a)
	}
	wg.Wait()
	return missing, firstEr
}
