package cmd

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/trustedge/trustedge/app"
)

// run executes the trustedged CLI with args.
func run(t *testing.T, args ...string) {
	t.Helper()
	root := NewRootCmd()
	root.SetArgs(args)
	root.SetOut(os.Stderr)
	// As main does: the SDK adds --home and the other root flags.
	require.NoError(t, svrcmd.Execute(root, "", app.DefaultNodeHome), "%v", args)
}

// testAddr is the bech32 account address of 20 bytes b.
func testAddr(t *testing.T, b byte) string {
	t.Helper()
	s, err := accAddressCodec.BytesToString(bytes.Repeat([]byte{b}, 20))
	require.NoError(t, err)
	return s
}

// edgeGenesisJSON is what the CLI tests read of x/edge's genesis.
type edgeGenesisJSON struct {
	Authority string `json:"authority"`
	Params    struct {
		BootstrapMode bool `json:"bootstrap_mode"`
	} `json:"params"`
	Nodes []struct {
		EthAddress string `json:"eth_address"`
	} `json:"nodes"`
}

// edgeGenesis reads x/edge's section of home's genesis.json.
func edgeGenesis(t *testing.T, home string) edgeGenesisJSON {
	t.Helper()
	bz, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	var g struct {
		AppState struct {
			Edge edgeGenesisJSON `json:"edge"`
		} `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal(bz, &g))
	return g.AppState.Edge
}

// bootstrapMode reads x/edge's bootstrap_mode and authority from genesis.
func bootstrapMode(t *testing.T, home string) (bool, string) {
	t.Helper()
	g := edgeGenesis(t, home)
	return g.Params.BootstrapMode, g.Authority
}

// set-authority changes bootstrap mode only when --bootstrap-mode is given:
// re-running it to change the authority keeps the mode.
func TestSetAuthorityKeepsBootstrapUnlessGiven(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "n0", "--chain-id", "test-1", "--home", home)
	a1, a2 := testAddr(t, 1), testAddr(t, 2)
	run(t, "genesis", "set-authority", a1, "--bootstrap-mode", "--home", home)
	on, auth := bootstrapMode(t, home)
	require.True(t, on)
	require.Equal(t, a1, auth)

	run(t, "genesis", "set-authority", a2, "--home", home)
	on, auth = bootstrapMode(t, home)
	require.True(t, on, "re-running without the flag keeps bootstrap mode")
	require.Equal(t, a2, auth)

	run(t, "genesis", "set-authority", a2, "--bootstrap-mode=false", "--home", home)
	on, _ = bootstrapMode(t, home)
	require.False(t, on)
}

// runStderr executes the trustedged CLI with args, requires success and
// returns what it wrote to stderr.
func runStderr(t *testing.T, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	root := NewRootCmd()
	root.SetArgs(args)
	root.SetErr(&stderr)
	root.SetOut(io.Discard)
	require.NoError(t, svrcmd.Execute(root, "", app.DefaultNodeHome), "%v", args)
	return stderr.String()
}

// runErr executes the trustedged CLI with args and returns its error.
func runErr(args ...string) error {
	root := NewRootCmd()
	root.SetArgs(args)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	return svrcmd.Execute(root, "", app.DefaultNodeHome)
}

// edgeNodeEthAddresses reads the x/edge nodes' eth addresses from genesis.
func edgeNodeEthAddresses(t *testing.T, home string) []string {
	t.Helper()
	var out []string
	for _, n := range edgeGenesis(t, home).Nodes {
		out = append(out, n.EthAddress)
	}
	return out
}

// add-edge-node writes the bridge signer in EIP-55 form and refuses one
// that another genesis node already names, in any spelling, or a typo.
func TestAddEdgeNodeEthAddress(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "n0", "--chain-id", "test-1", "--home", home)
	op := func(b byte) string { return testAddr(t, b) }
	const eip55 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	run(t, "genesis", "add-edge-node", op(1), "--eth-address", strings.ToLower(eip55), "--home", home)
	require.Equal(t, []string{eip55}, edgeNodeEthAddresses(t, home))

	otherKey := fmt.Sprintf(`{"@type":"/cosmos.crypto.ed25519.PubKey","key":"%s"}`,
		base64.StdEncoding.EncodeToString(ed25519.GenPrivKey().PubKey().Bytes()))
	err := runErr("genesis", "add-edge-node", op(2), "--pubkey", otherKey, "--eth-address", strings.ToUpper(eip55[:2])+strings.ToUpper(eip55[2:]), "--home", home)
	require.Error(t, err, "upper-case 0X prefix")
	err = runErr("genesis", "add-edge-node", op(2), "--pubkey", otherKey, "--eth-address", "0x"+strings.ToUpper(eip55[2:]), "--home", home)
	require.ErrorContains(t, err, "eth address")
	require.ErrorContains(t, err, op(1))
	err = runErr("genesis", "add-edge-node", op(2), "--pubkey", otherKey, "--eth-address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "--home", home)
	require.ErrorContains(t, err, "EIP-55")
	require.Equal(t, []string{eip55}, edgeNodeEthAddresses(t, home), "a refused node changes nothing")

	run(t, "genesis", "add-edge-node", op(2), "--pubkey", otherKey, "--home", home)
	require.Equal(t, []string{eip55, ""}, edgeNodeEthAddresses(t, home))
}

// `init` writes 1 s blocks into config.toml (the SDK would write 5 s for a
// value equal to CometBFT's default), and a home's later edits are kept.
func TestInitWritesOneSecondBlocks(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "n0", "--chain-id", "test-1", "--home", home)
	cfgFile := filepath.Join(home, "config", "config.toml")
	bz, err := os.ReadFile(cfgFile)
	require.NoError(t, err)
	require.Contains(t, string(bz), `timeout_commit = "1s"`)

	edited := strings.Replace(string(bz), `timeout_commit = "1s"`, `timeout_commit = "2s"`, 1)
	require.NoError(t, os.WriteFile(cfgFile, []byte(edited), 0o600))
	// Any command reads (and, were it missing, writes) the config first.
	require.ErrorContains(t, runErr("genesis", "set-authority", "nobody", "--keyring-backend", "test", "--home", home), "nobody")
	bz, err = os.ReadFile(cfgFile)
	require.NoError(t, err)
	require.Contains(t, string(bz), `timeout_commit = "2s"`, "an existing config is not rewritten")
}

// The genesis commands that take a key name read the keyring client.toml
// names, like `keys` does, without --keyring-backend.
func TestGenesisCommandsUseClientTomlKeyring(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "n0", "--chain-id", "test-1", "--home", home)
	run(t, "keys", "add", "admin", "--keyring-backend", "test", "--home", home)
	clientToml := filepath.Join(home, "config", "client.toml")
	bz, err := os.ReadFile(clientToml)
	require.NoError(t, err)
	require.Contains(t, string(bz), `keyring-backend = "os"`)
	require.NoError(t, os.WriteFile(clientToml, []byte(strings.Replace(string(bz), `keyring-backend = "os"`, `keyring-backend = "test"`, 1)), 0o600))
	run(t, "genesis", "set-authority", "admin", "--home", home)
	_, auth := bootstrapMode(t, home)
	require.NotEmpty(t, auth)
}

// add-edge-node warns when the committer it names has no genesis balance
// (no account on chain: its commitments would all be refused), and not
// once it has one.
func TestAddEdgeNodeWarnsUnfundedCommitter(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "n0", "--chain-id", "test-1", "--home", home)
	committer, op := testAddr(t, 9), testAddr(t, 1)
	stderr := runStderr(t, "genesis", "add-edge-node", op, "--committer", committer, "--home", home)
	require.Contains(t, stderr, "committer "+committer+" has no genesis balance")

	home2 := t.TempDir()
	run(t, "init", "n0", "--chain-id", "test-1", "--home", home2)
	run(t, "genesis", "add-genesis-account", committer, "1000uedge", "--home", home2)
	stderr = runStderr(t, "genesis", "add-edge-node", op, "--committer", committer, "--home", home2)
	require.NotContains(t, stderr, "no genesis balance")
}

// A home named by the environment (TRUSTEDGED_HOME for the binary; the
// variable follows the executable's name, as the SDK reads it) gets the
// same 1 s blocks as --home.
func TestEnvHomeGetsOneSecondBlocks(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	home := t.TempDir()
	// viper spells it upper case with "." and "-" as "_" (cmd.test: CMD_TEST_HOME).
	t.Setenv(strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToUpper(filepath.Base(exe)))+"_HOME", home)
	// Any command writes a missing config before it runs; this one then
	// fails for want of a genesis, which does not matter here.
	_ = runErr("genesis", "validate")
	bz, err := os.ReadFile(filepath.Join(home, "config", "config.toml"))
	require.NoError(t, err, "the config went to the environment's home")
	require.Contains(t, string(bz), `timeout_commit = "1s"`)
}
