package cmd

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/keys"
	"github.com/cosmos/cosmos-sdk/client/pruning"
	"github.com/cosmos/cosmos-sdk/client/rpc"
	"github.com/cosmos/cosmos-sdk/client/snapshot"
	"github.com/cosmos/cosmos-sdk/server"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	authcmd "github.com/cosmos/cosmos-sdk/x/auth/client/cli"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"

	"github.com/trustedge/trustedge/app"
)

// initRootCmd adds the node, genesis, key and client commands.
func initRootCmd(rootCmd *cobra.Command, tempApp *app.App) {
	rootCmd.AddCommand(
		genutilcli.InitCmd(tempApp.BasicModuleManager, app.DefaultNodeHome),
		pruning.Cmd(newApp, app.DefaultNodeHome),
		snapshot.Cmd(newApp),
	)
	server.AddCommandsWithStartCmdOptions(rootCmd, app.DefaultNodeHome, newApp, exportApp, startOptions())
	rootCmd.AddCommand(
		genesisCommand(tempApp),
		queryCommand(),
		txCommand(),
		keys.Commands(),
	)
}

// queryCommand is `trustedged query`; autocli adds the module queries.
func queryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "query",
		Aliases:                    []string{"q"},
		Short:                      "Query the chain",
		DisableFlagParsing:         false,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		rpc.QueryEventForTxCmd(),
		rpc.ValidatorCommand(),
		server.QueryBlockCmd(),
		authcmd.QueryTxsByEventsCmd(),
		server.QueryBlocksCmd(),
		authcmd.QueryTxCmd(),
		server.QueryBlockResultsCmd(),
	)
	return cmd
}

// txCommand is `trustedged tx`; autocli adds the module messages.
func txCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "tx",
		Short:                      "Sign and broadcast transactions",
		DisableFlagParsing:         false,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		authcmd.GetSignCommand(),
		authcmd.GetSignBatchCommand(),
		authcmd.GetMultiSignCommand(),
		authcmd.GetMultiSignBatchCmd(),
		authcmd.GetValidateSignaturesCommand(),
		authcmd.GetBroadcastCommand(),
		authcmd.GetEncodeCommand(),
		authcmd.GetDecodeCommand(),
		authcmd.GetSimulateCmd(),
	)
	return cmd
}

// newApp is the server's app constructor. It remembers the app so the
// data plane, started after CometBFT, can read chain state from it.
func newApp(logger log.Logger, db dbm.DB, appOpts servertypes.AppOptions) servertypes.Application {
	a := app.New(logger, db, true, appOpts, server.DefaultBaseappOptions(appOpts)...)
	runningApp.Store(a)
	return a
}

// exportApp serves `trustedged export`.
func exportApp(
	logger log.Logger, db dbm.DB, height int64, forZeroHeight bool,
	jailAllowedAddrs []string, appOpts servertypes.AppOptions, modulesToExport []string,
) (servertypes.ExportedApp, error) {
	homePath, ok := appOpts.Get(flags.FlagHome).(string)
	if !ok || homePath == "" {
		return servertypes.ExportedApp{}, errors.New("application home not set")
	}
	a := app.New(logger, db, height == -1, appOpts)
	if height != -1 {
		if err := a.LoadHeight(height); err != nil {
			return servertypes.ExportedApp{}, err
		}
	}
	return a.ExportAppStateAndValidators(forZeroHeight, jailAllowedAddrs, modulesToExport)
}

// initAppConfig sets TrustEdge's app.toml defaults: zero-fee is allowed
// (senders are permissioned, not priced out) and app state lives in pebble.
func initAppConfig() (string, any) {
	cfg := serverconfig.DefaultConfig()
	cfg.MinGasPrices = "0" + app.FeeDenom
	cfg.AppDBBackend = "pebbledb"
	return serverconfig.DefaultConfigTemplate, cfg
}

// interceptConfigs is the SDK's InterceptConfigsPreRunHandler with
// initCometConfig, plus one repair: when it writes a new config.toml, the
// SDK replaces a timeout_commit equal to CometBFT's default (1 s, which is
// also ours) with 5 s, so a home made by hand got 5 s blocks (and twice the
// data plane's close delay). A config.toml it has just written is written
// again with ours.
func interceptConfigs(cmd *cobra.Command, appTemplate string, appConfig any) error {
	home, err := sdkHome(cmd)
	if err != nil {
		return err
	}
	cfgFile := filepath.Join(home, "config", "config.toml")
	_, statErr := os.Stat(cfgFile)
	fresh := home != "" && os.IsNotExist(statErr)
	// The SDK changes the config it is given in place: keep ours apart.
	want := initCometConfig().Consensus.TimeoutCommit
	if err := server.InterceptConfigsPreRunHandler(cmd, appTemplate, appConfig, initCometConfig()); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	sctx := server.GetServerContextFromCmd(cmd)
	if sctx.Config.Consensus.TimeoutCommit == want {
		return nil
	}
	sctx.Config.Consensus.TimeoutCommit = want
	cmtcfg.WriteConfigFile(cfgFile, sctx.Config)
	return nil
}

// sdkHome is the home InterceptConfigsPreRunHandler will use: --home when
// given, else the <EXECUTABLE>_HOME environment variable
// (TRUSTEDGED_HOME), else the flag's default — read through a viper set up
// as the SDK sets up its own.
func sdkHome(cmd *cobra.Command) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	v := viper.New()
	if err := v.BindPFlags(cmd.Flags()); err != nil {
		return "", err
	}
	if err := v.BindPFlags(cmd.PersistentFlags()); err != nil {
		return "", err
	}
	v.SetEnvPrefix(path.Base(exe))
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	return v.GetString(flags.FlagHome), nil
}

// initCometConfig sets CometBFT's defaults: pebble storage and 1 s blocks.
func initCometConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.DBBackend = "pebbledb"
	cfg.Consensus.TimeoutCommit = time.Second
	return cfg
}
