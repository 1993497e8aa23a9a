package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
)

// A restarted node admits txs before its first new block. BaseApp's check
// state has height 0 until then, which the SDK's signature check reads as
// genesis (account number 0): without CheckHeightDecorator a valid tx from
// any account numbered above 0 was refused as "signature verification
// failed" (cosmos/cosmos-sdk#24628), as the soak test found.
func TestCheckTxAfterRestart(t *testing.T) {
	c := apptesting.SetupOnDisk(t, apptesting.DefaultConfig())
	c.NextBlock()
	c.NextBlock()
	sender, to := c.Genesis.Accounts[2], c.Genesis.Accounts[0]
	require.Positive(t, sender.AccNum)
	send := banktypes.NewMsgSend(sender.Address, to.Address, sdk.NewCoins(sdk.NewCoin(app.FeeDenom, sdkmath.NewInt(5))))
	before := c.Height()

	c.Restart()
	require.Equal(t, before, c.Height())
	res := c.CheckTx(c.SignTx(sender, send))
	require.Zero(t, res.Code, "CheckTx right after a restart: %s", res.Log)

	// A forged signature is still refused, and the accepted tx runs in
	// the next block.
	sender.Seq++
	forged := c.SignTx(sender, send)
	forged[len(forged)-1] ^= 1
	require.NotZero(t, c.CheckTx(forged).Code)
	sender.Seq--
	res2 := c.NextBlock(c.SignTx(sender, send))
	require.Zero(t, res2.TxResults[0].Code, res2.TxResults[0].Log)
}

// The decorator fills in only a check context's missing height.
func TestCheckHeightDecorator(t *testing.T) {
	d := app.NewCheckHeightDecorator(func() int64 { return 41 })
	heightSeen := func(ctx sdk.Context) int64 {
		var got int64 = -1
		_, err := d.AnteHandle(ctx, nil, false, func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) {
			got = ctx.BlockHeight()
			return ctx, nil
		})
		require.NoError(t, err)
		return got
	}
	var base sdk.Context
	require.Equal(t, int64(41), heightSeen(base.WithIsCheckTx(true)), "check state right after a restart")
	require.Equal(t, int64(41), heightSeen(base.WithIsCheckTx(true).WithIsReCheckTx(true)), "re-check")
	require.Equal(t, int64(7), heightSeen(base.WithIsCheckTx(true).WithBlockHeight(7)), "a check state Commit has set")
	require.Equal(t, int64(0), heightSeen(base), "a block context is never changed")

	atGenesis := app.NewCheckHeightDecorator(func() int64 { return 0 })
	_, err := atGenesis.AnteHandle(base.WithIsCheckTx(true), nil, false, func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) {
		require.Zero(t, ctx.BlockHeight(), "nothing committed yet: InitChain's header is what counts")
		return ctx, nil
	})
	require.NoError(t, err)
}
