package cmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/trustedge/trustedge/app"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
)

const (
	flagCreator   = "creator"
	flagGranter   = "granter"
	flagExpiresAt = "expires-at"
)

// genesisAccessCommands seed x/access tables before the chain starts.
func genesisAccessCommands() []*cobra.Command {
	return []*cobra.Command{addRoleCmd(), addRoleMembersCmd(), addGrantCmd(), addNamespaceAdminCmd()}
}

// updateAccessGenesis edits the x/access genesis.
func updateAccessGenesis(cmd *cobra.Command, fn func(*accesstypes.GenesisState) error) error {
	gs := accesstypes.DefaultGenesis()
	return updateModuleGenesis(cmd, accesstypes.ModuleName, gs, func() error { return fn(gs) })
}

// addressFlag resolves a flag holding an address or key name.
func addressFlag(cmd *cobra.Command, name string) (string, error) {
	v, _ := cmd.Flags().GetString(name)
	if v == "" {
		return "", fmt.Errorf("--%s is required", name)
	}
	addr, err := resolveAddress(cmd, client.GetClientContextFromCmd(cmd), v)
	if err != nil {
		return "", err
	}
	return accAddressCodec.BytesToString(addr)
}

// subjectArg reads a subject: "kind:id", an address, or a key name.
func subjectArg(cmd *cobra.Command, arg string) (string, error) {
	if strings.Contains(arg, ":") {
		return accesstypes.NormalizeSubject(accAddressCodec, arg)
	}
	addr, err := resolveAddress(cmd, client.GetClientContextFromCmd(cmd), arg)
	if err != nil {
		return "", err
	}
	bech, err := accAddressCodec.BytesToString(addr)
	if err != nil {
		return "", err
	}
	return accesstypes.AccountSubject(bech), nil
}

func withGenesisFlags(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home directory")
	cmd.Flags().String(flags.FlagKeyringBackend, flags.DefaultKeyringBackend, "keyring backend (os|file|test)")
	return cmd
}

func addRoleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "add-role [name] [action]...",
		Short:   "Add an x/access role to genesis.json",
		Example: "trustedged genesis add-role device-owner register --creator admin --keyring-backend test",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			creator, err := addressFlag(cmd, flagCreator)
			if err != nil {
				return err
			}
			actions, err := accesstypes.NormalizeActions(args[1:])
			if err != nil {
				return err
			}
			return updateAccessGenesis(cmd, func(gs *accesstypes.GenesisState) error {
				gs.Roles = append(gs.Roles, accesstypes.Role{Name: args[0], Actions: actions, Creator: creator})
				return nil
			})
		},
	}
	cmd.Flags().String(flagCreator, "", "address or key of the role's creator (may manage members)")
	return withGenesisFlags(cmd)
}

func addRoleMembersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "add-role-members [role] [member]...",
		Short:   "Put accounts (address or account:<address>) or devices (device:<id>) in a role in genesis.json",
		Example: "trustedged genesis add-role-members device-owner edge1… device:pm25-001",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return updateAccessGenesis(cmd, func(gs *accesstypes.GenesisState) error {
				for _, m := range args[1:] {
					member, err := accesstypes.NormalizeMember(accAddressCodec, m)
					if err != nil {
						return err
					}
					gs.RoleMembers = append(gs.RoleMembers, accesstypes.RoleMember{Role: args[0], Member: member})
				}
				return nil
			})
		},
	}
	return withGenesisFlags(cmd)
}

func addGrantCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-grant [subject|address|key] [resource-pattern] [action]...",
		Short: "Add an x/access grant to genesis.json",
		Long: "Add a grant. A role subject may omit actions (the role's actions apply). " +
			"--expires-at takes RFC 3339 and is compared with block time.",
		Example: "trustedged genesis add-grant role:device-owner 'device/*' --granter admin --keyring-backend test",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			granter, err := addressFlag(cmd, flagGranter)
			if err != nil {
				return err
			}
			subject, err := subjectArg(cmd, args[0])
			if err != nil {
				return err
			}
			actions, err := accesstypes.NormalizeActions(args[2:])
			if err != nil {
				return err
			}
			var expires *time.Time
			if s, _ := cmd.Flags().GetString(flagExpiresAt); s != "" {
				t, err := time.Parse(time.RFC3339, s)
				if err != nil {
					return fmt.Errorf("--%s: %w", flagExpiresAt, err)
				}
				t = t.UTC()
				expires = &t
			}
			return updateAccessGenesis(cmd, func(gs *accesstypes.GenesisState) error {
				gs.Grants = append(gs.Grants, accesstypes.Grant{
					Id: gs.NextGrantId, Subject: subject, Resource: args[1], Actions: actions,
					ExpiresAt: expires, Granter: granter,
				})
				gs.NextGrantId++
				return nil
			})
		},
	}
	cmd.Flags().String(flagGranter, "", "address or key recorded as the granter")
	cmd.Flags().String(flagExpiresAt, "", "expiry (RFC 3339, block time)")
	return withGenesisFlags(cmd)
}

func addNamespaceAdminCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "add-namespace-admin [namespace] [address-or-key]",
		Short:   "Make an account admin of a resource namespace in genesis.json",
		Example: "trustedged genesis add-namespace-admin device admin --keyring-backend test",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(cmd, client.GetClientContextFromCmd(cmd), args[1])
			if err != nil {
				return err
			}
			admin, err := accAddressCodec.BytesToString(addr)
			if err != nil {
				return err
			}
			return updateAccessGenesis(cmd, func(gs *accesstypes.GenesisState) error {
				gs.NamespaceAdmins = append(gs.NamespaceAdmins, accesstypes.NamespaceAdmin{Namespace: args[0], Admin: admin})
				return nil
			})
		},
	}
	return withGenesisFlags(cmd)
}
