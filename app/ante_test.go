package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
)

// abciError is the (codespace, code) pair an ABCI response carries.
type abciError struct {
	codespace string
	code      uint32
}

func errOf(e *errorsmod.Error) abciError { return abciError{e.Codespace(), e.ABCICode()} }

// TestAnteRejectsBadTxs sends txs CheckTx must turn away with the SDK's
// error codes, then checks a valid one passes and that the same bad txs
// fail in FinalizeBlock without touching state.
func TestAnteRejectsBadTxs(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	txCfg := c.App.TxConfig()
	from, to := c.Genesis.Accounts[0], c.Genesis.Accounts[1]
	send := []sdk.Msg{banktypes.NewMsgSend(from.Address, to.Address, sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, 100)))}
	p := c.TxParams()

	encode := func(tx sdk.Tx) []byte {
		bz, err := txCfg.TxEncoder()(tx)
		require.NoError(t, err)
		return bz
	}

	// Unsigned: no signature at all.
	unsigned, err := apptesting.BuildTx(txCfg, p, send)
	require.NoError(t, err)

	// Bad signature: a correctly signed tx with one bit of the signature flipped.
	good, err := apptesting.BuildTx(txCfg, p, send, apptesting.SignerOf(from))
	require.NoError(t, err)
	sigs, err := good.(interface {
		GetSignaturesV2() ([]signing.SignatureV2, error)
	}).GetSignaturesV2()
	require.NoError(t, err)
	data := sigs[0].Data.(*signing.SingleSignatureData)
	data.Signature = append([]byte(nil), data.Signature...)
	data.Signature[0] ^= 0x01
	b, err := txCfg.WrapTxBuilder(good)
	require.NoError(t, err)
	require.NoError(t, b.SetSignatures(sigs...))
	badSig := encode(b.GetTx())

	// Signed over the wrong account number or chain id: the signature does
	// not verify either.
	wrongAccNum, err := apptesting.EncodeTx(txCfg, p, send, apptesting.Signer{Account: from, AccNum: from.AccNum + 1, Seq: from.Seq})
	require.NoError(t, err)
	wrongChain := p
	wrongChain.ChainID = "other-chain"
	wrongChainTx, err := apptesting.EncodeTx(txCfg, wrongChain, send, apptesting.SignerOf(from))
	require.NoError(t, err)

	// Valid signature over a sequence the account is not at.
	wrongSeq, err := apptesting.EncodeTx(txCfg, p, send, apptesting.Signer{Account: from, AccNum: from.AccNum, Seq: from.Seq + 1})
	require.NoError(t, err)

	// Signed by a key that is not the sender's.
	impostor, err := apptesting.EncodeTx(txCfg, p, send, apptesting.Signer{Account: to, AccNum: from.AccNum, Seq: from.Seq})
	require.NoError(t, err)

	cases := []struct {
		name string
		tx   []byte
		want abciError
		log  string
	}{
		{"unsigned", encode(unsigned), errOf(sdkerrors.ErrNoSignatures), "no signatures"},
		{"bad signature", badSig, errOf(sdkerrors.ErrUnauthorized), "signature verification failed"},
		{"wrong account number", wrongAccNum, errOf(sdkerrors.ErrUnauthorized), "signature verification failed"},
		{"wrong chain id", wrongChainTx, errOf(sdkerrors.ErrUnauthorized), "signature verification failed"},
		{"wrong sequence", wrongSeq, errOf(sdkerrors.ErrWrongSequence), "expected 0, got 1"},
		{"wrong signer", impostor, errOf(sdkerrors.ErrInvalidPubKey), "does not match signer address"},
	}
	for _, tc := range cases {
		t.Run("CheckTx/"+tc.name, func(t *testing.T) {
			res := c.CheckTx(tc.tx)
			require.Equal(t, tc.want, abciError{res.Codespace, res.Code}, "log: %s", res.Log)
			require.Contains(t, res.Log, tc.log)
		})
	}

	// Every bad tx in one block: each fails with its code, nothing moves,
	// and no sequence advances.
	fromBal, toBal := c.Balance(from.Address, app.FeeDenom), c.Balance(to.Address, app.FeeDenom)
	txs := make([][]byte, len(cases))
	for i, tc := range cases {
		txs[i] = tc.tx
	}
	res := c.NextBlock(txs...)
	require.Len(t, res.TxResults, len(cases))
	for i, tc := range cases {
		got := abciError{res.TxResults[i].Codespace, res.TxResults[i].Code}
		require.Equal(t, tc.want, got, "FinalizeBlock %s: %s", tc.name, res.TxResults[i].Log)
	}
	require.Equal(t, fromBal, c.Balance(from.Address, app.FeeDenom), "sender balance changed")
	require.Equal(t, toBal, c.Balance(to.Address, app.FeeDenom), "recipient balance changed")
	acc := c.App.AccountKeeper.GetAccount(c.Context(), from.Address)
	require.Equal(t, from.Seq, acc.GetSequence())

	// Positive control: the same send, correctly signed, passes CheckTx and
	// executes (amount and fee leave the sender).
	ok := c.SignTx(from, send...)
	chk := c.CheckTx(ok)
	require.Equal(t, uint32(0), chk.Code, chk.Log)
	// CheckTx advanced the sequence in the mempool state: a replay is refused.
	replay := c.CheckTx(ok)
	require.Equal(t, errOf(sdkerrors.ErrWrongSequence), abciError{replay.Codespace, replay.Code}, replay.Log)

	res = c.NextBlock(ok)
	require.Equal(t, uint32(0), res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, fromBal-100-apptesting.DefaultFeeAmt, c.Balance(from.Address, app.FeeDenom))
	require.Equal(t, toBal+100, c.Balance(to.Address, app.FeeDenom))
}
