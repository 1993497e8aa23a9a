package types_test

import (
	"fmt"
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
	closed.CreatedAfterEpoch, closed.ClosedAfterEpoch = 1, 1 // closed before node0's next epoch
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

	// A Cosmos-prefixed address for alice: decodes as bech32, wrong prefix.
	cosmosAlice, err := addresscodec.NewBech32Codec("cosmos").BytesToString(streamtestutil.Addr("alice"))
	require.NoError(t, err)
	node0 := streamtestutil.AddrStr("node0")

	// msg pins the rule each case targets: a substring of the error that
	// rule produces, so a case cannot pass because another rule fired.
	cases := []struct {
		name string
		mod  func(g *types.GenesisState)
		msg  string
	}{
		{"params max replication 0", func(g *types.GenesisState) { g.Params.MaxReplication = 0 }, "params: max_replication must be at least 1"},
		{"params max readings 0", func(g *types.GenesisState) { g.Params.MaxReadingsPerEpoch = 0 }, "params: max_readings_per_epoch must be at least"},
		{"duplicate stream", func(g *types.GenesisState) { g.Streams[1].Id = "a" }, `stream 1: duplicate id "a"`},
		{"bad stream id", func(g *types.GenesisState) { g.Streams[0].Id = "a/b" }, `"a/b": must be 1..64 of [A-Za-z0-9._:-]: invalid stream id`},
		{"bad device id", func(g *types.GenesisState) { g.Streams[0].DeviceId = "" }, `device id "": must be 1..64 of [A-Za-z0-9._:-]`},
		{"owner not bech32", func(g *types.GenesisState) { g.Streams[0].Owner = "alice" }, `owner "alice": decoding bech32 failed`},
		{"owner wrong prefix", func(g *types.GenesisState) { g.Streams[0].Owner = cosmosAlice },
			`owner "` + cosmosAlice + `": hrp does not match bech32 prefix`},
		{"home node not bech32", func(g *types.GenesisState) { g.Streams[0].HomeNode = "" }, `home node "": empty address string is not allowed`},
		{"schema too long", func(g *types.GenesisState) { g.Streams[0].Schema = strings.Repeat("s", 65) }, "schema is 65 bytes, max 64"},
		{"unit control char", func(g *types.GenesisState) { g.Streams[0].Unit = "\t" }, `unit "\t" has a control character`},
		{"replication 0", func(g *types.GenesisState) { g.Streams[0].Replication = 0 }, "replication 0 (a stream is held by at least its home node)"},
		{"owner not canonical", func(g *types.GenesisState) { g.Streams[0].Owner = strings.ToUpper(g.Streams[0].Owner) },
			`owner "` + strings.ToUpper(streamtestutil.AddrStr("alice")) + `" is not in canonical form`},
		{"home node not canonical", func(g *types.GenesisState) { g.Streams[0].HomeNode = strings.ToUpper(g.Streams[0].HomeNode) },
			`home node "` + strings.ToUpper(node0) + `" is not in canonical form`},
		{"status unspecified", func(g *types.GenesisState) { g.Streams[0].Status = 0 }, `stream 0 ("a"): status STREAM_STATUS_UNSPECIFIED`},
		{"status unknown", func(g *types.GenesisState) { g.Streams[0].Status = 7 }, `stream 0 ("a"): status 7`},
		{"created height negative", func(g *types.GenesisState) { g.Streams[0].CreatedHeight = -1 }, "created_height -1"},
		{"open stream with a close epoch", func(g *types.GenesisState) { g.Streams[0].ClosedAfterEpoch = 2 }, `stream 0 ("a"): open stream with closed_after_epoch 2`},
		{"closed before created", func(g *types.GenesisState) { g.Streams[1].CreatedAfterEpoch, g.Streams[1].ClosedAfterEpoch = 5, 4 }, `stream 1 ("b"): closed_after_epoch 4 is before created_after_epoch 5`},
		{"commit node not bech32", func(g *types.GenesisState) { g.Commits[0].Node = "node0" }, `commit 0: node "node0": decoding bech32 failed`},
		{"commit epoch 0", func(g *types.GenesisState) { g.Commits[1].Epoch = 0 }, "epoch 0 (epochs start at 1)"},
		{"commit duplicate", func(g *types.GenesisState) { g.Commits[2].Epoch = 2 }, "commit 2: duplicate node " + node0 + " epoch 2"},
		{"commit gap: node starts at 2", func(g *types.GenesisState) { g.Commits = g.Commits[:2] },
			"node " + node0 + " has 1 commitments up to epoch 2: epochs must run from 1 without a gap"},
		{"commit gap in the middle", func(g *types.GenesisState) { g.Commits[0].Epoch = 3 },
			"node " + node0 + " has 2 commitments up to epoch 3: epochs must run from 1 without a gap"},
		{"commit root short", func(g *types.GenesisState) { g.Commits[0].Root = g.Commits[0].Root[:31] }, "root is 31 bytes, want 32"},
		{"commit no readings", func(g *types.GenesisState) { g.Commits[0].ReadingCount = 0 }, "reading_count 0 not in [1,"},
		{"commit streams above readings", func(g *types.GenesisState) { g.Commits[0].StreamCount = 11 }, "stream_count 11 not in [1, reading_count 10]"},
		{"commit no streams", func(g *types.GenesisState) { g.Commits[0].StreamCount = 0 }, "stream_count 0 not in [1, reading_count 10]"},
		{"commit window start 0", func(g *types.GenesisState) { g.Commits[0].WindowStart = 0 }, "window [0, 200] must satisfy 0 < start <= end"},
		{"commit window reversed", func(g *types.GenesisState) { g.Commits[0].WindowEnd = 99 }, "window [100, 99] must satisfy 0 < start <= end"},
		{"commit height negative", func(g *types.GenesisState) { g.Commits[0].Height = -1 }, "commit 0: height -1"},
		{"reading of unknown stream", func(g *types.GenesisState) { g.Readings[0].StreamId = "zzz" }, `reading 0: unknown stream "zzz"`},
		{"reading seq 0", func(g *types.GenesisState) { g.Readings[2].Seq = 0 }, `reading 2: stream "b" seq 0 (seqs start at 1)`},
		{"reading duplicate", func(g *types.GenesisState) { g.Readings[0].Seq = 1 }, `reading 1: duplicate stream "a" seq 1`},
		{"reading gap", func(g *types.GenesisState) { g.Readings[0].Seq = 3 }, `stream "a" has 2 readings up to seq 3: seqs must run from 1 without a gap`},
		{"reading payload too large", func(g *types.GenesisState) { g.Readings[0].Payload = make([]byte, types.MaxPayloadBytes+1) },
			fmt.Sprintf("reading 0: %d bytes, max %d: reading payload too large", types.MaxPayloadBytes+1, types.MaxPayloadBytes)},
		{"reading height negative", func(g *types.GenesisState) { g.Readings[0].Height = -1 }, "reading 0: height -1"},
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
