package commit_test

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	"github.com/trustedge/trustedge/node/commit"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
)

// newBroadcaster signs with acc's key, imported into an in-memory keyring,
// and submits to n; accounts are read from n unless given.
func newBroadcaster(t testing.TB, n *appNode, acc *apptesting.Account, accounts ...commit.AccountReader) *commit.TxBroadcaster {
	t.Helper()
	kr := keyring.NewInMemory(n.chain.App.Codec())
	require.NoError(t, kr.ImportPrivKeyHex("operator", hex.EncodeToString(acc.PrivKey.Bytes()), "secp256k1"))
	b, err := commit.NewTxBroadcaster(commit.TxConfig{
		ChainID: n.chain.ChainID, KeyName: "operator", Keyring: kr, TxConfig: n.chain.App.TxConfig(),
		Fees: apptesting.DefaultFee(), Gas: apptesting.DefaultGas,
	}, append(accounts, n)[0], n)
	require.NoError(t, err)
	require.Equal(t, acc.Address, b.Address())
	return b
}

func send(from, to *apptesting.Account, amount int64) sdk.Msg {
	return banktypes.NewMsgSend(from.Address, to.Address, sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, amount)))
}

func TestTxBroadcasterSendsBackToBackWithoutWaitingForBlocks(t *testing.T) {
	n := newAppNode(t)
	op, to := n.chain.Genesis.Nodes[0].Operator, n.chain.Genesis.Accounts[0]
	b := newBroadcaster(t, n, op)
	before := n.chain.Balance(to.Address, app.FeeDenom)

	hashes := map[string]bool{}
	for i := range 3 {
		h, err := b.Broadcast(context.Background(), send(op, to, int64(i+1)))
		require.NoError(t, err)
		require.Len(t, h, 64)
		hashes[h] = true
	}
	require.Len(t, hashes, 3)
	for _, r := range n.NextBlock() {
		require.Zero(t, r.Code, r.Log)
	}
	require.Equal(t, before+6, n.chain.Balance(to.Address, app.FeeDenom))
	_, seq, err := n.Account(context.Background(), op.Address)
	require.NoError(t, err)
	require.Equal(t, uint64(3), seq)
}

func TestTxBroadcasterResyncsOnSequenceMismatch(t *testing.T) {
	n := newAppNode(t)
	op, to := n.chain.Genesis.Nodes[0].Operator, n.chain.Genesis.Accounts[0]
	b := newBroadcaster(t, n, op)
	_, err := b.Broadcast(context.Background(), send(op, to, 1))
	require.NoError(t, err)
	n.NextBlock()

	// Another holder of the key sends two txs: the broadcaster's sequence
	// is now two behind.
	n.chain.SyncAccount(op)
	n.DeliverOutOfBand(op, send(op, to, 10))
	n.DeliverOutOfBand(op, send(op, to, 10))

	before := n.chain.Balance(to.Address, app.FeeDenom)
	_, err = b.Broadcast(context.Background(), send(op, to, 5))
	require.NoError(t, err, "one resync and retry")
	for _, r := range n.NextBlock() {
		require.Zero(t, r.Code, r.Log)
	}
	require.Equal(t, before+5, n.chain.Balance(to.Address, app.FeeDenom))
}

func TestTxBroadcasterTreatsTxInCacheAsAccepted(t *testing.T) {
	n := newAppNode(t)
	op, to := n.chain.Genesis.Nodes[0].Operator, n.chain.Genesis.Accounts[0]
	b := newBroadcaster(t, n, op)
	msg := send(op, to, 7)

	// CheckTx takes the tx but the answer is lost: the caller retries the
	// same message, which signs to the same bytes.
	n.failAfterCheckTx = true
	_, err := b.Broadcast(context.Background(), msg)
	require.ErrorIs(t, err, errTransport)
	h, err := b.Broadcast(context.Background(), msg)
	require.NoError(t, err, "the node has it: accepted")
	// The sequence moved on: a new message goes through in the same block.
	_, err = b.Broadcast(context.Background(), send(op, to, 1))
	require.NoError(t, err)

	before := n.chain.Balance(to.Address, app.FeeDenom)
	results := n.NextBlock()
	require.Len(t, results, 2, "the retried tx once, the new one once")
	for _, r := range results {
		require.Zero(t, r.Code, r.Log)
	}
	require.Equal(t, before+8, n.chain.Balance(to.Address, app.FeeDenom))
	require.Len(t, h, 64)
}

func TestTxBroadcasterReturnsCheckTxRefusal(t *testing.T) {
	n := newAppNode(t)
	// A key that is neither an operator, the authority nor granted: the
	// permissioned-sender gate refuses it in CheckTx.
	stranger := apptesting.NewAccount("stranger")
	op := n.chain.Genesis.Nodes[0].Operator
	n.DeliverOutOfBand(op, send(op, stranger, 1_000_000)) // the account exists, with funds
	b := newBroadcaster(t, n, stranger)

	_, err := b.Broadcast(context.Background(), send(stranger, op, 1))
	require.ErrorIs(t, err, accesstypes.ErrSenderNotPermitted)
	require.NotErrorIs(t, err, sdkerrors.ErrWrongSequence)
	require.Empty(t, n.NextBlock(), "nothing reached the mempool")
}

func TestNewTxBroadcasterRefusesBadConfig(t *testing.T) {
	n := newAppNode(t)
	kr := keyring.NewInMemory(n.chain.App.Codec())
	good := commit.TxConfig{ChainID: "c", KeyName: "k", Keyring: kr, TxConfig: n.chain.App.TxConfig()}
	_, err := commit.NewTxBroadcaster(good, n, n)
	require.ErrorContains(t, err, `key "k"`, "no such key")
	for name, cfg := range map[string]commit.TxConfig{
		"no chain id": {KeyName: "k", Keyring: kr, TxConfig: good.TxConfig},
		"no key":      {ChainID: "c", Keyring: kr, TxConfig: good.TxConfig},
		"no keyring":  {ChainID: "c", KeyName: "k", TxConfig: good.TxConfig},
		"no txconfig": {ChainID: "c", KeyName: "k", Keyring: kr},
	} {
		_, err := commit.NewTxBroadcaster(cfg, n, n)
		require.Error(t, err, name)
	}
	_, err = commit.NewTxBroadcaster(good, nil, n)
	require.Error(t, err)
}

func TestAuthAccountsReadsThroughQueryService(t *testing.T) {
	n := newAppNode(t)
	op := n.chain.Genesis.Nodes[0].Operator
	n.DeliverOutOfBand(op, send(op, n.chain.Genesis.Accounts[0], 1))

	helper := baseapp.NewQueryServerTestHelper(n.chain.Context(), n.chain.App.InterfaceRegistry())
	authtypes.RegisterQueryServer(helper, authkeeper.NewQueryServer(n.chain.App.AccountKeeper))
	r := commit.AuthAccounts{Query: authtypes.NewQueryClient(helper), Unpacker: n.chain.App.InterfaceRegistry()}
	accNum, seq, err := r.Account(context.Background(), op.Address)
	require.NoError(t, err)
	require.Equal(t, op.AccNum, accNum)
	require.Equal(t, uint64(1), seq)
	_, _, err = r.Account(context.Background(), apptesting.NewAccount("nobody").Address)
	require.Error(t, err)
}
