package app

import (
	"context"

	"github.com/cosmos/cosmos-sdk/types/module"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"
)

// UpgradeV2 is the name of the software upgrade (a MsgSoftwareUpgrade plan
// from the consortium authority) that takes a chain started by an earlier
// binary to this one's state versions: x/access 1 → 2 (grant expiry
// horizons), x/edge 1 → 2 (Ethereum signer addresses in EIP-55 form,
// one node per address) and x/stream 1 → 2 (stream count, close epochs of
// closed streams). Modules already at their version are skipped. It
// adds no store, so it suits chains that already have all eight stores
// (auth, bank, consensus, upgrade, edge, access, device, stream); a chain
// from before x/device or x/stream existed needs a store loader as well
// and is better restarted from an exported genesis.
const UpgradeV2 = "v2"

// registerUpgradeHandlers tells x/upgrade what to run at each plan this
// binary knows. At a plan's height, a binary without its handler halts the
// chain (by design: the operators must switch binaries), so every name a
// governance plan may carry is registered here.
func (app *App) registerUpgradeHandlers() {
	app.UpgradeKeeper.SetUpgradeHandler(UpgradeV2,
		func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			return app.ModuleManager.RunMigrations(ctx, app.configurator, fromVM)
		})
}
