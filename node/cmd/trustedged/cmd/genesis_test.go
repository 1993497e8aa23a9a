package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// run executes the trustedged CLI with args.
func run(t *testing.T, args ...string) {
	t.Helper()
	root := NewRootCmd()
	root.SetArgs(args)
	root.SetOut(os.Stderr)
	require.NoError(t, root.Execute(), "%v", args)
}

// bootstrapMode reads x/edge's bootstrap_mode and authority from genesis.
func bootstrapMode(t *testing.T, home string) (bool, string) {
	t.Helper()
	bz, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	var g struct {
		AppState struct {
			Edge struct {
				Authority string `json:"authority"`
				Params    struct {
					BootstrapMode bool `json:"bootstrap_mode"`
				} `json:"params"`
			} `json:"edge"`
		} `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal(bz, &g))
	return g.AppState.Edge.Params.BootstrapMode, g.AppState.Edge.Authority
}

// set-authority changes bootstrap mode only when --bootstrap-mode is given:
// re-running it to change the authority keeps the mode.
func TestSetAuthorityKeepsBootstrapUnlessGiven(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "n0", "--chain-id", "test-1", "--home", home)
	a1, err := accAddressCodec.BytesToString(bytes.Repeat([]byte{1}, 20))
	require.NoError(t, err)
	a2, err := accAddressCodec.BytesToString(bytes.Repeat([]byte{2}, 20))
	require.NoError(t, err)
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
