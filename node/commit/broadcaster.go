package commit

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	cmtmempool "github.com/cometbft/cometbft/mempool"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
)

// AccountReader reads an account's number and sequence from the chain.
type AccountReader interface {
	Account(ctx context.Context, addr sdk.AccAddress) (accNum, seq uint64, err error)
}

// BroadcastClient submits a tx and waits for CheckTx. CometBFT's rpc/client
// Client (the in-process local client or the HTTP one) implements it.
type BroadcastClient interface {
	BroadcastTxSync(ctx context.Context, tx cmttypes.Tx) (*coretypes.ResultBroadcastTx, error)
}

// TxConfig configures a TxBroadcaster.
type TxConfig struct {
	ChainID string
	// KeyName is the signing key in Keyring: the node's committer, or its
	// operator.
	KeyName string
	Keyring keyring.Keyring
	// TxConfig is the app's tx encoding config.
	TxConfig client.TxConfig
	// Fees is the fee of every tx; when empty, GasPrices × Gas (rounded
	// up), which must meet the minimum-gas-prices of the validators whose
	// mempools should take the txs.
	Fees      sdk.Coins
	GasPrices sdk.DecCoins
	// Gas is the gas limit of every tx (default DefaultGas).
	Gas uint64
}

// DefaultGas is enough for MsgCommitEpoch and MsgHeartbeat with a wide
// margin (a commitment does three point reads from an operator, five from a
// committer, and two writes: ~12-14k gas).
const DefaultGas = 200_000

// TxBroadcaster signs single-message txs with a keyring key
// (SIGN_MODE_DIRECT) and submits them with BroadcastTxSync. It keeps the
// account sequence itself, so back-to-back txs do not wait for a block;
// on "account sequence mismatch" it resyncs and retries once.
type TxBroadcaster struct {
	cfg      TxConfig
	addr     sdk.AccAddress
	accounts AccountReader
	rpc      BroadcastClient

	mu     sync.Mutex // one broadcast at a time: they share the sequence
	synced bool
	accNum uint64
	seq    uint64
	// refusals counts CheckTx refusals since the last acceptance. While it
	// is not 0, txs carry it in their memo, so a retry never has the bytes
	// of a refused tx: signing is deterministic, and a node that keeps
	// refused txs in its cache (mempool keep-invalid-txs-in-cache) would
	// answer "already in cache" to the same bytes forever, which reads as
	// acceptance.
	refusals uint64
}

// NewTxBroadcaster checks cfg and finds the key; it reads nothing from the
// chain until the first Broadcast.
func NewTxBroadcaster(cfg TxConfig, accounts AccountReader, rpc BroadcastClient) (*TxBroadcaster, error) {
	if cfg.ChainID == "" || cfg.KeyName == "" || cfg.Keyring == nil || cfg.TxConfig == nil {
		return nil, errors.New("tx broadcaster: chain id, key name, keyring and tx config are required")
	}
	if accounts == nil || rpc == nil {
		return nil, errors.New("tx broadcaster: account reader and broadcast client are required")
	}
	if cfg.Gas == 0 {
		cfg.Gas = DefaultGas
	}
	if cfg.Fees.IsZero() {
		cfg.Fees = FeesFor(cfg.GasPrices, cfg.Gas)
	}
	rec, err := cfg.Keyring.Key(cfg.KeyName)
	if err != nil {
		return nil, fmt.Errorf("tx broadcaster: key %q: %w", cfg.KeyName, err)
	}
	addr, err := rec.GetAddress()
	if err != nil {
		return nil, fmt.Errorf("tx broadcaster: key %q: %w", cfg.KeyName, err)
	}
	return &TxBroadcaster{cfg: cfg, addr: addr, accounts: accounts, rpc: rpc}, nil
}

// FeesFor is the fee that pays gas at gasPrices, each denom rounded up
// (as the SDK's CLI computes --gas-prices).
func FeesFor(gasPrices sdk.DecCoins, gas uint64) sdk.Coins {
	fees := make(sdk.Coins, 0, len(gasPrices))
	limit := math.LegacyNewDecFromInt(math.NewIntFromUint64(gas))
	for _, gp := range gasPrices {
		if amt := gp.Amount.Mul(limit).Ceil().RoundInt(); amt.IsPositive() {
			fees = append(fees, sdk.NewCoin(gp.Denom, amt))
		}
	}
	return sdk.NewCoins(fees...)
}

// Address is the signing account.
func (b *TxBroadcaster) Address() sdk.AccAddress { return b.addr }

// Broadcast signs msg at the next sequence and submits it; it returns the
// tx hash once CheckTx accepted it. A CheckTx refusal comes back as the
// registered SDK/module error (errors.Is works on it).
func (b *TxBroadcaster) Broadcast(ctx context.Context, msg sdk.Msg) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.synced {
		if err := b.resync(ctx, 0); err != nil {
			return "", err
		}
	}
	hash, err := b.submit(ctx, msg)
	var mismatch *seqMismatch
	if errors.As(err, &mismatch) {
		// Another signer used the key, a tx was dropped, or an earlier
		// broadcast failed in transit after CheckTx took it.
		if err := b.resync(ctx, mismatch.expected); err != nil {
			return "", err
		}
		hash, err = b.submit(ctx, msg)
	}
	return hash, err
}

// seqMismatch is CheckTx's ErrWrongSequence; expected is the sequence the
// node wants when its log says so (0 if it does not).
type seqMismatch struct {
	expected uint64
	err      error
}

func (e *seqMismatch) Error() string { return e.err.Error() }
func (e *seqMismatch) Unwrap() error { return e.err }

// submit signs at b.seq and broadcasts; b.seq advances when CheckTx took it.
func (b *TxBroadcaster) submit(ctx context.Context, msg sdk.Msg) (string, error) {
	tx, err := b.sign(ctx, msg)
	if err != nil {
		return "", err
	}
	res, err := b.rpc.BroadcastTxSync(ctx, tx)
	switch {
	case err != nil && isTxInCache(err):
		// The node already has exactly this tx (same sequence, same bytes,
		// never refused: see refusals): an earlier attempt got through in
		// transit. That is acceptance.
		b.seq++
		b.refusals = 0
		return strings.ToUpper(hex.EncodeToString(tx.Hash())), nil
	case err != nil:
		return "", fmt.Errorf("broadcast: %w", err)
	case res.Code == 0:
		b.seq++
		b.refusals = 0
		return res.Hash.String(), nil
	}
	cerr := errorsmod.ABCIError(res.Codespace, res.Code, res.Log)
	b.refusals++
	if res.Codespace == sdkerrors.RootCodespace && res.Code == sdkerrors.ErrWrongSequence.ABCICode() {
		return "", &seqMismatch{expected: expectedSeq(res.Log), err: cerr}
	}
	return "", fmt.Errorf("CheckTx refused tx: %w", cerr)
}

func (b *TxBroadcaster) sign(ctx context.Context, msg sdk.Msg) (cmttypes.Tx, error) {
	builder := b.cfg.TxConfig.NewTxBuilder()
	if err := builder.SetMsgs(msg); err != nil {
		return nil, err
	}
	builder.SetGasLimit(b.cfg.Gas)
	builder.SetFeeAmount(b.cfg.Fees)
	if b.refusals > 0 {
		builder.SetMemo("retry " + strconv.FormatUint(b.refusals, 10))
	}
	f := clienttx.Factory{}.
		WithChainID(b.cfg.ChainID).
		WithKeybase(b.cfg.Keyring).
		WithTxConfig(b.cfg.TxConfig).
		WithAccountNumber(b.accNum).
		WithSequence(b.seq).
		WithSignMode(signing.SignMode_SIGN_MODE_DIRECT)
	if err := clienttx.Sign(ctx, f, b.cfg.KeyName, builder, true); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return b.cfg.TxConfig.TxEncoder()(builder.GetTx())
}

// resync reloads the account number and sequence. The committed state can
// lag the node's CheckTx state by the txs in its mempool, so a larger
// sequence the node asked for wins.
func (b *TxBroadcaster) resync(ctx context.Context, expected uint64) error {
	accNum, seq, err := b.accounts.Account(ctx, b.addr)
	if err != nil {
		b.synced = false
		return fmt.Errorf("read account %s: %w", b.addr, err)
	}
	b.accNum, b.seq, b.synced = accNum, max(seq, expected), true
	return nil
}

var expectedSeqRe = regexp.MustCompile(`account sequence mismatch, expected (\d+)`)

func expectedSeq(log string) uint64 {
	m := expectedSeqRe.FindStringSubmatch(log)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

// isTxInCache: the local client returns the mempool's error value, the HTTP
// client only its text.
func isTxInCache(err error) bool {
	return errors.Is(err, cmtmempool.ErrTxInCache) || strings.Contains(err.Error(), cmtmempool.ErrTxInCache.Error())
}
