package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// TestRootCommandTree builds the whole CLI as `trustedged` does at start:
// autocli panics there if a msg field's flag clashes with a standard one
// (a `node` field against the RPC --node), so this runs it in tests. The
// node-naming fields are exposed as --for-node.
func TestRootCommandTree(t *testing.T) {
	root := NewRootCmd()
	find := func(path ...string) *cobra.Command {
		t.Helper()
		c, rest, err := root.Find(path)
		require.NoError(t, err, "%v", path)
		require.Empty(t, rest, "%v", path)
		return c
	}
	for _, path := range [][]string{{"tx", "edge", "heartbeat"}, {"tx", "stream", "commit-epoch"}} {
		c := find(path...)
		require.NotNil(t, c.Flags().Lookup("for-node"), "%v --for-node", path)
		require.NotNil(t, c.Flags().Lookup("node"), "%v --node (RPC)", path)
	}
	find("tx", "edge", "set-committer")
	find("genesis", "add-edge-node")
	require.NotNil(t, find("genesis", "add-edge-node").Flags().Lookup("committer"))
}

// TestModuleFlagsHaveUsage: every flag autocli makes from one of our msg or
// query fields says what it takes (autocli leaves a field's usage empty
// unless the module sets one). The SDK's own pagination flags are left as
// the SDK makes them.
func TestModuleFlagsHaveUsage(t *testing.T) {
	root := NewRootCmd()
	var bare []string
	for _, top := range []string{"query", "tx"} {
		for _, module := range []string{"edge", "access", "device", "stream"} {
			c, _, err := root.Find([]string{top, module})
			require.NoError(t, err)
			require.NotEmpty(t, c.Commands(), "%s %s has no commands", top, module)
			for _, sub := range c.Commands() {
				sub.LocalFlags().VisitAll(func(f *pflag.Flag) {
					if f.Usage == "" && !strings.HasPrefix(f.Name, "page-") {
						bare = append(bare, strings.Join([]string{top, module, sub.Name(), "--" + f.Name}, " "))
					}
				})
			}
		}
	}
	require.Empty(t, bare, "flags without a usage line")
}
