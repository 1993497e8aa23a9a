package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// CheckHeightDecorator gives CheckTx, re-checks and simulations the height
// of the state they run on when BaseApp left it at 0.
//
// BaseApp builds its check state with an empty header when a node starts
// on a committed version, and fills the header in only at its first
// Commit. Until then the SDK's signature check reads height 0 as genesis
// and verifies with account number 0 (gentxs are signed that way), so a
// valid tx from any account numbered above 0, sent to a restarted node
// before its next block, was refused as "signature verification failed"
// (cosmos/cosmos-sdk#24628; found by the soak test). This chain has no
// gentxs, and a chain at genesis gets its height from InitChain, so 0 in
// CheckTx only ever means "just restarted"; the committed height is the
// height Commit would have put there. Blocks are untouched: FinalizeBlock
// always carries its own header.
//
// The header's time stays zero until that first block: time-bound checks
// in CheckTx (grant expiry, unordered-tx timeouts) are then as lenient as
// the SDK makes them, and the block enforces them.
type CheckHeightDecorator struct {
	committed func() int64
}

// NewCheckHeightDecorator reads the last committed height from committed.
func NewCheckHeightDecorator(committed func() int64) CheckHeightDecorator {
	return CheckHeightDecorator{committed: committed}
}

func (d CheckHeightDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if ctx.IsCheckTx() && ctx.BlockHeight() == 0 {
		if h := d.committed(); h > 0 {
			ctx = ctx.WithBlockHeight(h)
		}
	}
	return next(ctx, tx, simulate)
}
