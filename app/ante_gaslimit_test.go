package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
)

// TestTxGasLimitCapped: a tx may declare at most app.MaxTxGas; above it
// CheckTx and the block refuse it (fees are 0 and blocks have no gas
// limit, so nothing else would stop a handler) and it changes nothing.
func TestTxGasLimitCapped(t *testing.T) {
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	a := c.Genesis.Accounts[0]
	send := banktypes.NewMsgSend(a.Address, c.Genesis.Authority.Address, apptesting.Coins(1))
	withGas := func(gas uint64) []byte {
		p := c.TxParams()
		p.Gas = gas
		bz, err := apptesting.EncodeTx(c.App.TxConfig(), p, []sdk.Msg{send}, apptesting.SignerOf(a))
		require.NoError(t, err)
		return bz
	}
	res := c.CheckTx(withGas(app.MaxTxGas + 1))
	require.Equal(t, sdkerrors.ErrInvalidGasLimit.ABCICode(), res.Code, res.Log)
	require.Contains(t, res.Log, "per-tx maximum")
	block := c.NextBlock(withGas(1 << 62))
	require.Equal(t, sdkerrors.ErrInvalidGasLimit.ABCICode(), block.TxResults[0].Code)

	res = c.CheckTx(withGas(app.MaxTxGas))
	require.Zero(t, res.Code, res.Log)
	block = c.NextBlock(withGas(app.MaxTxGas))
	require.Zero(t, block.TxResults[0].Code, block.TxResults[0].Log)
}
