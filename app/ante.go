package app

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// NewAnteHandler builds the ante chain: the SDK's standard decorators with
// the permissioned-sender gate placed before fees are deducted, so a refused
// sender pays nothing. The order otherwise follows the SDK's NewAnteHandler.
func NewAnteHandler(opts ante.HandlerOptions, gate PermissionedSenderDecorator, sigCache *VerifiedSigCache, startBlock func() CommittedBlock) (sdk.AnteHandler, error) {
	if opts.AccountKeeper == nil || opts.BankKeeper == nil || opts.SignModeHandler == nil || sigCache == nil || startBlock == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "ante: account keeper, bank keeper, sign mode handler, signature cache and start block are required")
	}
	// The decorators read accounts and params through a per-run memo (see
	// ante_accounts.go); the signature cache keys on the store's own reads.
	ak := memoAccountKeeper{AccountKeeper: opts.AccountKeeper}
	return sdk.ChainAnteDecorators(
		NewCheckHeightDecorator(startBlock), // a restarted node's CheckTx, before its first block
		AccountMemoDecorator{},
		GasLimitDecorator{Max: MaxTxGas}, // before the gas meter is set with that limit
		ante.NewSetUpContextDecorator(),  // sets the gas meter
		ante.NewExtensionOptionsDecorator(opts.ExtensionOptionChecker),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(ak),
		ante.NewConsumeGasForTxSizeDecorator(ak),
		gate,
		ante.NewDeductFeeDecorator(ak, opts.BankKeeper, opts.FeegrantKeeper, opts.TxFeeChecker),
		ante.NewSetPubKeyDecorator(ak), // before every signature check
		ante.NewValidateSigCountDecorator(ak),
		ante.NewSigGasConsumeDecorator(ak, opts.SigGasConsumer),
		// The SDK's signature check, skipped in a block for a tx this node
		// already verified in CheckTx (see CachedSigVerificationDecorator).
		NewCachedSigVerificationDecorator(
			ante.NewSigVerificationDecorator(ak, opts.SignModeHandler, opts.SigVerifyOptions...),
			opts.AccountKeeper, sigCache),
		ante.NewIncrementSequenceDecorator(ak),
	), nil
}
