package commit_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtmempool "github.com/cometbft/cometbft/mempool"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app/apptesting"
)

// appNode runs a real TrustEdge app (app/apptesting) the way a CometBFT
// node drives it: BroadcastTxSync runs CheckTx and keeps accepted txs in a
// mempool (with CometBFT's "already in cache" answer for a tx it has seen),
// NextBlock puts the mempool in a block. One mutex serializes all ABCI
// calls, as CometBFT's does.
type appNode struct {
	mu      sync.Mutex
	chain   *apptesting.Chain
	mempool [][]byte
	seen    map[[32]byte]bool

	// failAfterCheckTx makes the next accepted broadcast return a transport
	// error: the node has the tx, the client does not know.
	failAfterCheckTx bool
	// dropAccepted loses this many accepted txs (CheckTx passed, then the
	// tx left the mempool and its cache, as when a node restarts).
	dropAccepted int
	results      []*abci.ExecTxResult
}

// newAppNode starts a chain and runs its first block (the genesis state is
// committed with it, as on a real node).
func newAppNode(t testing.TB) *appNode {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	return &appNode{chain: c, seen: map[[32]byte]bool{}}
}

var errTransport = errors.New("connection reset")

func (n *appNode) BroadcastTxSync(_ context.Context, tx cmttypes.Tx) (*coretypes.ResultBroadcastTx, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := sha256.Sum256(tx)
	if n.seen[h] {
		return nil, cmtmempool.ErrTxInCache
	}
	res, err := n.chain.App.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	if err != nil {
		return nil, err
	}
	if res.Code == 0 && n.dropAccepted > 0 {
		n.dropAccepted--
	} else if res.Code == 0 {
		n.seen[h] = true
		n.mempool = append(n.mempool, tx)
		if n.failAfterCheckTx {
			n.failAfterCheckTx = false
			return nil, errTransport
		}
	}
	return &coretypes.ResultBroadcastTx{Code: res.Code, Log: res.Log, Codespace: res.Codespace, Hash: tx.Hash()}, nil
}

// Account reads the committed state, as an x/auth query does.
func (n *appNode) Account(_ context.Context, addr sdk.AccAddress) (uint64, uint64, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	acc := n.chain.App.AccountKeeper.GetAccount(n.chain.Context(), addr)
	if acc == nil {
		return 0, 0, errors.New("no such account")
	}
	return acc.GetAccountNumber(), acc.GetSequence(), nil
}

// NextBlock commits a block with the mempool's txs and returns their results.
func (n *appNode) NextBlock() []*abci.ExecTxResult {
	n.mu.Lock()
	defer n.mu.Unlock()
	res := n.chain.NextBlock(n.mempool...)
	n.mempool = nil
	n.results = append(n.results, res.TxResults...)
	return res.TxResults
}

func (n *appNode) set(f func(n *appNode)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(n)
}

// produceBlocks runs a block every interval until ctx is done.
func (n *appNode) produceBlocks(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.NextBlock()
		}
	}
}

// failedTxs are the block results that did not succeed.
func (n *appNode) failedTxs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var failed []string
	for _, r := range n.results {
		if r.Code != 0 {
			failed = append(failed, r.Log)
		}
	}
	return failed
}

// DeliverOutOfBand runs a block with a tx signed elsewhere (another process
// holding the same key).
func (n *appNode) DeliverOutOfBand(signer *apptesting.Account, msgs ...sdk.Msg) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.chain.DeliverTx(signer, msgs...)
}
