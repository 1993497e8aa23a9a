package types_test

import (
	edgekeeper "github.com/trustedge/trustedge/x/edge/keeper"

	"github.com/trustedge/trustedge/x/device/types"
)

// The x/edge keeper is what the app passes as EdgeKeeper.
var _ types.EdgeKeeper = edgekeeper.Keeper{}
