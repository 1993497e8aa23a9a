package app_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app/apptesting"
)

// The proposer's block carries each account's txs in sequence order and
// leaves out those that would fail on their sequence, whatever order
// CometBFT's mempool reaped them in (it can append one sender's txs out of
// order: tendermint/tendermint#6219).
func TestPrepareProposalOrdersSequences(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	a, b := g.Accounts[0], g.Accounts[1]
	send := func(from *apptesting.Account, seq uint64) []byte {
		t.Helper()
		saved := from.Seq
		from.Seq = seq
		defer func() { from.Seq = saved }()
		return c.SignTx(from, banktypes.NewMsgSend(from.Address, g.Accounts[2].Address, apptesting.Coins(1)))
	}
	prepare := func(maxBytes int64, txs ...[]byte) [][]byte {
		t.Helper()
		res, err := c.App.PrepareProposal(&abci.RequestPrepareProposal{
			Txs: txs, MaxTxBytes: maxBytes, Height: c.NextHeight(), Time: c.Time.Add(apptesting.BlockTime),
		})
		require.NoError(t, err)
		return res.Txs
	}
	s, sb := a.Seq, b.Seq
	a0, a1, a2, b0 := send(a, s), send(a, s+1), send(a, s+2), send(b, sb)

	// a's txs take a's three slots in sequence order; b's stays put.
	got := prepare(1<<20, a1, b0, a2, a0)
	require.Equal(t, [][]byte{a0, b0, a1, a2}, got)
	block := c.NextBlock(got...)
	for i, r := range block.TxResults {
		require.Zero(t, r.Code, "tx %d: %s", i, r.Log)
	}
	a.Seq, b.Seq = s+3, sb+1

	// A sequence already used, one after a gap and bytes that are no tx
	// are left out; the next in line goes in.
	stale, gap, next := send(a, s+1), send(a, s+4), send(b, sb+1)
	require.Equal(t, [][]byte{next}, prepare(1<<20, stale, gap, []byte("not a tx"), next))

	// The block ends at the first tx that does not fit, and a later tx of
	// the same account is not taken past it.
	x0, x1 := send(a, s+3), send(a, s+4)
	one := int64(cmttypes.ComputeProtoSizeForTxs([]cmttypes.Tx{x0}))
	require.Equal(t, [][]byte{x0}, prepare(one, x1, x0))
	require.Empty(t, prepare(one-1, x0))

	// Nothing in the mempool, nothing proposed.
	require.Empty(t, prepare(1<<20))
}
