package commit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtmempool "github.com/cometbft/cometbft/mempool"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"cosmossdk.io/math"

	"github.com/trustedge/trustedge/app/apptesting"
	"github.com/trustedge/trustedge/node/commit"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// keepInvalidNode is appNode with CometBFT's mempool
// keep-invalid-txs-in-cache = true: a tx CheckTx refused stays in the
// cache, and the same bytes are answered "tx already exists in cache"
// without running CheckTx.
type keepInvalidNode struct {
	*appNode
	cache map[[32]byte]bool
}

func (n *keepInvalidNode) BroadcastTxSync(_ context.Context, tx cmttypes.Tx) (*coretypes.ResultBroadcastTx, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := sha256.Sum256(tx)
	if n.cache[h] {
		return nil, cmtmempool.ErrTxInCache
	}
	n.cache[h] = true
	res, err := n.chain.App.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	if err != nil {
		return nil, err
	}
	if res.Code == 0 {
		n.mempool = append(n.mempool, tx)
	}
	return &coretypes.ResultBroadcastTx{Code: res.Code, Log: res.Log, Codespace: res.Codespace, Hash: tx.Hash()}, nil
}

// A retry after a CheckTx refusal never has the refused tx's bytes, so a
// node that caches refused txs cannot answer it "already in cache" (which
// reads as acceptance) while the tx is in no mempool: once the cause is
// fixed (here: the key is named committer), the next resend lands.
func TestTxBroadcasterRetryAfterRefusalIsNewBytes(t *testing.T) {
	base := newAppNode(t)
	n := &keepInvalidNode{appNode: base, cache: map[[32]byte]bool{}}
	stranger := apptesting.NewAccount("stranger") // not (yet) a committer
	op := base.chain.Genesis.Nodes[0].Operator
	base.DeliverOutOfBand(op, send(op, stranger, 1_000_000))
	kr := keyring.NewInMemory(base.chain.App.Codec())
	require.NoError(t, kr.ImportPrivKeyHex("k", hex.EncodeToString(stranger.PrivKey.Bytes()), "secp256k1"))
	b, err := commit.NewTxBroadcaster(commit.TxConfig{ChainID: base.chain.ChainID, KeyName: "k", Keyring: kr,
		TxConfig: base.chain.App.TxConfig(), Fees: apptesting.DefaultFee(), Gas: apptesting.DefaultGas}, base, n)
	require.NoError(t, err)
	msg := &streamtypes.MsgCommitEpoch{Sender: stranger.String(), Node: op.String(), Epoch: 1,
		Root: bytes.Repeat([]byte{1}, 32), ReadingCount: 1, StreamCount: 1, WindowStart: 1, WindowEnd: 1}

	_, err = b.Broadcast(context.Background(), msg)
	require.ErrorIs(t, err, accesstypes.ErrSenderNotPermitted)
	_, err = b.Broadcast(context.Background(), msg)
	require.ErrorIs(t, err, accesstypes.ErrSenderNotPermitted, "the retry must run CheckTx, not hit the cache")
	require.Empty(t, base.mempool)

	base.DeliverOutOfBand(op, &edgetypes.MsgSetCommitter{Operator: op.String(), Committer: stranger.String()})
	_, err = b.Broadcast(context.Background(), msg)
	require.NoError(t, err)
	require.Len(t, base.mempool, 1)
	base.NextBlock()
	last, err := base.chain.App.StreamKeeper.GetLastEpoch(base.chain.Context(), op.Address)
	require.NoError(t, err)
	require.Equal(t, uint64(1), last)
}

// With GasPrices, the broadcaster pays gas × price (rounded up), which a
// validator with minimum-gas-prices takes; without a fee it refuses.
func TestTxBroadcasterPaysGasPrices(t *testing.T) {
	cfg := apptesting.DefaultConfig()
	db := apptesting.NewMemDB()
	home := t.TempDir()
	c := &apptesting.Chain{TB: t, DB: db, ChainID: cfg.ChainID, Home: home,
		App: apptesting.NewApp(t, db, cfg.ChainID, home, baseapp.SetMinGasPrices("0.001uedge"))}
	apptesting.Start(t, c, apptesting.NewGenesis(t, cfg))
	c.NextBlock()
	n := &appNode{chain: c, seen: map[[32]byte]bool{}}
	op := c.Genesis.Nodes[0].Operator
	kr := keyring.NewInMemory(c.App.Codec())
	require.NoError(t, kr.ImportPrivKeyHex("op", hex.EncodeToString(op.PrivKey.Bytes()), "secp256k1"))
	msg := &streamtypes.MsgCommitEpoch{Sender: op.String(), Epoch: 1,
		Root: bytes.Repeat([]byte{1}, 32), ReadingCount: 1, StreamCount: 1, WindowStart: 1, WindowEnd: 1}

	free, err := commit.NewTxBroadcaster(commit.TxConfig{ChainID: c.ChainID, KeyName: "op", Keyring: kr,
		TxConfig: c.App.TxConfig(), Gas: 400_000}, n, n)
	require.NoError(t, err)
	_, err = free.Broadcast(context.Background(), msg)
	require.ErrorIs(t, err, sdkerrors.ErrInsufficientFee)

	prices, err := sdk.ParseDecCoins("0.001uedge")
	require.NoError(t, err)
	paid, err := commit.NewTxBroadcaster(commit.TxConfig{ChainID: c.ChainID, KeyName: "op", Keyring: kr,
		TxConfig: c.App.TxConfig(), Gas: 400_000, GasPrices: prices}, n, n)
	require.NoError(t, err)
	before := c.App.BankKeeper.GetBalance(c.Context(), op.Address, "uedge")
	_, err = paid.Broadcast(context.Background(), msg)
	require.NoError(t, err)
	n.NextBlock()
	after := c.App.BankKeeper.GetBalance(c.Context(), op.Address, "uedge")
	require.Equal(t, math.NewInt(400), before.Amount.Sub(after.Amount), "fee = 400,000 gas × 0.001uedge")
	last, err := c.App.StreamKeeper.GetLastEpoch(c.Context(), op.Address)
	require.NoError(t, err)
	require.Equal(t, uint64(1), last, "the paid commitment is on chain")
}

func TestFeesFor(t *testing.T) {
	prices, err := sdk.ParseDecCoins("0.0025uedge,1.5uother")
	require.NoError(t, err)
	fees := commit.FeesFor(prices, 200_001)
	require.Equal(t, math.NewInt(501), fees.AmountOf("uedge"), "500.0025 rounds up")
	require.Equal(t, math.NewInt(300_002), fees.AmountOf("uother"))
	require.True(t, commit.FeesFor(nil, 200_000).IsZero())
}
