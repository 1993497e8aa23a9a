package cmd

import (
	"testing"

	"github.com/spf13/cobra"
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
