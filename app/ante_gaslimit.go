package app

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// MaxTxGas is the largest gas limit a tx may declare. Fees are 0 on a
// permissioned chain (minimum-gas-prices "0uedge") and the consensus
// params set no block gas limit, so without a cap any permitted sender
// could declare 2^63 gas for free and the gas meter would never stop a
// handler: every validator would pay for it in block time. The heaviest
// legitimate tx here (fifty device registrations, as devsim sends them)
// uses a few million; 100M leaves a wide margin.
const MaxTxGas = 100_000_000

// GasLimitDecorator refuses a tx whose gas limit is above Max (outside
// simulation, where the limit is not the sender's to choose).
type GasLimitDecorator struct{ Max uint64 }

// AnteHandle implements sdk.AnteDecorator.
func (d GasLimitDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if simulate {
		return next(ctx, tx, simulate)
	}
	feeTx, ok := tx.(sdk.FeeTx)
	if !ok {
		return ctx, errorsmod.Wrap(sdkerrors.ErrTxDecode, "tx is not a FeeTx")
	}
	if gas := feeTx.GetGas(); gas > d.Max {
		return ctx, errorsmod.Wrapf(sdkerrors.ErrInvalidGasLimit, "gas limit %d is above the chain's per-tx maximum %d", gas, d.Max)
	}
	return next(ctx, tx, simulate)
}
