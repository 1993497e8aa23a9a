package types_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

func genesisDevice(id string) types.Device {
	return types.Device{
		Id:               id,
		Owner:            devtestutil.AddrStr("alice"),
		Pubkey:           devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, id+"/v3").PubKey(),
		KeyVersion:       3,
		KeySinceHeight:   30,
		Kind:             types.DEVICE_KIND_ACTUATOR,
		Protocols:        []types.Protocol{types.PROTOCOL_WIFI, types.PROTOCOL_ZIGBEE},
		HomeNode:         devtestutil.AddrStr("node0"),
		Metadata:         []types.MetadataEntry{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}},
		Status:           types.DEVICE_STATUS_SUSPENDED,
		RegisteredHeight: 10,
	}
}

func historyEntry(id string, version uint64, from, until int64) types.KeyHistoryEntry {
	return types.KeyHistoryEntry{DeviceId: id, Version: version, Record: types.KeyRecord{
		Pubkey:          devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, id).PubKey(),
		ValidFromHeight: from, ValidUntilHeight: until,
	}}
}

func validGenesis() types.GenesisState {
	return types.GenesisState{
		Devices:    []types.Device{genesisDevice("a"), genesisDevice("b")},
		KeyHistory: []types.KeyHistoryEntry{historyEntry("a", 1, 10, 20), historyEntry("a", 2, 20, 30)},
	}
}

func TestGenesisValidate(t *testing.T) {
	ac := devtestutil.AddressCodec()
	require.NoError(t, types.DefaultGenesis().Validate(ac))
	require.NoError(t, validGenesis().Validate(ac))
	// Valid too: history listed newest first; a key replaced in the block it
	// was installed in (an empty range); a zero-height export's reset heights.
	reversed := validGenesis()
	reversed.KeyHistory[0], reversed.KeyHistory[1] = reversed.KeyHistory[1], reversed.KeyHistory[0]
	require.NoError(t, reversed.Validate(ac))
	sameBlock := validGenesis()
	sameBlock.KeyHistory = []types.KeyHistoryEntry{historyEntry("a", 1, 10, 20), historyEntry("a", 2, 20, 20)}
	sameBlock.Devices[0].KeySinceHeight = 20
	require.NoError(t, sameBlock.Validate(ac))
	zeroed := validGenesis()
	zeroed.KeyHistory = []types.KeyHistoryEntry{historyEntry("a", 1, 0, 0), historyEntry("a", 2, 0, 0)}
	for i := range zeroed.Devices {
		zeroed.Devices[i].RegisteredHeight, zeroed.Devices[i].KeySinceHeight = 0, 0
	}
	require.NoError(t, zeroed.Validate(ac))

	// A Cosmos-prefixed address for alice: decodes as bech32, wrong prefix.
	cosmosAlice, err := addresscodec.NewBech32Codec("cosmos").BytesToString(devtestutil.Addr("alice"))
	require.NoError(t, err)

	// msg pins the rule each case targets: a substring of the error that
	// rule produces, so a case cannot pass because another rule fired.
	cases := []struct {
		name string
		mod  func(g *types.GenesisState)
		msg  string
	}{
		{"duplicate device", func(g *types.GenesisState) { g.Devices[1].Id = "a" }, `device 1: duplicate id "a"`},
		{"bad id", func(g *types.GenesisState) { g.Devices[0].Id = "a/b" }, `"a/b": only [A-Za-z0-9._:-] allowed`},
		{"owner not bech32", func(g *types.GenesisState) { g.Devices[0].Owner = "alice" }, `owner "alice": decoding bech32 failed`},
		{"owner wrong prefix", func(g *types.GenesisState) { g.Devices[0].Owner = cosmosAlice },
			`owner "` + cosmosAlice + `": hrp does not match bech32 prefix`},
		{"home node not bech32", func(g *types.GenesisState) { g.Devices[0].HomeNode = "" }, `home node "": empty address string is not allowed`},
		{"bad key", func(g *types.GenesisState) { g.Devices[0].Pubkey.Key = g.Devices[0].Pubkey.Key[:5] }, "ed25519 key must be 32 bytes, got 5"},
		{"key version 0", func(g *types.GenesisState) { g.Devices[1].KeyVersion = 0 }, `device 1 ("b"): key_version starts at 1`},
		{"key version above the limit", func(g *types.GenesisState) { g.Devices[1].KeyVersion = types.MaxKeyVersion + 1 }, `device 1 ("b"): key_version 4294967296 above the limit 4294967295`},
		{"key version MaxUint64", func(g *types.GenesisState) { g.Devices[1].KeyVersion = math.MaxUint64 }, `device 1 ("b"): key_version 18446744073709551615 above the limit`},
		{"admin hold on an active device", func(g *types.GenesisState) {
			g.Devices[1].Status, g.Devices[1].SuspendedByAdmin = types.DEVICE_STATUS_ACTIVE, true
		}, "suspended_by_admin on a device that is DEVICE_STATUS_ACTIVE, not suspended"},
		{"key since before registration", func(g *types.GenesisState) { g.Devices[0].KeySinceHeight = 5 }, "heights: registered 10, key since 5"},
		{"negative registration height", func(g *types.GenesisState) { g.Devices[1].RegisteredHeight = -1 }, "heights: registered -1, key since 30"},
		{"kind unspecified", func(g *types.GenesisState) { g.Devices[0].Kind = 0 }, "kind DEVICE_KIND_UNSPECIFIED"},
		{"protocols unsorted", func(g *types.GenesisState) {
			g.Devices[0].Protocols = []types.Protocol{types.PROTOCOL_ZIGBEE, types.PROTOCOL_WIFI}
		}, "protocols must be sorted"},
		{"no protocols", func(g *types.GenesisState) { g.Devices[0].Protocols = nil }, "at least one protocol is required"},
		{"metadata unsorted", func(g *types.GenesisState) {
			g.Devices[0].Metadata = []types.MetadataEntry{{Key: "b"}, {Key: "a"}}
		}, "metadata must be sorted by key"},
		{"status unspecified", func(g *types.GenesisState) { g.Devices[0].Status = 0 }, "status DEVICE_STATUS_UNSPECIFIED"},
		{"history of unknown device", func(g *types.GenesisState) { g.KeyHistory[0].DeviceId = "zzz" }, `key history 0: unknown device "zzz"`},
		{"history version 0", func(g *types.GenesisState) { g.KeyHistory[0].Version = 0 }, `device "a" version 0 must be in [1, 3)`},
		{"history version = current", func(g *types.GenesisState) { g.KeyHistory[1].Version = 3 }, `device "a" version 3 must be in [1, 3)`},
		{"history version > current", func(g *types.GenesisState) { g.KeyHistory[1].Version = 9 }, `device "a" version 9 must be in [1, 3)`},
		{"history duplicate", func(g *types.GenesisState) { g.KeyHistory[1].Version = 1 }, `key history 1: duplicate device "a" version 1`},
		{"history of a device never rotated", func(g *types.GenesisState) {
			g.Devices[1].KeyVersion = 1
			g.KeyHistory[0].DeviceId = "b"
		}, `device "b" version 1 must be in [1, 1)`},
		{"history bad key", func(g *types.GenesisState) { g.KeyHistory[0].Record.Pubkey.Type = 0 }, "key history 0: key type KEY_TYPE_UNSPECIFIED not supported"},
		{"history heights reversed", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidFromHeight = 25 }, `device "a" version 1: heights [25, 20) must be ordered`},
		{"history ends after current key start", func(g *types.GenesisState) { g.KeyHistory[1].Record.ValidUntilHeight = 31 }, `device "a" version 2: heights [20, 31) must be ordered`},
		{"history negative height", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidFromHeight = -1 }, `device "a" version 1: heights [-1, 20) must be ordered`},
		{"history starts before registration", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidFromHeight = 9 }, `device "a" version 1: heights [9, 20) must be ordered`},
		// v1 [10, 25) and v2 [20, 30) overlap: KeyAt would miss v1 at 22.
		{"history ranges overlap", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidUntilHeight = 25 }, `device "a" version 2 starts at 20, before version 1 ended (25)`},
		// Listed out of order, still checked in version order.
		{"history out of version order", func(g *types.GenesisState) {
			g.KeyHistory = []types.KeyHistoryEntry{historyEntry("a", 2, 10, 20), historyEntry("a", 1, 20, 30)}
		}, `device "a" version 2 starts at 10, before version 1 ended (30)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := validGenesis()
			tc.mod(&g)
			err := g.Validate(ac)
			require.ErrorIs(t, err, types.ErrInvalidGenesis)
			require.ErrorContains(t, err, tc.msg)
		})
	}
}
