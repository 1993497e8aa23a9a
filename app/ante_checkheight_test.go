package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/app/apptesting"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
)

// A restarted node admits txs before its first new block as it would after
// it. BaseApp's check state has height 0 and no time until then: the SDK's
// signature check read that as genesis (account number 0), so without
// CheckHeightDecorator a valid tx from any account numbered above 0 was
// refused as "signature verification failed" (cosmos/cosmos-sdk#24628, as
// the soak test found). A sender whose grant expired stays refused.
func TestCheckTxAfterRestart(t *testing.T) {
	c := apptesting.SetupOnDisk(t, apptesting.DefaultConfig())
	c.NextBlock()
	g := c.Genesis
	sender, to := g.Accounts[2], g.Accounts[0]
	require.Positive(t, sender.AccNum)
	send := banktypes.NewMsgSend(sender.Address, to.Address, sdk.NewCoins(sdk.NewCoin(app.FeeDenom, sdkmath.NewInt(5))))

	// A stranger whose only grant expires two blocks from now.
	stranger := apptesting.NewAccount("restart-stranger")
	c.DeliverTx(g.Authority, banktypes.NewMsgSend(g.Authority.Address, stranger.Address, apptesting.Coins(1_000_000)))
	c.SyncAccount(stranger)
	expires := c.Time.Add(2 * apptesting.BlockTime)
	c.DeliverTx(g.Authority, &accesstypes.MsgGrant{
		Granter: g.Authority.String(), Subject: stranger.String(), Resource: "device/*",
		Actions: []string{accesstypes.ActionRegister}, ExpiresAt: &expires,
	})
	strangerTx := func() []byte {
		return c.SignTx(stranger, banktypes.NewMsgSend(stranger.Address, to.Address, apptesting.Coins(1)))
	}
	require.Zero(t, c.CheckTx(strangerTx()).Code, "grant still live")
	for !c.Time.After(expires) {
		c.NextBlock()
	}
	lastTime, before := c.Time, c.Height()

	c.Restart()
	require.Equal(t, before, c.Height())
	start := c.App.StartBlock()
	require.Equal(t, before, start.Height)
	require.True(t, lastTime.Equal(start.Time), "start block time %s, last block %s", start.Time, lastTime)
	res := c.CheckTx(c.SignTx(sender, send))
	require.Zero(t, res.Code, "CheckTx right after a restart: %s", res.Log)
	res = c.CheckTx(strangerTx())
	require.Equal(t, accesstypes.ErrSenderNotPermitted.ABCICode(), res.Code, "expired grant after a restart: %s", res.Log)

	// A forged signature is still refused, and the accepted tx runs in
	// the next block.
	sender.Seq++
	forged := c.SignTx(sender, send)
	forged[len(forged)-1] ^= 1
	require.NotZero(t, c.CheckTx(forged).Code)
	sender.Seq--
	block := c.NextBlock(c.SignTx(sender, send))
	require.Zero(t, block.TxResults[0].Code, block.TxResults[0].Log)
	require.True(t, c.Time.After(lastTime))
}

// The decorator fills in only a check context's missing header.
func TestCheckHeightDecorator(t *testing.T) {
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	d := app.NewCheckHeightDecorator(func() app.CommittedBlock { return app.CommittedBlock{Height: 41, Time: at} })
	seen := func(d app.CheckHeightDecorator, ctx sdk.Context) (int64, time.Time) {
		var h int64 = -1
		var tm time.Time
		_, err := d.AnteHandle(ctx, nil, false, func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) {
			h, tm = ctx.BlockHeight(), ctx.BlockTime()
			return ctx, nil
		})
		require.NoError(t, err)
		return h, tm
	}
	var base sdk.Context
	h, tm := seen(d, base.WithIsCheckTx(true))
	require.Equal(t, int64(41), h, "check state right after a restart")
	require.True(t, at.Equal(tm))
	h, _ = seen(d, base.WithIsCheckTx(true).WithIsReCheckTx(true))
	require.Equal(t, int64(41), h, "re-check")
	later := at.Add(time.Hour)
	h, tm = seen(d, base.WithIsCheckTx(true).WithBlockHeight(7).WithBlockTime(later))
	require.Equal(t, int64(7), h, "a check state Commit has set")
	require.True(t, later.Equal(tm))
	h, tm = seen(d, base)
	require.Zero(t, h, "a block context is never changed")
	require.True(t, tm.IsZero())

	atGenesis := app.NewCheckHeightDecorator(func() app.CommittedBlock { return app.CommittedBlock{} })
	h, _ = seen(atGenesis, base.WithIsCheckTx(true))
	require.Zero(t, h, "nothing committed yet: InitChain's header is what counts")
}
