package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"

	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

func genesisStream(id string) types.Stream {
	return types.Stream{
		Id: id, DeviceId: "dev-" + id, Owner: streamtestutil.AddrStr("alice"), Schema: "pm25.v1", Unit: "ug/m3",
		HomeNode: streamtestutil.AddrStr("node0"), RetentionSeconds: 60, Replication: 2,
		Status: types.STREAM_STATUS_OPEN, CreatedHeight: 4,
	}
}

func genesisCommit(node string, epoch uint64) types.EpochCommit {
	return types.EpochCommit{
		Node: streamtestutil.AddrStr(node), Epoch: epoch, Root: streamtestutil.Root(node), ReadingCount: 10, StreamCount: 2,
		WindowStart: 100, WindowEnd: 200, Height: 9,
	}
}

func validGenesis() types.GenesisState {
	closed := genesisStream("b")
	closed.Status = types.STREAM_STATUS_CLOSED
	return types.GenesisState{
		Params:  types.DefaultParams(),
		Streams: []types.Stream{genesisStream("a"), closed},
		// Any order; node1 before node0's second epoch.
		Commits: []types.EpochCommit{genesisCommit("node0", 2), genesisCommit("node1", 1), genesisCommit("node0", 1)},
		Readings: []types.Reading{
			{StreamId: "a", Seq: 2, Time: 5, Payload: []byte{1}, Height: 3},
			{StreamId: "a", Seq: 1, Time: 4, Height: 2},
			{StreamId: "b", Seq: 1, Height: 2},
		},
	}
}

func TestGenesisValidate(t *testing.T) {
	ac := streamtestutil.AddressCodec()
	require.NoError(t, types.DefaultGenesis().Validate(ac))
	require.NoError(t, validGenesis().Validate(ac))
	// The authority may lower max_replication and max_readings_per_epoch;
	// they bind later messages only, so state made under the old bounds
	// (and the chain's own export of it) still validates.
	lowered := validGenesis()
	lowered.Streams[0].Replication = 6
	lowered.Commits[0].ReadingCount = types.DefaultMaxReadingsPerEpoch + 1
	lowered.Params.MaxReplication = 1
	lowered.Params.MaxReadingsPerEpoch = types.MinReadingsPerEpochLimit
	require.NoError(t, lowered.Validate(ac))

	cases := []struct {
		name string
		mod  func(g *types.GenesisState)
	}{
		{"params max replication 0", func(g *types.GenesisState) { g.Params.MaxReplication = 0 }},
		{"params max readings 0", func(g *types.GenesisState) { g.Params.MaxReadingsPerEpoch = 0 }},
		{"duplicate stream", func(g *types.GenesisState) { g.Streams[1].Id = "a" }},
		{"bad stream id", func(g *types.GenesisState) { g.Streams[0].Id = "a/b" }},
		{"bad device id", func(g *types.GenesisState) { g.Streams[0].DeviceId = "" }},
		{"owner not bech32", func(g *types.GenesisState) { g.Streams[0].Owner = "alice" }},
		{"owner wrong prefix", func(g *types.GenesisState) {
			other, err := addresscodec.NewBech32Codec("cosmos").BytesToString(streamtestutil.Addr("alice"))
			require.NoError(t, err)
			g.Streams[0].Owner = other
		}},
		{"home node not bech32", func(g *types.GenesisState) { g.Streams[0].HomeNode = "" }},
		{"schema too long", func(g *types.GenesisState) { g.Streams[0].Schema = strings.Repeat("s", 65) }},
		{"unit control char", func(g *types.GenesisState) { g.Streams[0].Unit = "\t" }},
		{"replication 0", func(g *types.GenesisState) { g.Streams[0].Replication = 0 }},
		{"owner not canonical", func(g *types.GenesisState) { g.Streams[0].Owner = strings.ToUpper(g.Streams[0].Owner) }},
		{"home node not canonical", func(g *types.GenesisState) { g.Streams[0].HomeNode = strings.ToUpper(g.Streams[0].HomeNode) }},
		{"status unspecified", func(g *types.GenesisState) { g.Streams[0].Status = 0 }},
		{"status unknown", func(g *types.GenesisState) { g.Streams[0].Status = 7 }},
		{"created height negative", func(g *types.GenesisState) { g.Streams[0].CreatedHeight = -1 }},
		{"commit node not bech32", func(g *types.GenesisState) { g.Commits[0].Node = "node0" }},
		{"commit epoch 0", func(g *types.GenesisState) { g.Commits[1].Epoch = 0 }},
		{"commit duplicate", func(g *types.GenesisState) { g.Commits[2].Epoch = 2 }},
		{"commit gap: node starts at 2", func(g *types.GenesisState) { g.Commits = g.Commits[:2] }},
		{"commit gap in the middle", func(g *types.GenesisState) { g.Commits[0].Epoch = 3 }},
		{"commit root short", func(g *types.GenesisState) { g.Commits[0].Root = g.Commits[0].Root[:31] }},
		{"commit no readings", func(g *types.GenesisState) { g.Commits[0].ReadingCount = 0 }},
		{"commit readings 0", func(g *types.GenesisState) { g.Commits[0].ReadingCount = 0 }},
		{"commit streams above readings", func(g *types.GenesisState) { g.Commits[0].StreamCount = 11 }},
		{"commit no streams", func(g *types.GenesisState) { g.Commits[0].StreamCount = 0 }},
		{"commit window start 0", func(g *types.GenesisState) { g.Commits[0].WindowStart = 0 }},
		{"commit window reversed", func(g *types.GenesisState) { g.Commits[0].WindowEnd = 99 }},
		{"commit height negative", func(g *types.GenesisState) { g.Commits[0].Height = -1 }},
		{"reading of unknown stream", func(g *types.GenesisState) { g.Readings[0].StreamId = "zzz" }},
		{"reading seq 0", func(g *types.GenesisState) { g.Readings[2].Seq = 0 }},
		{"reading duplicate", func(g *types.GenesisState) { g.Readings[0].Seq = 1 }},
		{"reading gap", func(g *types.GenesisState) { g.Readings[0].Seq = 3 }},
		{"reading payload too large", func(g *types.GenesisState) { g.Readings[0].Payload = make([]byte, types.MaxPayloadBytes+1) }},
		{"reading height negative", func(g *types.GenesisState) { g.Readings[0].Height = -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := validGenesis()
			tc.mod(&g)
			require.ErrorIs(t, g.Validate(ac), types.ErrInvalidGenesis)
		})
	}
}
