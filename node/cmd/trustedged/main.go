// Command trustedged runs a TrustEdge edge server: a CometBFT validator with
// the TrustEdge application, and the client commands that talk to it.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/node/cmd/trustedged/cmd"
	"github.com/trustedge/trustedge/node/procdefaults"
)

func main() {
	// SDK config scope and GC target (see procdefaults for the measurements).
	procdefaults.Apply()
	rootCmd := cmd.NewRootCmd()
	if err := svrcmd.Execute(rootCmd, "TRUSTEDGE", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(rootCmd.ErrOrStderr(), err)
		os.Exit(1)
	}
}
