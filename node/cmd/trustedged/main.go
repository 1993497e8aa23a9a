// Command trustedged runs a TrustEdge edge server: a CometBFT validator with
// the TrustEdge application, and the client commands that talk to it.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/node/cmd/trustedged/cmd"
)

func main() {
	// The SDK's global config is looked up per call by a key that, unless
	// this is set, costs two syscalls (os.Executable, os.Hostname) each time;
	// address formatting on the tx path calls it constantly (~7-15% of a
	// validator's CPU under load, measured with scripts/bench.sh).
	if os.Getenv(sdk.EnvConfigScope) == "" {
		_ = os.Setenv(sdk.EnvConfigScope, "trustedged")
	}
	rootCmd := cmd.NewRootCmd()
	if err := svrcmd.Execute(rootCmd, "TRUSTEDGE", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(rootCmd.ErrOrStderr(), err)
		os.Exit(1)
	}
}
