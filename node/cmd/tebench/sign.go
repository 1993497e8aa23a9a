package main

import (
	"context"
	"crypto/sha256"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// encoding is the app's own codecs: the TxConfig the chain decodes with and
// the interface registry that resolves account Anys.
type encoding struct {
	txConfig client.TxConfig
	registry codectypes.InterfaceRegistry
	app      *app.App
}

// appEncoding builds a throwaway app on a memory DB (as trustedged's root
// command does) to get exactly the chain's TxConfig and registry.
func appEncoding() encoding {
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, nil)
	return encoding{txConfig: a.TxConfig(), registry: a.InterfaceRegistry(), app: a}
}

// signer builds and signs single-message transactions with SIGN_MODE_DIRECT.
type signer struct {
	txConfig client.TxConfig
	chainID  string
	gas      uint64
	fees     sdk.Coins
}

// sign returns the encoded tx carrying msgs, signed by acc at acc.seq.
// It does not advance acc.seq: the caller does once the node accepts it.
func (s *signer) sign(acc *account, gas uint64, msgs ...sdk.Msg) ([]byte, error) {
	b := s.txConfig.NewTxBuilder()
	if err := b.SetMsgs(msgs...); err != nil {
		return nil, err
	}
	if gas == 0 {
		gas = s.gas
	}
	b.SetGasLimit(gas)
	b.SetFeeAmount(s.fees)

	// DIRECT signs over the AuthInfo, which includes the signer infos: set
	// them (with an empty signature) before computing the sign bytes.
	empty := signing.SignatureV2{
		PubKey:   acc.pub,
		Data:     &signing.SingleSignatureData{SignMode: signing.SignMode_SIGN_MODE_DIRECT},
		Sequence: acc.seq,
	}
	if err := b.SetSignatures(empty); err != nil {
		return nil, err
	}
	sd := authsigning.SignerData{
		Address:       acc.addrStr,
		ChainID:       s.chainID,
		AccountNumber: acc.accNum,
		Sequence:      acc.seq,
		PubKey:        acc.pub,
	}
	sig, err := clienttx.SignWithPrivKey(context.Background(), signing.SignMode_SIGN_MODE_DIRECT, sd, b, acc.priv, s.txConfig, acc.seq)
	if err != nil {
		return nil, err
	}
	if err := b.SetSignatures(sig); err != nil {
		return nil, err
	}
	return s.txConfig.TxEncoder()(b.GetTx())
}

// txHash is CometBFT's tx hash: sha256 of the raw tx bytes.
func txHash(tx []byte) [32]byte { return sha256.Sum256(tx) }

// bankSendMsg is the bench transfer: 1uedge to another bench account.
func bankSendMsg(from, to *account) sdk.Msg {
	return banktypes.NewMsgSend(from.addr, to.addr, sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, 1)))
}

// heartbeatMsg is an operator's load report.
func heartbeatMsg(op *account, n uint64) sdk.Msg {
	return &edgetypes.MsgHeartbeat{
		Sender: op.addrStr,
		Load: edgetypes.Load{
			CpuMillicores: 500 + n%1500,
			MemoryMib:     2048 + n%512,
			BandwidthKbps: 10000 + n%5000,
			StorageGib:    100,
			ActiveTasks:   uint32(n % 64),
		},
	}
}
