package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// Version 1 never checked checksums: a stored mixed-case address with a
// wrong EIP-55 checksum still names a valid address and is kept, in EIP-55
// form; a "0X" prefix (never valid) is cleared. A second run changes no
// byte of the store and emits nothing.
func TestMigrateEthSignersSpellings(t *testing.T) {
	f := edgetestutil.NewFixture(t)
	nodes := edgetestutil.NewTestNodes(t, "migr", 4)
	f.InitGenesis(t, f.Genesis(types.DefaultParams(), nodes, 10))
	set := func(i int, addr string) {
		n := f.Node(t, nodes[i])
		n.EthAddress = addr
		require.NoError(t, f.Keeper.Nodes.Set(f.Ctx, nodes[i].OpAddr, n))
	}
	a := edgetestutil.EthAddress("migr/a")
	flipped := []byte(a) // every letter's case flipped: a wrong checksum
	for i := 2; i < len(flipped); i++ {
		switch c := flipped[i]; {
		case c >= 'a' && c <= 'f':
			flipped[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'F':
			flipped[i] = c - 'A' + 'a'
		}
	}
	_, _, err := types.ParseEthAddress(string(flipped))
	require.Error(t, err, "the flipped spelling fails EIP-55 as it stands")
	set(0, string(flipped))
	set(1, "0X"+strings.ToLower(a[2:]))
	set(2, "")
	require.NoError(t, f.Keeper.EthSigners.Clear(f.Ctx, nil))

	f.ResetEvents()
	require.NoError(t, f.Keeper.MigrateEthSigners(f.Ctx))
	require.Equal(t, a, f.Node(t, nodes[0]).EthAddress)
	require.Empty(t, f.Node(t, nodes[1]).EthAddress)
	require.Len(t, f.TypedEvents(t), 1, "one EventNodeUpdated, for the cleared address")

	snap := f.StoreSnapshot(t)
	f.ResetEvents()
	require.NoError(t, f.Keeper.MigrateEthSigners(f.Ctx))
	require.Equal(t, snap, f.StoreSnapshot(t), "idempotent")
	require.Empty(t, f.TypedEvents(t))
}
