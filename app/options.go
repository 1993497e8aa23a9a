package app

import (
	"github.com/spf13/cast"

	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/server"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
)

// homePath reads the node home from the server options.
func homePath(opts servertypes.AppOptions) string {
	if opts == nil {
		return DefaultNodeHome
	}
	if h := cast.ToString(opts.Get(flags.FlagHome)); h != "" {
		return h
	}
	return DefaultNodeHome
}

// skipUpgradeHeights reads --unsafe-skip-upgrades.
func skipUpgradeHeights(opts servertypes.AppOptions) map[int64]bool {
	skip := map[int64]bool{}
	if opts == nil {
		return skip
	}
	for _, h := range cast.ToIntSlice(opts.Get(server.FlagUnsafeSkipUpgrades)) {
		skip[int64(h)] = true
	}
	return skip
}
