package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"

	pvm "github.com/cometbft/cometbft/privval"
	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/server"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/trustedge/trustedge/app"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

const (
	flagPower      = "power"
	flagMoniker    = "moniker"
	flagRegion     = "region"
	flagPubKey     = "pubkey"
	flagGateway    = "gateway"
	flagPeerID     = "peer-id"
	flagMultiaddr  = "multiaddr"
	flagEthAddress = "eth-address"
	flagCommitter  = "committer"
	flagBootstrap  = "bootstrap-mode"
)

// genesisCommand is `trustedged genesis`: there is no gentx on a
// permissioned chain, so validators are written into genesis directly.
func genesisCommand(tempApp *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "genesis",
		Short:                      "Build the genesis file: accounts, edge nodes, authority",
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		genutilcli.AddGenesisAccountCmd(app.DefaultNodeHome, tempApp.AccountKeeper.AddressCodec()),
		genutilcli.AddBulkGenesisAccountCmd(app.DefaultNodeHome, tempApp.AccountKeeper.AddressCodec()),
		addEdgeNodeCmd(),
		setAuthorityCmd(),
	)
	cmd.AddCommand(genesisAccessCommands()...)
	cmd.AddCommand(
		genutilcli.ValidateGenesisCmd(tempApp.BasicModuleManager),
	)
	return cmd
}

// resolveAddress accepts a bech32 address or a key name in the keyring.
func resolveAddress(cmd *cobra.Command, clientCtx client.Context, arg string) (sdk.AccAddress, error) {
	if addr, err := accAddressCodec.StringToBytes(arg); err == nil {
		return addr, nil
	}
	// The keyring client.toml names (as `keys` and the SDK's genesis
	// commands use it), unless --keyring-backend says otherwise.
	kr := clientCtx.Keyring
	if kr == nil || cmd.Flags().Changed(flags.FlagKeyringBackend) {
		backend, _ := cmd.Flags().GetString(flags.FlagKeyringBackend)
		var err error
		if kr, err = keyring.New(sdk.KeyringServiceName(), backend, clientCtx.HomeDir, bufio.NewReader(cmd.InOrStdin()), clientCtx.Codec); err != nil {
			return nil, err
		}
	}
	rec, err := kr.Key(arg)
	if err != nil {
		return nil, fmt.Errorf("%q is neither an address nor a key in the keyring: %w", arg, err)
	}
	return rec.GetAddress()
}

// updateModuleGenesis reads genesis.json, decodes one module's state into
// gs (or keeps gs as the default when the module is absent), lets fn change
// it, validates it and writes the file back.
func updateModuleGenesis(cmd *cobra.Command, module string, gs genesisState, fn func() error) error {
	clientCtx := client.GetClientContextFromCmd(cmd)
	cfg := server.GetServerContextFromCmd(cmd).Config
	cfg.SetRoot(clientCtx.HomeDir)
	genFile := cfg.GenesisFile()

	appState, appGenesis, err := genutiltypes.GenesisStateFromGenFile(genFile)
	if err != nil {
		return fmt.Errorf("reading %s: %w", genFile, err)
	}
	if raw, ok := appState[module]; ok {
		if err := clientCtx.Codec.UnmarshalJSON(raw, gs); err != nil {
			return fmt.Errorf("decoding %s genesis: %w", module, err)
		}
	}
	if err := fn(); err != nil {
		return err
	}
	if err := gs.Validate(accAddressCodec); err != nil {
		return err
	}
	if appState[module], err = clientCtx.Codec.MarshalJSON(gs); err != nil {
		return err
	}
	if appGenesis.AppState, err = json.MarshalIndent(appState, "", "  "); err != nil {
		return err
	}
	return genutil.ExportGenesisFile(appGenesis, genFile)
}

// genesisState is a module genesis message with a Validate method.
type genesisState interface {
	proto.Message
	Validate(address.Codec) error
}

// updateEdgeGenesis edits the x/edge genesis.
func updateEdgeGenesis(cmd *cobra.Command, fn func(*edgetypes.GenesisState) error) error {
	gs := edgetypes.DefaultGenesis()
	return updateModuleGenesis(cmd, edgetypes.ModuleName, gs, func() error { return fn(gs) })
}

// warnUnfundedCommitter warns when the committer has no genesis balance:
// it has no account on chain then, so every commitment and heartbeat its
// data plane signs is refused until someone sends it tokens. Not an error:
// the account may be funded later in the genesis, or on chain.
func warnUnfundedCommitter(cmd *cobra.Command, committer string) {
	cfg := server.GetServerContextFromCmd(cmd).Config
	appState, _, err := genutiltypes.GenesisStateFromGenFile(cfg.GenesisFile())
	if err != nil {
		return
	}
	var bank struct {
		Balances []struct {
			Address string `json:"address"`
		} `json:"balances"`
	}
	if json.Unmarshal(appState[banktypes.ModuleName], &bank) != nil {
		return
	}
	for _, b := range bank.Balances {
		if b.Address == committer {
			return
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "warning: committer %s has no genesis balance, so no account on chain: its data plane's commitments and heartbeats are refused "+
		"until it has one (`genesis add-genesis-account %s 1000000%s`, or a bank send after start)\n", committer, committer, app.FeeDenom)
}

func addEdgeNodeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-edge-node [operator-address-or-key]",
		Short: "Add an edge node and its validator key to genesis.json",
		Long: "Add an edge node to the x/edge genesis. The consensus key is read from this home's " +
			"priv_validator_key.json unless --pubkey gives one (the JSON `comet show-validator` prints).",
		Example: "trustedged genesis add-edge-node node0 --power 10 --moniker node0 --region lab --keyring-backend test",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx := client.GetClientContextFromCmd(cmd)
			cfg := server.GetServerContextFromCmd(cmd).Config
			cfg.SetRoot(clientCtx.HomeDir)

			operator, err := resolveAddress(cmd, clientCtx, args[0])
			if err != nil {
				return err
			}
			var pk cryptotypes.PubKey
			if pkJSON, _ := cmd.Flags().GetString(flagPubKey); pkJSON != "" {
				if err := clientCtx.Codec.UnmarshalInterfaceJSON([]byte(pkJSON), &pk); err != nil {
					return fmt.Errorf("--%s: %w", flagPubKey, err)
				}
			} else {
				cmtPk, err := pvm.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()).GetPubKey()
				if err != nil {
					return err
				}
				if pk, err = cryptocodec.FromCmtPubKeyInterface(cmtPk); err != nil {
					return err
				}
			}
			pkAny, err := codectypes.NewAnyWithValue(pk)
			if err != nil {
				return err
			}

			power, _ := cmd.Flags().GetInt64(flagPower)
			moniker, _ := cmd.Flags().GetString(flagMoniker)
			if moniker == "" {
				moniker = cfg.Moniker
			}
			region, _ := cmd.Flags().GetString(flagRegion)
			gateway, _ := cmd.Flags().GetString(flagGateway)
			peerID, _ := cmd.Flags().GetString(flagPeerID)
			multiaddrs, _ := cmd.Flags().GetStringSlice(flagMultiaddr)
			ethAddr, _ := cmd.Flags().GetString(flagEthAddress)
			// Written in EIP-55 form, as the chain stores it.
			if ethAddr, _, err = edgetypes.ParseEthAddress(ethAddr); err != nil {
				return fmt.Errorf("--%s: %w", flagEthAddress, err)
			}
			operatorStr, err := accAddressCodec.BytesToString(operator)
			if err != nil {
				return err
			}
			var committerStr string
			if c, _ := cmd.Flags().GetString(flagCommitter); c != "" {
				committer, err := resolveAddress(cmd, clientCtx, c)
				if err != nil {
					return fmt.Errorf("--%s: %w", flagCommitter, err)
				}
				if committerStr, err = accAddressCodec.BytesToString(committer); err != nil {
					return err
				}
			}

			node := edgetypes.EdgeNode{
				Operator:        operatorStr,
				ConsensusPubkey: pkAny,
				Power:           power,
				Moniker:         moniker,
				Region:          region,
				Endpoints:       edgetypes.Endpoints{PeerId: peerID, Multiaddrs: multiaddrs, Gateway: gateway},
				EthAddress:      ethAddr,
				Status:          edgetypes.NODE_STATUS_ACTIVE,
				Committer:       committerStr,
			}
			if err := edgetypes.ValidatePower(power, false); err != nil {
				return err
			}
			if err := updateEdgeGenesis(cmd, func(gs *edgetypes.GenesisState) error {
				gs.Nodes = append(gs.Nodes, node)
				return nil
			}); err != nil {
				return err
			}
			if committerStr != "" {
				warnUnfundedCommitter(cmd, committerStr)
			}
			return nil
		},
	}
	cmd.Flags().Int64(flagPower, 10, "voting power")
	cmd.Flags().String(flagMoniker, "", "node name (default: the moniker in config.toml)")
	cmd.Flags().String(flagRegion, "", "region or site of the edge server")
	cmd.Flags().String(flagPubKey, "", "consensus public key JSON (default: this home's validator key)")
	cmd.Flags().String(flagGateway, "", "device-facing gateway URL, e.g. http://127.0.0.1:8080")
	cmd.Flags().String(flagPeerID, "", "libp2p peer id of the data-plane host")
	cmd.Flags().StringSlice(flagMultiaddr, nil, "libp2p multiaddrs (repeatable)")
	cmd.Flags().String(flagEthAddress, "", "0x address the node signs bridge checkpoints with")
	cmd.Flags().String(flagCommitter, "", "account (address or key) the node's data plane signs epoch commitments with (default: the operator)")
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home directory")
	cmd.Flags().String(flags.FlagKeyringBackend, flags.DefaultKeyringBackend, "keyring backend (os|file|test)")
	return cmd
}

// setConsensusAuthority writes the authority into the genesis consensus
// params: the SDK modules (bank, consensus, upgrade, auth) accept it in place
// of their own authority, so the consortium also governs params and upgrades.
func setConsensusAuthority(cmd *cobra.Command, authority string) error {
	cfg := server.GetServerContextFromCmd(cmd).Config
	cfg.SetRoot(client.GetClientContextFromCmd(cmd).HomeDir)
	appGenesis, err := genutiltypes.AppGenesisFromFile(cfg.GenesisFile())
	if err != nil {
		return err
	}
	if appGenesis.Consensus == nil || appGenesis.Consensus.Params == nil {
		return fmt.Errorf("%s has no consensus params", cfg.GenesisFile())
	}
	appGenesis.Consensus.Params.Authority.Authority = authority
	return genutil.ExportGenesisFile(appGenesis, cfg.GenesisFile())
}

func setAuthorityCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "set-authority [address-or-key]",
		Short:   "Set the consortium authority (x/edge and consensus params) and optionally bootstrap mode in genesis.json",
		Example: "trustedged genesis set-authority admin --keyring-backend test",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx := client.GetClientContextFromCmd(cmd)
			addr, err := resolveAddress(cmd, clientCtx, args[0])
			if err != nil {
				return err
			}
			addrStr, err := accAddressCodec.BytesToString(addr)
			if err != nil {
				return err
			}
			bootstrap, _ := cmd.Flags().GetBool(flagBootstrap)
			if err := updateEdgeGenesis(cmd, func(gs *edgetypes.GenesisState) error {
				gs.Authority = addrStr
				// Only when given: re-running set-authority to change the
				// authority must not turn bootstrap mode off unasked.
				if cmd.Flags().Changed(flagBootstrap) {
					gs.Params.BootstrapMode = bootstrap
				}
				return nil
			}); err != nil {
				return err
			}
			return setConsensusAuthority(cmd, addrStr)
		},
	}
	cmd.Flags().Bool(flagBootstrap, false, "lift (true) or keep (false) the per-block power-change cap, for growing a 1–2 node network; left as it is when not given")
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home directory")
	cmd.Flags().String(flags.FlagKeyringBackend, flags.DefaultKeyringBackend, "keyring backend (os|file|test)")
	return cmd
}
