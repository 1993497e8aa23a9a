package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
)

// TestVerifiedSigCache: a tx that passed this node's CheckTx is not
// verified again in the block (a cache hit), one it never saw is (a miss);
// two nodes, one with the hit and one without, end with the same gas and
// the same app hash; a forged signature on a body CheckTx accepted is
// still refused.
func TestVerifiedSigCache(t *testing.T) {
	cfg := apptesting.DefaultConfig()
	checked, unchecked := apptesting.Setup(t, cfg), apptesting.Setup(t, cfg)
	checked.NextBlock()
	unchecked.NextBlock()
	g := checked.Genesis
	a := g.Accounts[0]
	send := func(c *apptesting.Chain) []byte {
		return c.SignTx(a, banktypes.NewMsgSend(a.Address, g.Authority.Address, apptesting.Coins(1)))
	}

	tx := send(checked)
	require.Equal(t, tx, send(unchecked), "deterministic signing: both nodes get the same bytes")
	require.Zero(t, checked.CheckTx(tx).Code)
	resChecked, resUnchecked := checked.NextBlock(tx), unchecked.NextBlock(tx)
	a.Seq++
	require.Zero(t, resChecked.TxResults[0].Code, resChecked.TxResults[0].Log)
	require.Zero(t, resUnchecked.TxResults[0].Code, resUnchecked.TxResults[0].Log)
	hits, misses := checked.App.VerifiedSigCacheStats()
	require.Equal(t, [2]uint64{1, 0}, [2]uint64{hits, misses}, "the node that checked the tx answers from its cache")
	hits, misses = unchecked.App.VerifiedSigCacheStats()
	require.Equal(t, [2]uint64{0, 1}, [2]uint64{hits, misses}, "a node that never checked it verifies it")
	require.Equal(t, resUnchecked.TxResults[0].GasUsed, resChecked.TxResults[0].GasUsed, "the cache must not change gas")
	require.Equal(t, resUnchecked.AppHash, resChecked.AppHash, "nor state")

	// CheckTx accepts a genuine tx; a proposer then includes the same tx
	// with a forged signature: a different key, so it is verified,
	// refused, and charges nothing.
	c := checked
	genuine := send(c)
	require.Zero(t, c.CheckTx(genuine).Code)
	var raw txtypes.TxRaw
	require.NoError(t, raw.Unmarshal(genuine))
	raw.Signatures[0][5] ^= 0x01
	forged, err := raw.Marshal()
	require.NoError(t, err)
	before := c.Balance(a.Address, app.FeeDenom)
	res := c.NextBlock(forged)
	require.Equal(t, sdkerrors.ErrUnauthorized.ABCICode(), res.TxResults[0].Code)
	require.Contains(t, res.TxResults[0].Log, "signature verification failed")
	require.Equal(t, before, c.Balance(a.Address, app.FeeDenom), "a refused tx pays nothing")

	res = c.NextBlock(genuine)
	require.Zero(t, res.TxResults[0].Code, "the genuine tx still lands: %s", res.TxResults[0].Log)
	hits, misses = c.App.VerifiedSigCacheStats()
	require.Equal(t, [2]uint64{2, 1}, [2]uint64{hits, misses})
}
