package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	errorsmod "cosmossdk.io/errors"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

// requireRegisteredError requires err to carry an x/stream ABCI code, as a
// tx result would show it.
func requireRegisteredError(t *testing.T, err error) {
	t.Helper()
	codespace, code, _ := errorsmod.ABCIInfo(err, false)
	require.Equal(t, types.ModuleName, codespace, "unregistered error: %v", err)
	require.GreaterOrEqual(t, code, uint32(2), "%v", err)
}

// fuzzBase is a fixture with nodes, devices, grants and a stream, built
// once per fuzz target; each input runs on a branch of it.
type fuzzBase struct {
	f             *streamtestutil.Fixture
	node0, jailed string
	alice, bob    string
}

func newFuzzBase(t testing.TB) fuzzBase {
	f := streamtestutil.NewFixture(t)
	b := fuzzBase{f: f, alice: streamtestutil.AddrStr("alice"), bob: streamtestutil.AddrStr("bob")}
	b.node0 = f.AddNode(t, "node0")
	b.jailed = f.AddNode(t, "jailed")
	f.SetNodeStatus(t, b.jailed, edgetypes.NODE_STATUS_JAILED)
	f.RegisterDevice(t, "sensor-a", b.alice, b.node0)
	f.RegisterDevice(t, "sleepy", b.alice, b.node0)
	f.SuspendDevice(t, "sleepy", b.alice)
	f.RegisterDevice(t, "sensor-b", b.bob, b.node0)
	// alice may create any stream; bob only "b1".
	f.Grant(t, types.AccountSubject(b.alice), "stream/*", types.ActionCreate)
	f.AllowCreate(t, b.bob, "b1")
	f.CreateStream(t, b.alice, "taken", "sensor-a")
	f.CommitEpochs(t, b.node0, 1, 2)
	f.Commit()
	return b
}

// FuzzMsgCreateStream feeds arbitrary owners, ids, devices, labels and
// replication to the msg server. It must never panic; it either creates
// exactly the stream asked for or fails with a registered error and leaves
// every store untouched.
func FuzzMsgCreateStream(f *testing.F) {
	f.Add("alice", "pm25-001", "sensor-a", "pm25.v1", "ug/m3", uint64(60), uint32(2))
	f.Add("alice", "taken", "sensor-a", "", "", uint64(0), uint32(0))
	f.Add("alice", "x", "sleepy", "", "", uint64(0), uint32(1))
	f.Add("alice", "x", "sensor-b", "", "", uint64(0), uint32(1))
	f.Add("bob", "b1", "sensor-b", "s", "u", uint64(1), uint32(5))
	f.Add("bob", "b2", "sensor-b", "s", "u", uint64(1), uint32(5))
	f.Add("alice", "a/b", "sensor-a", "", "", uint64(0), uint32(0))
	f.Add("alice", "ok", "ghost", "\n", "\xff", uint64(0), uint32(6))
	f.Add("edge1xyz", "ok", "sensor-a", "", "", uint64(0), uint32(0))
	f.Add("", "", "", "", "", uint64(0), uint32(0))

	base := newFuzzBase(f)
	f.Fuzz(func(t *testing.T, owner, id, device, schema, unit string, retention uint64, replication uint32) {
		fx := base.f.Branch()
		switch owner {
		case "alice":
			owner = base.alice
		case "bob":
			owner = base.bob
		}
		msg := &types.MsgCreateStream{
			Owner: owner, StreamId: id, DeviceId: device, Schema: schema, Unit: unit,
			RetentionSeconds: retention, Replication: replication,
		}
		before := fx.StoreSnapshot(t)
		_, err := fx.MsgServer.CreateStream(fx.Ctx, msg)
		if err != nil {
			requireRegisteredError(t, err)
			require.Equal(t, before, fx.StoreSnapshot(t), "state changed after %v", err)
			require.Empty(t, fx.Ctx.EventManager().Events())
			return
		}
		got := fx.Stream(t, id)
		require.NoError(t, got.ValidateStored(fx.AddrCodec))
		require.Equal(t, id, got.Id)
		require.Equal(t, device, got.DeviceId)
		require.Equal(t, types.STREAM_STATUS_OPEN, got.Status)
		require.Equal(t, base.node0, got.HomeNode)
		require.Equal(t, max(replication, 1), got.Replication)
		require.Contains(t, []string{"sensor-a", "sensor-b"}, device, "stream for an unusable device")
		require.Len(t, fx.TypedEvents(t), 1)
		after := fx.StoreSnapshot(t)
		require.Len(t, after, len(before)+1, "one new entry: the stream")
	})
}

// FuzzMsgCommitEpoch feeds arbitrary operators, epochs, roots, counts and
// windows. It never panics; it either stores exactly the next epoch of a
// non-jailed node with a well-formed commitment, or fails with a registered
// error and changes nothing.
func FuzzMsgCommitEpoch(f *testing.F) {
	root := streamtestutil.Root("r")
	f.Add("node0", uint64(3), root, uint64(100), uint32(3), int64(1), int64(2))
	f.Add("node0", uint64(2), root, uint64(100), uint32(3), int64(1), int64(2))
	f.Add("node0", uint64(4), root, uint64(100), uint32(3), int64(1), int64(2))
	f.Add("jailed", uint64(1), root, uint64(1), uint32(1), int64(1), int64(1))
	f.Add("alice", uint64(1), root, uint64(1), uint32(1), int64(1), int64(1))
	f.Add("node0", uint64(3), root[:31], uint64(1), uint32(1), int64(1), int64(1))
	f.Add("node0", uint64(3), root, uint64(0), uint32(0), int64(0), int64(0))
	f.Add("node0", uint64(3), root, uint64(5), uint32(6), int64(1), int64(1))
	f.Add("node0", uint64(3), root, uint64(10_000_001), uint32(1), int64(1), int64(1))
	f.Add("node0", uint64(3), root, uint64(1), uint32(1), int64(5), int64(4))
	f.Add("x", uint64(0), []byte{}, uint64(0), uint32(0), int64(-1), int64(-1))

	base := newFuzzBase(f)
	f.Fuzz(func(t *testing.T, operator string, epoch uint64, root []byte, readings uint64, streams uint32, start, end int64) {
		fx := base.f.Branch()
		switch operator {
		case "node0":
			operator = base.node0
		case "jailed":
			operator = base.jailed
		case "alice":
			operator = base.alice
		}
		msg := &types.MsgCommitEpoch{
			Sender: operator, Epoch: epoch, Root: root, ReadingCount: readings, StreamCount: streams,
			WindowStart: start, WindowEnd: end,
		}
		before := fx.StoreSnapshot(t)
		_, err := fx.MsgServer.CommitEpoch(fx.Ctx, msg)
		if err != nil {
			requireRegisteredError(t, err)
			require.Equal(t, before, fx.StoreSnapshot(t), "state changed after %v", err)
			require.Empty(t, fx.Ctx.EventManager().Events())
			return
		}
		require.Equal(t, base.node0, operator, "only node0 may commit")
		require.Equal(t, uint64(3), epoch, "only the next epoch")
		require.Len(t, root, 32)
		require.True(t, readings >= 1 && readings <= types.DefaultMaxReadingsPerEpoch)
		require.True(t, streams >= 1 && uint64(streams) <= readings)
		require.True(t, start > 0 && start <= end)
		resp, err := fx.QueryServer.Epoch(fx.Ctx, &types.QueryEpochRequest{Node: operator, Epoch: epoch})
		require.NoError(t, err)
		require.Equal(t, root, resp.Commit.Root)
		require.Equal(t, fx.Ctx.BlockHeight(), resp.Commit.Height)
	})
}

// FuzzQueryVerify: any proof, however malformed, gets an answer (never a
// panic, never an error), and it is never valid: no input here was built
// from the committed tree (node0's roots are random). Proofs for stream
// "taken" (homed on node0, created before its epochs) in node0's epochs 1
// and 2 get past the chain lookups to the Merkle checks: the answer then
// carries the commitment it was checked against.
func FuzzQueryVerify(f *testing.F) {
	f.Add("node0", uint64(1), "taken", uint64(1), []byte("p"), uint64(1), uint64(1), int64(1), int64(0), []byte{}, int64(1), int64(0), []byte{}, []byte{})
	f.Add("node0", uint64(2), "taken", uint64(3), []byte{}, uint64(1), uint64(5), int64(5), int64(2), make([]byte, 32), int64(2), int64(1), make([]byte, 64), make([]byte, 32))
	f.Add("node0", uint64(1), "taken", uint64(2), []byte("x"), uint64(1), uint64(4), int64(4), int64(1), make([]byte, 64), int64(1), int64(0), make([]byte, 32), make([]byte, 32))
	f.Add("node0", uint64(2), "s", uint64(3), []byte{}, uint64(1), uint64(5), int64(5), int64(2), make([]byte, 32), int64(-1), int64(9), make([]byte, 64), make([]byte, 32))
	f.Add("x", uint64(0), "", uint64(0), []byte{}, uint64(0), uint64(0), int64(0), int64(0), []byte{}, int64(0), int64(0), []byte{}, []byte{})

	base := newFuzzBase(f)
	f.Fuzz(func(t *testing.T, node string, epoch uint64, stream string, seq uint64, payload []byte,
		first, last uint64, rTotal, rIndex int64, aunts []byte, bTotal, bIndex int64, leafHash, root []byte,
	) {
		if node == "node0" {
			node = base.node0
		}
		var auntList [][]byte
		for len(aunts) >= 32 {
			auntList, aunts = append(auntList, aunts[:32]), aunts[32:]
		}
		p := types.ReadingProof{
			Node: node, Epoch: epoch, StreamId: stream, Seq: seq, Payload: payload,
			Batch:        types.BatchEntry{StreamId: stream, FirstSeq: first, LastSeq: last, Root: root},
			ReadingProof: types.MerkleProof{Total: rTotal, Index: rIndex, LeafHash: leafHash, Aunts: auntList},
			BatchProof:   types.MerkleProof{Total: bTotal, Index: bIndex, LeafHash: leafHash, Aunts: auntList},
			EpochRoot:    root,
		}
		resp, err := base.f.QueryServer.Verify(base.f.Ctx, &types.QueryVerifyRequest{Proof: p})
		require.NoError(t, err)
		require.False(t, resp.Valid)
		require.NotEmpty(t, resp.Reason)
		if node == base.node0 && stream == "taken" && (epoch == 1 || epoch == 2) {
			require.Equal(t, epoch, resp.Commit.Epoch, "refused by the proof check, not a lookup: %s", resp.Reason)
		}
	})
}
