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
func NewAnteHandler(opts ante.HandlerOptions, gate PermissionedSenderDecorator) (sdk.AnteHandler, error) {
	if opts.AccountKeeper == nil || opts.BankKeeper == nil || opts.SignModeHandler == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "ante: account keeper, bank keeper and sign mode handler are required")
	}
	return sdk.ChainAnteDecorators(
		ante.NewSetUpContextDecorator(), // first: sets the gas meter
		ante.NewExtensionOptionsDecorator(opts.ExtensionOptionChecker),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(opts.AccountKeeper),
		ante.NewConsumeGasForTxSizeDecorator(opts.AccountKeeper),
		gate,
		ante.NewDeductFeeDecorator(opts.AccountKeeper, opts.BankKeeper, opts.FeegrantKeeper, opts.TxFeeChecker),
		ante.NewSetPubKeyDecorator(opts.AccountKeeper), // before every signature check
		ante.NewValidateSigCountDecorator(opts.AccountKeeper),
		ante.NewSigGasConsumeDecorator(opts.AccountKeeper, opts.SigGasConsumer),
		ante.NewSigVerificationDecorator(opts.AccountKeeper, opts.SignModeHandler, opts.SigVerifyOptions...),
		ante.NewIncrementSequenceDecorator(opts.AccountKeeper),
	), nil
}
