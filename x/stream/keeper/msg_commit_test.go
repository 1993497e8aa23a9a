package keeper_test

import (
	"encoding/hex"
	"math"
	"strings"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

func (s *StreamSuite) commit(msg *types.MsgCommitEpoch) error {
	_, err := s.f.MsgServer.CommitEpoch(s.f.Ctx, msg)
	return err
}

func (s *StreamSuite) lastEpoch(node string) uint64 {
	s.T().Helper()
	bz, err := s.f.AddrCodec.StringToBytes(node)
	s.Require().NoError(err)
	e, err := s.f.Keeper.GetLastEpoch(s.f.Ctx, bz)
	s.Require().NoError(err)
	return e
}

func (s *StreamSuite) TestCommitHappyPath() {
	s.f.SetHeight(12)
	msg := streamtestutil.CommitMsg(s.node0, 1)
	s.Require().NoError(s.commit(msg))

	resp, err := s.f.QueryServer.Epoch(s.f.Ctx, &types.QueryEpochRequest{Node: s.node0, Epoch: 1})
	s.Require().NoError(err)
	s.Require().Equal(types.EpochCommit{
		Node: s.node0, Epoch: 1, Root: msg.Root, ReadingCount: 100, StreamCount: 3,
		WindowStart: msg.WindowStart, WindowEnd: msg.WindowEnd, Height: 12,
	}, resp.Commit)
	s.Require().Equal(uint64(1), s.lastEpoch(s.node0))
	s.Require().Equal(uint64(0), s.lastEpoch(s.node1))
	s.requireEvents(&types.EventEpochCommitted{
		Node: s.node0, Epoch: 1, Root: hex.EncodeToString(msg.Root), ReadingCount: 100, StreamCount: 3,
	})

	// Epochs are per node: node1 starts at 1 too, node0 goes on at 2.
	s.f.SetHeight(13)
	s.Require().NoError(s.commit(streamtestutil.CommitMsg(s.node1, 1)))
	s.Require().NoError(s.commit(streamtestutil.CommitMsg(s.node0, 2)))
	s.Require().Equal(uint64(2), s.lastEpoch(s.node0))
	s.Require().Equal(uint64(1), s.lastEpoch(s.node1))
}

// The stored value carries no node (the key has it) and the operator may
// spell its address in upper case.
func (s *StreamSuite) TestCommitStoresCompactValue() {
	msg := streamtestutil.CommitMsg(strings.ToUpper(s.node0), 1)
	s.Require().NoError(s.commit(msg))
	bz, err := s.f.AddrCodec.StringToBytes(s.node0)
	s.Require().NoError(err)
	keyBytes := append([]byte{2, byte(len(bz))}, bz...)
	keyBytes = append(keyBytes, 0, 0, 0, 0, 0, 0, 0, 1)
	raw := s.f.Ctx.KVStore(s.f.Keys[types.StoreKey]).Get(keyBytes)
	s.Require().NotNil(raw, "commitment under (node, epoch)")
	var stored types.EpochCommit
	s.Require().NoError(s.f.Codec.Unmarshal(raw, &stored))
	s.Require().Empty(stored.Node)
	s.Require().Equal(msg.Root, stored.Root)
	s.requireEvents(&types.EventEpochCommitted{
		Node: s.node0, Epoch: 1, Root: hex.EncodeToString(msg.Root), ReadingCount: 100, StreamCount: 3,
	})
}

// A STALE node (late heartbeats) still commits: its data must not be lost.
func (s *StreamSuite) TestCommitByStaleNode() {
	s.f.SetNodeStatus(s.T(), s.node0, edgetypes.NODE_STATUS_STALE)
	s.Require().NoError(s.commit(streamtestutil.CommitMsg(s.node0, 1)))
}

// A node's committer (x/edge MsgSetCommitter) commits for that node: the
// epoch is recorded under the operator, and the operator may still commit
// itself. Epochs stay one sequence per node whoever signs.
func (s *StreamSuite) TestCommitByCommitter() {
	committer := streamtestutil.AddrStr("committer0")
	s.f.SetCommitter(s.T(), s.node0, committer)
	s.f.ResetEvents()
	msg := streamtestutil.CommitMsg(committer, 1)
	s.Require().NoError(s.commit(msg))
	s.Require().Equal(uint64(1), s.lastEpoch(s.node0))
	s.requireEvents(&types.EventEpochCommitted{
		Node: s.node0, Epoch: 1, Root: hex.EncodeToString(msg.Root), ReadingCount: 100, StreamCount: 3,
	})
	s.Require().NoError(s.commit(streamtestutil.CommitMsg(s.node0, 2)))
	s.Require().ErrorIs(s.commit(streamtestutil.CommitMsg(committer, 2)), types.ErrEpochNotContiguous)
	s.Require().NoError(s.commit(streamtestutil.CommitMsg(committer, 3)))
	s.Require().Equal(uint64(3), s.lastEpoch(s.node0))
	s.Require().Equal(uint64(0), s.lastEpoch(s.node1), "a committer commits for its own node only")
}

// The data plane names the node in every commitment: a committer that
// another node named (or a typo in --dataplane.operator) is refused, not
// recorded under the wrong node.
func (s *StreamSuite) TestCommitNamesItsNode() {
	committer := streamtestutil.AddrStr("committer0")
	s.f.SetCommitter(s.T(), s.node0, committer)
	msg := streamtestutil.CommitMsg(committer, 1)
	msg.Node = s.node1
	s.requireRejected(types.ErrWrongNode, func() error { return s.commit(msg) })
	msg.Node = "edge1nope"
	s.requireRejected(types.ErrInvalidAddress, func() error { return s.commit(msg) })
	own := streamtestutil.CommitMsg(s.node1, 1)
	own.Node = s.node0
	s.requireRejected(types.ErrWrongNode, func() error { return s.commit(own) })

	msg.Node = strings.ToUpper(s.node0)
	s.Require().NoError(s.commit(msg))
	own.Node = s.node1
	s.Require().NoError(s.commit(own))
	s.Require().Equal(uint64(1), s.lastEpoch(s.node0))
	s.Require().Equal(uint64(1), s.lastEpoch(s.node1))
}

func (s *StreamSuite) TestCommitByCommitterRejections() {
	cleared := streamtestutil.AddrStr("cleared")
	s.f.SetCommitter(s.T(), s.node1, cleared)
	s.f.SetCommitter(s.T(), s.node1, "")
	jailed := s.f.AddNode(s.T(), "jailed")
	jailedCommitter := streamtestutil.AddrStr("jailed-committer")
	s.f.SetCommitter(s.T(), jailed, jailedCommitter)
	s.f.SetNodeStatus(s.T(), jailed, edgetypes.NODE_STATUS_JAILED)

	for name, tc := range map[string]struct {
		sender string
		target error
	}{
		"a cleared committer":       {cleared, types.ErrNotOperator},
		"a jailed node's committer": {jailedCommitter, types.ErrNodeJailed},
		"a plain account":           {s.alice, types.ErrNotOperator},
	} {
		s.Run(name, func() {
			s.requireRejected(tc.target, func() error { return s.commit(streamtestutil.CommitMsg(tc.sender, 1)) })
		})
	}
}

func (s *StreamSuite) TestCommitRejections() {
	s.f.CommitEpochs(s.T(), s.node0, 1, 3)
	jailed := s.f.AddNode(s.T(), "jailed")
	s.f.SetNodeStatus(s.T(), jailed, edgetypes.NODE_STATUS_JAILED)
	removed := s.f.AddNode(s.T(), "removed")
	s.f.CommitEpochs(s.T(), removed, 1, 1)
	s.f.RemoveNode(s.T(), removed)

	mod := func(f func(m *types.MsgCommitEpoch)) *types.MsgCommitEpoch {
		m := streamtestutil.CommitMsg(s.node0, 4)
		f(m)
		return m
	}
	cases := []struct {
		name   string
		msg    *types.MsgCommitEpoch
		target error
	}{
		{"sender not bech32", mod(func(m *types.MsgCommitEpoch) { m.Sender = "node0" }), types.ErrInvalidAddress},
		{"root empty", mod(func(m *types.MsgCommitEpoch) { m.Root = nil }), types.ErrInvalidCommit},
		{"root 31 bytes", mod(func(m *types.MsgCommitEpoch) { m.Root = m.Root[:31] }), types.ErrInvalidCommit},
		{"root 33 bytes", mod(func(m *types.MsgCommitEpoch) { m.Root = append(m.Root, 0) }), types.ErrInvalidCommit},
		{"no readings", mod(func(m *types.MsgCommitEpoch) { m.ReadingCount = 0 }), types.ErrInvalidCommit},
		{"readings above max", mod(func(m *types.MsgCommitEpoch) { m.ReadingCount = types.DefaultMaxReadingsPerEpoch + 1 }), types.ErrInvalidCommit},
		{"no streams", mod(func(m *types.MsgCommitEpoch) { m.StreamCount = 0 }), types.ErrInvalidCommit},
		{"more streams than readings", mod(func(m *types.MsgCommitEpoch) { m.StreamCount = 101 }), types.ErrInvalidCommit},
		{"window start 0", mod(func(m *types.MsgCommitEpoch) { m.WindowStart = 0 }), types.ErrInvalidCommit},
		{"window start negative", mod(func(m *types.MsgCommitEpoch) { m.WindowStart = -5 }), types.ErrInvalidCommit},
		{"window end before start", mod(func(m *types.MsgCommitEpoch) { m.WindowEnd = m.WindowStart - 1 }), types.ErrInvalidCommit},
		{"not an edge node", mod(func(m *types.MsgCommitEpoch) { m.Sender = s.alice }), types.ErrNotOperator},
		{"the authority is not a node", mod(func(m *types.MsgCommitEpoch) { m.Sender = s.f.Authority }), types.ErrNotOperator},
		{"removed node", mod(func(m *types.MsgCommitEpoch) { m.Sender = removed; m.Epoch = 2 }), types.ErrNotOperator},
		{"jailed node", mod(func(m *types.MsgCommitEpoch) { m.Sender = jailed; m.Epoch = 1 }), types.ErrNodeJailed},
		{"epoch 0", mod(func(m *types.MsgCommitEpoch) { m.Epoch = 0 }), types.ErrEpochNotContiguous},
		{"epoch repeated", mod(func(m *types.MsgCommitEpoch) { m.Epoch = 3 }), types.ErrEpochNotContiguous},
		{"epoch skipped", mod(func(m *types.MsgCommitEpoch) { m.Epoch = 5 }), types.ErrEpochNotContiguous},
		{"epoch max uint64", mod(func(m *types.MsgCommitEpoch) { m.Epoch = math.MaxUint64 }), types.ErrEpochNotContiguous},
		{"first epoch not 1", mod(func(m *types.MsgCommitEpoch) { m.Sender = s.node1; m.Epoch = 2 }), types.ErrEpochNotContiguous},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error { return s.commit(tc.msg) })
		})
	}
}

// The error names both numbers so a node's committer can resync.
func (s *StreamSuite) TestCommitNotContiguousMessage() {
	s.f.CommitEpochs(s.T(), s.node0, 1, 2)
	err := s.commit(streamtestutil.CommitMsg(s.node0, 7))
	s.Require().ErrorIs(err, types.ErrEpochNotContiguous)
	s.Require().Contains(err.Error(), "sent epoch 7, next is 3")
}

// The bounds are inclusive: one stream with one reading, a reading count of
// exactly max, a window of one instant.
func (s *StreamSuite) TestCommitLimitsAccepted() {
	msg := streamtestutil.CommitMsg(s.node0, 1)
	msg.ReadingCount, msg.StreamCount, msg.WindowEnd = 1, 1, msg.WindowStart
	s.Require().NoError(s.commit(msg))
	msg = streamtestutil.CommitMsg(s.node0, 2)
	msg.ReadingCount, msg.StreamCount = types.DefaultMaxReadingsPerEpoch, types.DefaultMaxReadingsPerEpoch // one reading per stream
	s.Require().NoError(s.commit(msg))
}

// MsgCommitEpoch is sent every block by every node: its gas must stay
// small and must not grow with the number of epochs already committed.
func (s *StreamSuite) TestCommitGasIsSmallAndFlat() {
	gasOf := func(sender string, epoch uint64) uint64 {
		ctx := s.f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		_, err := s.f.MsgServer.CommitEpoch(ctx, streamtestutil.CommitMsg(sender, epoch))
		s.Require().NoError(err)
		return ctx.GasMeter().GasConsumed()
	}
	first := gasOf(s.node0, 1)
	s.f.CommitEpochs(s.T(), s.node0, 2, 200)
	later := gasOf(s.node0, 201)
	// A committer costs two more point reads (its index entry, then the node).
	committer := streamtestutil.AddrStr("committer")
	s.f.SetCommitter(s.T(), s.node1, committer)
	byCommitter := gasOf(committer, 1)
	s.T().Logf("MsgCommitEpoch gas: first %d, after 200 epochs %d, sent by a committer %d", first, later, byCommitter)
	s.Require().Less(first, uint64(25_000))
	s.Require().Less(byCommitter, uint64(25_000))
	s.Require().InDelta(float64(first), float64(later), 200, "gas grows with history")
}
