package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
)

// The chain admits a tx only from the authority, an edge operator or an
// account holding a live x/access grant. Bench accounts get one direct grant
// each, as a device-data writer would: write on benchGrantResource (which
// covers the streams of the naive one-tx-per-reading mode, -msg reading).
const (
	benchGrantResource = "stream/naive-*"
	benchGrantAction   = "write"
)

// setupAccounts makes every bench account usable: it creates the accounts
// missing on chain (MsgMultiSend from funder, normally the authority `admin`)
// and grants the ones without a live grant (MsgGrant from the same key,
// which must be the authority). Both are no-ops on a chain whose genesis
// already did it.
func (b *bench) setupAccounts(ctx context.Context, q *accountQuerier, funder *account, accs []*account) error {
	missing, err := q.loadAll(ctx, accs)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		if funder == nil {
			return fmt.Errorf("%d of %d bench accounts are not on chain (fund them in genesis: tebench accounts)", len(missing), len(accs))
		}
		if err := b.fund(ctx, q, funder, missing); err != nil {
			return err
		}
		if _, err := q.loadAll(ctx, missing); err != nil {
			return err
		}
	}
	ungranted, supported, err := q.ungranted(ctx, accs)
	if err != nil {
		return err
	}
	if !supported || len(ungranted) == 0 {
		return nil
	}
	if funder == nil {
		return fmt.Errorf("%d bench accounts hold no x/access grant and no authority key was given to grant them", len(ungranted))
	}
	return b.grant(ctx, q, funder, ungranted)
}

// fund creates the missing bench accounts with MsgMultiSend from funder.
func (b *bench) fund(ctx context.Context, q *accountQuerier, funder *account, missing []*account) error {
	if err := q.load(ctx, funder); err != nil {
		return fmt.Errorf("funder %s: %w", funder.addrStr, err)
	}
	coins := sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, b.cfg.fundAmount))
	const chunk = 500
	logf("funding %d accounts from %s (%s) with MsgMultiSend", len(missing), funder.name, funder.addrStr)
	var (
		msgs [][]sdk.Msg
		gas  []uint64
	)
	for start := 0; start < len(missing); start += chunk {
		end := min(start+chunk, len(missing))
		outs := make([]banktypes.Output, 0, end-start)
		for _, a := range missing[start:end] {
			outs = append(outs, banktypes.NewOutput(a.addr, coins))
		}
		total := sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, b.cfg.fundAmount*int64(end-start)))
		msgs = append(msgs, []sdk.Msg{banktypes.NewMsgMultiSend(banktypes.NewInput(funder.addr, total), outs)})
		gas = append(gas, 200_000+60_000*uint64(len(outs)))
	}
	if err := b.setupTxs(ctx, funder, msgs, gas); err != nil {
		return fmt.Errorf("funding: %w", err)
	}
	return waitFor(ctx, 60*time.Second, func() (int, error) {
		still, err := q.loadAll(ctx, missing)
		return len(still), err
	}, "bench accounts still missing")
}

// grant gives each account a direct grant (write on stream/bench).
func (b *bench) grant(ctx context.Context, q *accountQuerier, authority *account, accs []*account) error {
	logf("granting %s on %s to %d bench accounts from %s", benchGrantAction, benchGrantResource, len(accs), authority.name)
	if err := q.load(ctx, authority); err != nil {
		return err
	}
	const chunk = 250
	var (
		msgs [][]sdk.Msg
		gas  []uint64
	)
	for start := 0; start < len(accs); start += chunk {
		var batch []sdk.Msg
		for _, a := range accs[start:min(start+chunk, len(accs))] {
			batch = append(batch, &accesstypes.MsgGrant{
				Granter:  authority.addrStr,
				Subject:  accesstypes.AccountSubject(a.addrStr),
				Resource: benchGrantResource,
				Actions:  []string{benchGrantAction},
			})
		}
		msgs = append(msgs, batch)
		gas = append(gas, 200_000+100_000*uint64(len(batch)))
	}
	if err := b.setupTxs(ctx, authority, msgs, gas); err != nil {
		return fmt.Errorf("granting: %w", err)
	}
	return waitFor(ctx, 60*time.Second, func() (int, error) {
		still, _, err := q.ungranted(ctx, accs)
		return len(still), err
	}, "bench accounts still without a grant")
}

// setupTxs signs one tx per msgs entry from signer (with gas limit gas[i])
// and broadcasts them in sequence order to the first node.
func (b *bench) setupTxs(ctx context.Context, signer *account, msgs [][]sdk.Msg, gas []uint64) error {
	cl := b.clients[0]
	from, err := cl.appHeight(ctx)
	if err != nil {
		return err
	}
	hashes := make([][32]byte, 0, len(msgs))
	for i, m := range msgs {
		tx, err := b.signer.sign(signer, gas[i], m...)
		if err != nil {
			return err
		}
		res, err := cl.broadcastTxSync(ctx, tx)
		if err != nil {
			return err
		}
		if res.Code != 0 {
			return fmt.Errorf("tx from %s rejected: code=%d codespace=%s %s", signer.name, res.Code, res.Codespace, res.Log)
		}
		signer.seq++
		hashes = append(hashes, txHash(tx))
	}
	return confirmTxs(ctx, cl, from, hashes, 60*time.Second)
}

// confirmTxs follows the blocks after height from until every tx of hashes
// is in one, and fails naming the first that failed (its code and log) or
// that no block took within timeout. Txs accepted by CheckTx can still
// fail in their block (gas, state changed) or be dropped by the mempool's
// re-check; without this a setup fault showed only as accounts "still
// without a grant" a minute later.
func confirmTxs(ctx context.Context, cl *rpcClient, from int64, hashes [][32]byte, timeout time.Duration) error {
	want := make(map[[32]byte]int, len(hashes))
	for i, h := range hashes {
		want[h] = i
	}
	deadline := time.Now().Add(timeout)
	next := from + 1
	for len(want) > 0 {
		h, err := cl.appHeight(ctx)
		if err != nil {
			return err
		}
		for ; next <= h; next++ {
			blk, err := cl.block(ctx, next)
			if err != nil {
				return err
			}
			var results []txResult
			for i, tx := range blk.Txs {
				key := txHash(tx)
				n, ok := want[key]
				if !ok {
					continue
				}
				if results == nil {
					if results, err = cl.blockResults(ctx, next); err != nil {
						return err
					}
					if len(results) != len(blk.Txs) {
						return fmt.Errorf("block %d: %d txs but %d results", next, len(blk.Txs), len(results))
					}
				}
				if r := results[i]; r.Code != 0 {
					return fmt.Errorf("setup tx %d of %d failed in block %d: code=%d codespace=%s %s", n+1, len(hashes), next, r.Code, r.Codespace, r.Log)
				}
				delete(want, key)
			}
		}
		if len(want) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			first := len(hashes)
			for _, n := range want {
				first = min(first, n)
			}
			return fmt.Errorf("%d of %d setup txs (the first: tx %d) in no block after %s (up to height %d): dropped from the mempool?", len(want), len(hashes), first+1, timeout, next-1)
		}
		sleepCtx(ctx, 200*time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// waitFor polls left until it reports 0 or timeout passes. Query errors
// while the chain is committing the setup txs are retried, not fatal.
func waitFor(ctx context.Context, timeout time.Duration, left func() (int, error), what string) error {
	deadline := time.Now().Add(timeout)
	for {
		n, err := left()
		if err == nil && n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("%s after %s: %w", what, timeout, err)
			}
			return fmt.Errorf("%d %s after %s", n, what, timeout)
		}
		sleepCtx(ctx, 500*time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// ungranted returns the accounts holding no grant of their own. supported is
// false when the chain has no x/access module (then every account may send).
func (q *accountQuerier) ungranted(ctx context.Context, accs []*account) (out []*account, supported bool, err error) {
	qc := accesstypes.NewQueryClient(q.conn)
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, 32)
	)
	supported = true
	for _, a := range accs {
		wg.Add(1)
		sem <- struct{}{}
		go func(a *account) {
			defer wg.Done()
			defer func() { <-sem }()
			res, qerr := qc.Grants(ctx, &accesstypes.QueryGrantsRequest{Subject: accesstypes.AccountSubject(a.addrStr)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case status.Code(qerr) == codes.Unimplemented ||
				(qerr != nil && strings.Contains(qerr.Error(), "unknown service")):
				supported = false
			case qerr != nil:
				if err == nil {
					err = fmt.Errorf("grants of %s: %w", a.addrStr, qerr)
				}
			case len(res.Grants) == 0:
				out = append(out, a)
			}
		}(a)
	}
	wg.Wait()
	return out, supported, err
}
