package apptesting

import (
	"context"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsign "github.com/cosmos/cosmos-sdk/x/auth/signing"

	"github.com/trustedge/trustedge/app"
)

// Tx defaults: generous gas (no block gas limit in the default consensus
// params) and a small fee so the fee path of the ante handler runs.
const (
	DefaultGas    = uint64(400_000)
	DefaultFeeAmt = int64(1_000)
)

// DefaultFee is the fee DefaultTxParams pays.
func DefaultFee() sdk.Coins {
	return sdk.NewCoins(sdk.NewCoin(app.FeeDenom, sdkmath.NewInt(DefaultFeeAmt)))
}

// TxParams are the non-message parts of a tx.
type TxParams struct {
	ChainID string
	Fee     sdk.Coins
	Gas     uint64
	Memo    string
}

// DefaultTxParams pays DefaultFee with DefaultGas on chainID.
func DefaultTxParams(chainID string) TxParams {
	return TxParams{ChainID: chainID, Fee: DefaultFee(), Gas: DefaultGas}
}

// Signer is one signature of a tx: the key and the account number and
// sequence it signs over (set them wrong to build invalid txs).
type Signer struct {
	Account *Account
	AccNum  uint64
	Seq     uint64
}

// SignerOf signs with the account's current AccNum and Seq.
func SignerOf(acc *Account) Signer { return Signer{Account: acc, AccNum: acc.AccNum, Seq: acc.Seq} }

// BuildTx builds and signs (SIGN_MODE_DIRECT) a tx; the first signer pays
// the fee. With no signers it returns the unsigned tx.
func BuildTx(txCfg client.TxConfig, p TxParams, msgs []sdk.Msg, signers ...Signer) (sdk.Tx, error) {
	b := txCfg.NewTxBuilder()
	if err := b.SetMsgs(msgs...); err != nil {
		return nil, err
	}
	b.SetFeeAmount(p.Fee)
	b.SetGasLimit(p.Gas)
	b.SetMemo(p.Memo)
	if len(signers) == 0 {
		return b.GetTx(), nil
	}

	mode := signing.SignMode_SIGN_MODE_DIRECT
	// Signer infos go in first: every signature covers all of them.
	sigs := make([]signing.SignatureV2, len(signers))
	for i, s := range signers {
		sigs[i] = signing.SignatureV2{
			PubKey:   s.Account.PrivKey.PubKey(),
			Data:     &signing.SingleSignatureData{SignMode: mode},
			Sequence: s.Seq,
		}
	}
	if err := b.SetSignatures(sigs...); err != nil {
		return nil, err
	}
	for i, s := range signers {
		data := authsign.SignerData{
			Address:       s.Account.String(),
			ChainID:       p.ChainID,
			AccountNumber: s.AccNum,
			Sequence:      s.Seq,
			PubKey:        s.Account.PrivKey.PubKey(),
		}
		bz, err := authsign.GetSignBytesAdapter(context.Background(), txCfg.SignModeHandler(), mode, data, b.GetTx())
		if err != nil {
			return nil, err
		}
		sig, err := s.Account.PrivKey.Sign(bz)
		if err != nil {
			return nil, err
		}
		sigs[i].Data = &signing.SingleSignatureData{SignMode: mode, Signature: sig}
	}
	if err := b.SetSignatures(sigs...); err != nil {
		return nil, err
	}
	return b.GetTx(), nil
}

// EncodeTx builds, signs and encodes a tx.
func EncodeTx(txCfg client.TxConfig, p TxParams, msgs []sdk.Msg, signers ...Signer) ([]byte, error) {
	tx, err := BuildTx(txCfg, p, msgs, signers...)
	if err != nil {
		return nil, err
	}
	return txCfg.TxEncoder()(tx)
}

// Coins is n of the fee denom.
func Coins(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, n)) }
