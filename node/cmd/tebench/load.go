package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
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
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
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

func (p *pendingSet) add(h [32]byte, tx pendingTx) {
	s := &p.shards[h[0]%64]
	s.mu.Lock()
	if _, dup := s.m[h]; !dup {
		p.n.Add(1)
	}
	s.m[h] = tx
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
	committed  [numKinds]atomic.Int64 // ours, in a block, code 0
	failed     atomic.Int64           // ours, in a block, code != 0
	rejFull    atomic.Int64           // mempool full / rechecking
	rejSeq     atomic.Int64           // sequence mismatch (resynced)
	rejOther   atomic.Int64
	errRPC     atomic.Int64 // transport errors
	dropTokens atomic.Int64 // pacer ticks no worker was free to take
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
	errLogs  int
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[tebench] "+format+"\n", args...)
}

// logErrOnce logs the first few unexpected errors, so a misconfiguration is
// visible without flooding stderr.
func (b *bench) logErrOnce(format string, args ...any) {
	b.errLogMu.Lock()
	defer b.errLogMu.Unlock()
	if b.errLogs < 10 {
		b.errLogs++
		logf(format, args...)
	}
}

var seqMismatchRe = regexp.MustCompile(`expected (\d+), got (\d+)`)

// send signs msg as acc and broadcasts it to acc's node until the node
// accepts it, the attempt budget runs out or ctx ends. Mempool-full answers
// back off and retry; sequence mismatches resync from the node's answer.
func (b *bench) send(ctx context.Context, acc *account, kind txKind, msg sdk.Msg) {
	cl := b.clients[acc.node]
	backoff := 20 * time.Millisecond
	for attempt := 0; attempt < 50 && ctx.Err() == nil; attempt++ {
		tx, err := b.signer.sign(acc, 0, msg)
		if err != nil {
			b.logErrOnce("signing for %s: %v", acc.name, err)
			b.c.rejOther.Add(1)
			return
		}
		h := txHash(tx)
		submit := time.Now()
		b.c.sent[kind].Add(1)
		res, err := cl.broadcastTxSync(ctx, tx)
		switch {
		case err == nil && res.Code == 0, isInCache(err):
			b.pending.add(h, pendingTx{submit: submit, kind: kind})
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
			b.logErrOnce("broadcast to %s: %v", cl.url, err)
		case res.Codespace == "sdk" && res.Code == 32: // ErrWrongSequence
			b.c.rejSeq.Add(1)
			m := seqMismatchRe.FindStringSubmatch(res.Log)
			if m == nil {
				b.logErrOnce("%s: unparsable sequence mismatch: %s", acc.name, res.Log)
				return
			}
			want, _ := strconv.ParseUint(m[1], 10, 64)
			acc.seq = want
			continue // re-sign at once with the node's sequence
		default:
			b.c.rejOther.Add(1)
			b.logErrOnce("%s tx of %s rejected: code=%d codespace=%s log=%s", kind, acc.name, res.Code, res.Codespace, res.Log)
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

// pace hands out rate tokens per second to the send workers. A token no
// worker is free to take is dropped and counted (the client could not keep
// up: raise -workers).
func (b *bench) pace(ctx context.Context, rate float64) {
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
				case b.tokens <- struct{}{}:
				default:
					b.c.dropTokens.Add(1)
				}
			}
		}
	}
}

// sendWorker owns accs: each token sends 1uedge from its next account to
// the following bench account.
func (b *bench) sendWorker(ctx context.Context, accs []*account, all []*account, idx []int) {
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-b.tokens:
		}
		k := i % len(accs)
		acc := accs[k]
		to := all[(idx[k]+1)%len(all)]
		b.send(ctx, acc, kindSend, bankSendMsg(acc, to))
	}
}

// heartbeatWorker sends MsgHeartbeat signed by one node operator at rate/s.
func (b *bench) heartbeatWorker(ctx context.Context, op *account, rate float64) {
	if rate <= 0 {
		return
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	for n := uint64(0); ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.send(ctx, op, kindHeartbeat, heartbeatMsg(op, n))
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
				b.logErrOnce("abci_info: %v", err)
			}
			sleepCtx(ctx, 20*time.Millisecond)
			continue
		}
		obs := time.Now()
		for ; next <= h && ctx.Err() == nil; next++ {
			if err := b.processBlock(ctx, cl, next, obs); err != nil {
				if ctx.Err() == nil {
					b.logErrOnce("block %d: %v", next, err)
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
	codes, err := cl.blockResultCodes(ctx, height)
	if err != nil {
		return err
	}
	if len(codes) != len(blk.Txs) {
		return fmt.Errorf("%d txs but %d results", len(blk.Txs), len(codes))
	}
	br := blockRec{height: height, hdrTime: blk.Time, obs: obs, ntx: len(blk.Txs)}
	var recs []commitRec
	for i, tx := range blk.Txs {
		p, ok := b.pending.take(txHash(tx))
		if !ok {
			continue
		}
		br.ours++
		if codes[i] == 0 {
			br.oursOK++
			b.c.committed[p.kind].Add(1)
		} else {
			b.c.failed.Add(1)
		}
		recs = append(recs, commitRec{submit: p.submit, commit: obs, code: codes[i], kind: p.kind})
	}
	b.mu.Lock()
	b.commits = append(b.commits, recs...)
	b.blocks = append(b.blocks, br)
	b.mu.Unlock()
	return nil
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
	res, err := q.qc.Account(ctx, &authtypes.QueryAccountRequest{Address: acc.addrStr})
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

// fund creates the missing bench accounts with MsgMultiSend from funder
// (used when the genesis could not include them).
func (b *bench) fund(ctx context.Context, q *accountQuerier, funder *account, missing []*account) error {
	if err := q.load(ctx, funder); err != nil {
		return fmt.Errorf("funder %s: %w", funder.addrStr, err)
	}
	coins := sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, b.cfg.fundAmount))
	const chunk = 500
	logf("funding %d accounts from %s (%s) with MsgMultiSend", len(missing), funder.name, funder.addrStr)
	for start := 0; start < len(missing); start += chunk {
		end := min(start+chunk, len(missing))
		outs := make([]banktypes.Output, 0, end-start)
		for _, a := range missing[start:end] {
			outs = append(outs, banktypes.NewOutput(a.addr, coins))
		}
		total := sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, b.cfg.fundAmount*int64(end-start)))
		msg := banktypes.NewMsgMultiSend(banktypes.NewInput(funder.addr, total), outs)
		tx, err := b.signer.sign(funder, 200_000+uint64(end-start)*60_000, msg)
		if err != nil {
			return err
		}
		res, err := b.clients[0].broadcastTxSync(ctx, tx)
		if err != nil {
			return fmt.Errorf("funding tx: %w", err)
		}
		if res.Code != 0 {
			return fmt.Errorf("funding tx rejected: code=%d %s", res.Code, res.Log)
		}
		funder.seq++
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		still, err := q.loadAll(ctx, missing)
		if err != nil {
			return err
		}
		if len(still) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d bench accounts still missing 60 s after funding", len(still))
		}
		sleepCtx(ctx, 500*time.Millisecond)
	}
}
