package types_test

import (
	accesskeeper "github.com/trustedge/trustedge/x/access/keeper"
	devicekeeper "github.com/trustedge/trustedge/x/device/keeper"
	edgekeeper "github.com/trustedge/trustedge/x/edge/keeper"

	"github.com/trustedge/trustedge/x/stream/types"
)

// The real keepers are what the app passes.
var (
	_ types.DeviceKeeper = devicekeeper.Keeper{}
	_ types.AccessKeeper = accesskeeper.Keeper{}
	_ types.EdgeKeeper   = edgekeeper.Keeper{}
)
