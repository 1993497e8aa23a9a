// Package procdefaults holds the process-wide settings trustedged applies
// at startup, so benchmarks of node code can run under the same ones.
package procdefaults

import (
	"os"
	"runtime/debug"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// GCPercent is the collector target used when GOGC is unset. A validator
// allocates heavily per tx (decoding, ante reads, events) while its live
// heap stays a few hundred MB: at Go's default of 100 the collector took
// ~30% of a validator's CPU under load (scripts/bench.sh chain profiles),
// and 300 raised the chain's throughput by ~10% for a peak heap of up to
// ~4x the live one (~700 MB RSS per validator in that run). geth tunes its
// collector for the same reason.
const GCPercent = 300

// ConfigScope names the SDK's global config for this process. Unless it is
// set, cosmos-sdk v0.55 derives the key per lookup from os.Executable and
// os.Hostname (two syscalls), and every bech32 encode or decode looks it
// up: ~7-15% of a validator's CPU under load.
const ConfigScope = "trustedged"

// Apply sets both, leaving anything already set in the environment alone.
func Apply() {
	if os.Getenv(sdk.EnvConfigScope) == "" {
		_ = os.Setenv(sdk.EnvConfigScope, ConfigScope)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
