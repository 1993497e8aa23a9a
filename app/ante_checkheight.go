package app

import (
	"time"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// CheckHeightDecorator gives CheckTx, re-checks and simulations the height
// and time of the block their state was committed at, when BaseApp left
// them unset.
//
// BaseApp builds its check state with an empty header when a node starts
// on a committed version, and fills the header in only at its first
// Commit. Until then the SDK's signature check reads height 0 as genesis
// and verifies with account number 0 (gentxs are signed that way), so a
// valid tx from any account numbered above 0, sent to a restarted node
// before its next block, was refused as "signature verification failed"
// (cosmos/cosmos-sdk#24628; found by the soak test); and time-bound checks
// ran against a zero block time. This chain has no gentxs, and a chain at
// genesis gets its header from InitChain, so height 0 in CheckTx only ever
// means "just restarted": the decorator puts in the header Commit would
// have set, the last committed block's height and time (the store keeps
// the time in its commit info). Blocks are untouched: FinalizeBlock always
// carries its own header.
type CheckHeightDecorator struct {
	start func() CommittedBlock
}

// CommittedBlock is the height and time of a committed block.
type CommittedBlock struct {
	Height int64
	Time   time.Time
}

// NewCheckHeightDecorator takes the block the node started on from start.
func NewCheckHeightDecorator(start func() CommittedBlock) CheckHeightDecorator {
	return CheckHeightDecorator{start: start}
}

func (d CheckHeightDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if ctx.IsCheckTx() && ctx.BlockHeight() == 0 {
		if b := d.start(); b.Height > 0 {
			ctx = ctx.WithBlockHeight(b.Height)
			if ctx.BlockTime().IsZero() && !b.Time.IsZero() {
				ctx = ctx.WithBlockTime(b.Time)
			}
		}
	}
	return next(ctx, tx, simulate)
}

// commitInfoReader is the part of the root multistore that reads a
// version's commit info.
type commitInfoReader interface {
	GetCommitInfo(ver int64) (*storetypes.CommitInfo, error)
}

// committedBlock reads the height and time of the last block cms committed
// (a zero time when its commit info cannot be read).
func committedBlock(cms storetypes.CommitMultiStore) CommittedBlock {
	b := CommittedBlock{Height: cms.LastCommitID().Version}
	if r, ok := cms.(commitInfoReader); ok && b.Height > 0 {
		if ci, err := r.GetCommitInfo(b.Height); err == nil {
			b.Time = ci.Timestamp
		}
	}
	return b
}
