// Package cmd builds the trustedged command tree.
package cmd

import (
	"os"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"

	// Registers the ed25519 key type with the protobuf registry autocli
	// resolves Any fields from (register-node takes a consensus key).
	_ "cosmossdk.io/api/cosmos/crypto/ed25519"
	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/codec/address"
	runtimeservices "github.com/cosmos/cosmos-sdk/runtime/services"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/trustedge/trustedge/app"
)

// accAddressCodec encodes account addresses (edge1…).
var accAddressCodec = address.NewBech32Codec(app.Bech32Prefix)

// NewRootCmd returns the trustedged root command.
func NewRootCmd() *cobra.Command {
	app.SetAddressPrefixes()
	// A throwaway app on a memory DB gives the command tree the module list
	// and their autocli descriptors without opening the node's database.
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, simtestutil.EmptyAppOptions{})
	enc := app.EncodingConfig{
		InterfaceRegistry: tempApp.InterfaceRegistry(),
		Codec:             tempApp.Codec(),
		TxConfig:          tempApp.TxConfig(),
	}

	initClientCtx := client.Context{}.
		WithCodec(enc.Codec).
		WithInterfaceRegistry(enc.InterfaceRegistry).
		WithTxConfig(enc.TxConfig).
		WithLegacyAmino(app.MakeEncodingConfig().Amino).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper("TRUSTEDGE")

	rootCmd := &cobra.Command{
		Use:           "trustedged",
		Short:         "TrustEdge edge server: CometBFT validator, TrustEdge app and edge data plane",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())

			clientCtx := initClientCtx.WithCmdContext(cmd.Context())
			clientCtx, err := client.ReadPersistentCommandFlags(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			if clientCtx, err = config.ReadFromClientConfig(clientCtx); err != nil {
				return err
			}
			if err := client.SetCmdClientContextHandler(clientCtx, cmd); err != nil {
				return err
			}
			// Past argument parsing, an error is the command's own: print it,
			// not the usage (which would bury it at the end of a node's log).
			cmd.SilenceUsage = true
			appTemplate, appConfig := initAppConfig()
			return interceptConfigs(cmd, appTemplate, appConfig)
		},
	}

	initRootCmd(rootCmd, tempApp)
	rootCmd.AddCommand(devsimCommand())

	modules := make(map[string]appmodule.AppModule, len(tempApp.ModuleManager.Modules))
	for name, mod := range tempApp.ModuleManager.Modules {
		if m, ok := mod.(appmodule.AppModule); ok {
			modules[name] = m
		}
	}
	autoCliOpts := autocli.AppOptions{
		Modules:               modules,
		ModuleOptions:         runtimeservices.ExtractAutoCLIOptions(tempApp.ModuleManager.Modules),
		AddressCodec:          accAddressCodec,
		ValidatorAddressCodec: address.NewBech32Codec(app.Bech32Prefix + "valoper"),
		ConsensusAddressCodec: address.NewBech32Codec(app.Bech32Prefix + "valcons"),
		ClientCtx:             initClientCtx,
	}
	if err := autoCliOpts.EnhanceRootCommand(rootCmd); err != nil {
		panic(err)
	}
	return rootCmd
}
