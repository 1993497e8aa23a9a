// Command trustedged runs a TrustEdge edge server: a CometBFT validator with
// the TrustEdge application, and the client commands that talk to it.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/node/cmd/trustedged/cmd"
)

// defaultGCPercent is the collector target used when GOGC is unset.
const defaultGCPercent = 300

func main() {
	// The SDK's global config is looked up per call by a key that, unless
	// this is set, costs two syscalls (os.Executable, os.Hostname) each time;
	// address formatting on the tx path calls it constantly (~7-15% of a
	// validator's CPU under load, measured with scripts/bench.sh).
	if os.Getenv(sdk.EnvConfigScope) == "" {
		_ = os.Setenv(sdk.EnvConfigScope, "trustedged")
	}
	// A validator allocates heavily per tx (decoding, ante reads, events)
	// while its live heap stays a few hundred MB: at Go's default GOGC=100
	// the collector took ~30% of a validator's CPU under load. 300 trades
	// memory (peak heap up to ~4x live) for fewer cycles, as geth also
	// tunes its collector. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	rootCmd := cmd.NewRootCmd()
	if err := svrcmd.Execute(rootCmd, "TRUSTEDGE", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(rootCmd.ErrOrStderr(), err)
		os.Exit(1)
	}
}
