package app_test

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/mempool"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
)

// BenchmarkDeliverBankSend measures blocks of 100 signed bank sends (100
// senders, one tx each per block) driven through FinalizeBlock+Commit, on
// memdb and on pebble. Txs are signed before the timer starts. ns/op is one
// block including Commit; txs/s counts FinalizeBlock time only and
// committed_txs/s the whole block.
//
//	go test -tags pebbledb -run '^$' -bench DeliverBankSend ./app/
func BenchmarkDeliverBankSend(b *testing.B) {
	b.Run("memdb", func(b *testing.B) { benchBankSend(b, false) })
	b.Run("pebbledb", func(b *testing.B) { benchBankSend(b, true) })
}

func benchBankSend(b *testing.B, onDisk bool) {
	const txsPerBlock = 100
	cfg := apptesting.DefaultConfig()
	cfg.NumAccounts = txsPerBlock
	var c *apptesting.Chain
	if onDisk {
		c = apptesting.SetupOnDisk(b, cfg)
	} else {
		c = apptesting.Setup(b, cfg)
	}
	c.NextBlock()

	senders := c.Genesis.Accounts
	amount := sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, 10))
	blocks := make([][][]byte, b.N)
	for i := range blocks {
		blocks[i] = make([][]byte, txsPerBlock)
		for j, s := range senders {
			to := senders[(j+1)%len(senders)].Address
			blocks[i][j] = c.SignTx(s, banktypes.NewMsgSend(s.Address, to, amount))
			s.Seq++
		}
	}

	b.ReportAllocs()
	b.ResetTimer()
	var finalize time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := c.FinalizeBlock(blocks[i]...)
		finalize += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		c.Commit()
		for j, r := range res.TxResults {
			if r.Code != 0 {
				b.Fatalf("block %d tx %d: code %d: %s", i, j, r.Code, r.Log)
			}
		}
	}
	b.StopTimer()

	txs := float64(b.N * txsPerBlock)
	b.ReportMetric(txs/finalize.Seconds(), "txs/s")
	b.ReportMetric(txs/b.Elapsed().Seconds(), "committed_txs/s")
}

// BenchmarkPrepareProposal measures the proposer's block building on 1,000
// reaped bank sends from 1,000 accounts: the SDK's default handler (decode
// and size each tx) against SequenceOrderedProposals (which also reads each
// sender's account to keep sequences in order). ns/op is one proposal.
//
//	go test -tags pebbledb -run '^$' -bench PrepareProposal ./app/
func BenchmarkPrepareProposal(b *testing.B) {
	const n = 1000
	cfg := apptesting.DefaultConfig()
	cfg.NumAccounts = n
	c := apptesting.Setup(b, cfg)
	c.NextBlock()
	amount := sdk.NewCoins(sdk.NewInt64Coin(app.FeeDenom, 10))
	txs := make([][]byte, 0, n)
	for j, s := range c.Genesis.Accounts {
		to := c.Genesis.Accounts[(j+1)%n].Address
		txs = append(txs, c.SignTx(s, banktypes.NewMsgSend(s.Address, to, amount)))
	}
	req := &abci.RequestPrepareProposal{Txs: txs, MaxTxBytes: 22020096, Height: c.NextHeight(), Time: c.Time.Add(apptesting.BlockTime)}
	ctx := c.Context().WithConsensusParams(*apptesting.DefaultConsensusParams()).WithBlockHeight(req.Height)
	handlers := map[string]sdk.PrepareProposalHandler{
		"sdk-default":      baseapp.NewDefaultProposalHandler(mempool.NoOpMempool{}, c.App.BaseApp).PrepareProposalHandler(),
		"sequence-ordered": app.SequenceOrderedProposals(c.App.TxConfig().TxDecoder(), c.App.AccountKeeper),
	}
	for _, name := range []string{"sdk-default", "sequence-ordered"} {
		h := handlers[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := h(ctx, req)
				if err != nil || len(res.Txs) != n {
					b.Fatalf("%d txs, err %v", len(res.Txs), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/tx")
		})
	}
}
