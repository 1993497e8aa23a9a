package types_test

import (
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

	cases := []struct {
		name string
		mod  func(g *types.GenesisState)
	}{
		{"duplicate device", func(g *types.GenesisState) { g.Devices[1].Id = "a" }},
		{"bad id", func(g *types.GenesisState) { g.Devices[0].Id = "a/b" }},
		{"owner not bech32", func(g *types.GenesisState) { g.Devices[0].Owner = "alice" }},
		{"owner wrong prefix", func(g *types.GenesisState) {
			other, err := addresscodec.NewBech32Codec("cosmos").BytesToString(devtestutil.Addr("alice"))
			require.NoError(t, err)
			g.Devices[0].Owner = other
		}},
		{"home node not bech32", func(g *types.GenesisState) { g.Devices[0].HomeNode = "" }},
		{"bad key", func(g *types.GenesisState) { g.Devices[0].Pubkey.Key = g.Devices[0].Pubkey.Key[:5] }},
		{"key version 0", func(g *types.GenesisState) { g.Devices[1].KeyVersion = 0 }},
		{"key since before registration", func(g *types.GenesisState) { g.Devices[0].KeySinceHeight = 5 }},
		{"negative registration height", func(g *types.GenesisState) { g.Devices[1].RegisteredHeight = -1 }},
		{"kind unspecified", func(g *types.GenesisState) { g.Devices[0].Kind = 0 }},
		{"protocols unsorted", func(g *types.GenesisState) {
			g.Devices[0].Protocols = []types.Protocol{types.PROTOCOL_ZIGBEE, types.PROTOCOL_WIFI}
		}},
		{"no protocols", func(g *types.GenesisState) { g.Devices[0].Protocols = nil }},
		{"metadata unsorted", func(g *types.GenesisState) {
			g.Devices[0].Metadata = []types.MetadataEntry{{Key: "b"}, {Key: "a"}}
		}},
		{"status unspecified", func(g *types.GenesisState) { g.Devices[0].Status = 0 }},
		{"history of unknown device", func(g *types.GenesisState) { g.KeyHistory[0].DeviceId = "zzz" }},
		{"history version 0", func(g *types.GenesisState) { g.KeyHistory[0].Version = 0 }},
		{"history version = current", func(g *types.GenesisState) { g.KeyHistory[1].Version = 3 }},
		{"history version > current", func(g *types.GenesisState) { g.KeyHistory[1].Version = 9 }},
		{"history duplicate", func(g *types.GenesisState) { g.KeyHistory[1].Version = 1 }},
		{"history of a device never rotated", func(g *types.GenesisState) {
			g.Devices[1].KeyVersion = 1
			g.KeyHistory[0].DeviceId = "b"
		}},
		{"history bad key", func(g *types.GenesisState) { g.KeyHistory[0].Record.Pubkey.Type = 0 }},
		{"history heights reversed", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidFromHeight = 25 }},
		{"history ends after current key start", func(g *types.GenesisState) { g.KeyHistory[1].Record.ValidUntilHeight = 31 }},
		{"history negative height", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidFromHeight = -1 }},
		{"history starts before registration", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidFromHeight = 9 }},
		// v1 [10, 25) and v2 [20, 30) overlap: KeyAt would miss v1 at 22.
		{"history ranges overlap", func(g *types.GenesisState) { g.KeyHistory[0].Record.ValidUntilHeight = 25 }},
		// Listed out of order, still checked in version order.
		{"history out of version order", func(g *types.GenesisState) {
			g.KeyHistory = []types.KeyHistoryEntry{historyEntry("a", 2, 10, 20), historyEntry("a", 1, 20, 30)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := validGenesis()
			tc.mod(&g)
			require.ErrorIs(t, g.Validate(ac), types.ErrInvalidGenesis)
		})
	}
}
