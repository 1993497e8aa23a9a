package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// NewAnteHandler builds the ante chain: the SDK's standard checks (fees,
// signatures, sequences). The permissioned-sender gate of x/access slots in
// after signature verification once that module lands.
func NewAnteHandler(opts ante.HandlerOptions) (sdk.AnteHandler, error) {
	return ante.NewAnteHandler(opts)
}
