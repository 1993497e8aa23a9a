package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app/apptesting"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
)

// TestAnteAccountMemo: the ante chain's per-run account memo never carries
// state from one tx to the next, sees what earlier decorators stored (a new
// account's public key, its sequence), and gives the same gas in
// simulation and in the block.
func TestAnteAccountMemo(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis

	// A new account, funded and granted: its first tx sets its public key
	// (SetPubKey) and is then verified against it.
	fresh := apptesting.NewAccount("memo-fresh")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, fresh.Address, apptesting.Coins(1_000_000)))
	c.DeliverTx(g.Authority, &accesstypes.MsgGrant{
		Granter: g.Authority.String(), Subject: fresh.String(), Resource: "device/*",
		Actions: []string{accesstypes.ActionRegister},
	})
	c.SyncAccount(fresh)
	acc := c.App.AccountKeeper.GetAccount(c.Context(), fresh.Address)
	require.Nil(t, acc.GetPubKey(), "no public key before its first tx")

	// Three txs of the same signer in one block: each run reads the
	// sequence the previous tx stored.
	txs := make([][]byte, 3)
	for i := range txs {
		txs[i] = c.SignTx(fresh, banktypes.NewMsgSend(fresh.Address, g.Authority.Address, apptesting.Coins(1)))
		fresh.Seq++
	}
	spent := *fresh
	spent.Seq--
	stale := c.SignTx(&spent, banktypes.NewMsgSend(fresh.Address, g.Authority.Address, apptesting.Coins(1)))
	res := c.NextBlock(append(txs, stale)...)
	for i := range txs {
		require.Zero(t, res.TxResults[i].Code, "tx %d: %s", i, res.TxResults[i].Log)
	}
	require.NotZero(t, res.TxResults[3].Code, "a tx reusing a spent sequence fails")
	require.Contains(t, res.TxResults[3].Log, "account sequence mismatch")

	acc = c.App.AccountKeeper.GetAccount(c.Context(), fresh.Address)
	require.Equal(t, uint64(3), acc.GetSequence())
	require.NotNil(t, acc.GetPubKey())
	require.True(t, acc.GetPubKey().Equals(fresh.PrivKey.PubKey()))

	// Simulation runs the same decorators in the same order: same gas.
	tx := c.SignTx(fresh, banktypes.NewMsgSend(fresh.Address, g.Authority.Address, apptesting.Coins(1)))
	sim, _, err := c.App.Simulate(tx)
	require.NoError(t, err)
	res = c.NextBlock(tx)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, sim.GasUsed, uint64(res.TxResults[0].GasUsed))
}
