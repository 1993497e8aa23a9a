package cli

import (
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"

	"github.com/trustedge/trustedge/x/stream/types"
)

// GetQueryCmd is `trustedged query stream` with the hand-written
// subcommands. autocli adds the generated query commands to this same
// command because the module's Query options set EnhanceCustomCommand; a
// subcommand defined here wins over a generated one of the same name.
func GetQueryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Query streams, epoch commitments and reading proofs",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(NewProveCmd())
	return cmd
}
