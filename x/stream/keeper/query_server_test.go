package keeper_test

import (
	"fmt"
	"math"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	"github.com/trustedge/trustedge/x/stream/proof"
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

func (s *StreamSuite) requireCode(code codes.Code, err error) {
	s.T().Helper()
	s.Require().Error(err)
	s.Require().Equal(code, status.Code(err), "%v", err)
}

func streamIDs(ss []types.Stream) []string {
	out := []string{}
	for _, st := range ss {
		out = append(out, st.Id)
	}
	return out
}

func epochsOf(cs []types.EpochCommit) []uint64 {
	out := []uint64{}
	for _, c := range cs {
		out = append(out, c.Epoch)
	}
	return out
}

func (s *StreamSuite) TestQueryParams() {
	resp, err := s.f.QueryServer.Params(s.f.Ctx, &types.QueryParamsRequest{})
	s.Require().NoError(err)
	s.Require().Equal(types.DefaultParams(), resp.Params)
	_, err = s.f.QueryServer.Params(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

func (s *StreamSuite) TestQueryStream() {
	st := s.created("a")
	resp, err := s.f.QueryServer.Stream(s.f.Ctx, &types.QueryStreamRequest{StreamId: "a"})
	s.Require().NoError(err)
	s.Require().Equal(st, resp.Stream)

	_, err = s.f.QueryServer.Stream(s.f.Ctx, &types.QueryStreamRequest{StreamId: "nope"})
	s.requireCode(codes.NotFound, err)
	_, err = s.f.QueryServer.Stream(s.f.Ctx, &types.QueryStreamRequest{StreamId: "a/b"})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.Stream(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

// TestQueryStreamsPagination creates 25 streams (out of id order) and pages
// through them by key and by offset, forwards and backwards.
func (s *StreamSuite) TestQueryStreamsPagination() {
	var want []string
	for i := 24; i >= 0; i-- {
		s.created(fmt.Sprintf("s-%02d", i))
	}
	for i := 0; i < 25; i++ {
		want = append(want, fmt.Sprintf("s-%02d", i))
	}

	var got []string
	var next []byte
	pages := 0
	for {
		resp, err := s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{
			Pagination: &query.PageRequest{Key: next, Limit: 10, CountTotal: next == nil},
		})
		s.Require().NoError(err)
		if next == nil {
			s.Require().Equal(uint64(25), resp.Pagination.Total)
		}
		got = append(got, streamIDs(resp.Streams)...)
		pages++
		if next = resp.Pagination.NextKey; next == nil {
			break
		}
	}
	s.Require().Equal(3, pages)
	s.Require().Equal(want, got)

	resp, err := s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{Pagination: &query.PageRequest{Offset: 22, Limit: 10}})
	s.Require().NoError(err)
	s.Require().Equal([]string{"s-22", "s-23", "s-24"}, streamIDs(resp.Streams))
	resp, err = s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{Pagination: &query.PageRequest{Limit: 2, Reverse: true}})
	s.Require().NoError(err)
	s.Require().Equal([]string{"s-24", "s-23"}, streamIDs(resp.Streams))

	_, err = s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{Pagination: &query.PageRequest{Key: []byte("x"), Offset: 1}})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.Streams(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

func (s *StreamSuite) TestQueryEpoch() {
	s.f.CommitEpochs(s.T(), s.node0, 1, 2)
	resp, err := s.f.QueryServer.Epoch(s.f.Ctx, &types.QueryEpochRequest{Node: s.node0, Epoch: 2})
	s.Require().NoError(err)
	s.Require().Equal(s.node0, resp.Commit.Node)
	s.Require().Equal(uint64(2), resp.Commit.Epoch)
	s.Require().Equal(streamtestutil.CommitMsg(s.node0, 2).Root, resp.Commit.Root)

	_, err = s.f.QueryServer.Epoch(s.f.Ctx, &types.QueryEpochRequest{Node: s.node0, Epoch: 3})
	s.requireCode(codes.NotFound, err)
	_, err = s.f.QueryServer.Epoch(s.f.Ctx, &types.QueryEpochRequest{Node: s.node1, Epoch: 1})
	s.requireCode(codes.NotFound, err)
	_, err = s.f.QueryServer.Epoch(s.f.Ctx, &types.QueryEpochRequest{Node: "node0", Epoch: 1})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.Epoch(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

// TestQueryEpochsNewestFirst: node0 has 12 epochs, node1 3; paging through
// node0's gives 12..1 and never one of node1's.
func (s *StreamSuite) TestQueryEpochsNewestFirst() {
	s.f.CommitEpochs(s.T(), s.node0, 1, 12)
	s.f.CommitEpochs(s.T(), s.node1, 1, 3)

	var got []uint64
	var next []byte
	for {
		resp, err := s.f.QueryServer.Epochs(s.f.Ctx, &types.QueryEpochsRequest{
			Node: s.node0, Pagination: &query.PageRequest{Key: next, Limit: 5, CountTotal: next == nil},
		})
		s.Require().NoError(err)
		if next == nil {
			s.Require().Equal(uint64(12), resp.Pagination.Total)
		}
		for _, c := range resp.Commits {
			s.Require().Equal(s.node0, c.Node)
		}
		got = append(got, epochsOf(resp.Commits)...)
		if next = resp.Pagination.NextKey; next == nil {
			break
		}
	}
	s.Require().Equal([]uint64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, got)

	// No pagination at all: newest first too.
	resp, err := s.f.QueryServer.Epochs(s.f.Ctx, &types.QueryEpochsRequest{Node: s.node1})
	s.Require().NoError(err)
	s.Require().Equal([]uint64{3, 2, 1}, epochsOf(resp.Commits))
	// reverse asks for oldest first; offsets count from the chosen end.
	resp, err = s.f.QueryServer.Epochs(s.f.Ctx, &types.QueryEpochsRequest{
		Node: s.node0, Pagination: &query.PageRequest{Reverse: true, Offset: 2, Limit: 3},
	})
	s.Require().NoError(err)
	s.Require().Equal([]uint64{3, 4, 5}, epochsOf(resp.Commits))
	resp, err = s.f.QueryServer.Epochs(s.f.Ctx, &types.QueryEpochsRequest{
		Node: s.node0, Pagination: &query.PageRequest{Offset: 2, Limit: 3},
	})
	s.Require().NoError(err)
	s.Require().Equal([]uint64{10, 9, 8}, epochsOf(resp.Commits))

	// A node without commitments: empty. A bad address: InvalidArgument.
	resp, err = s.f.QueryServer.Epochs(s.f.Ctx, &types.QueryEpochsRequest{Node: s.alice})
	s.Require().NoError(err)
	s.Require().Empty(resp.Commits)
	_, err = s.f.QueryServer.Epochs(s.f.Ctx, &types.QueryEpochsRequest{Node: "x"})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.Epochs(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

func (s *StreamSuite) TestQueryLatestEpochs() {
	resp, err := s.f.QueryServer.LatestEpochs(s.f.Ctx, &types.QueryLatestEpochsRequest{})
	s.Require().NoError(err)
	s.Require().Empty(resp.Commits)

	s.f.CommitEpochs(s.T(), s.node0, 1, 4)
	s.f.CommitEpochs(s.T(), s.node1, 1, 2)
	resp, err = s.f.QueryServer.LatestEpochs(s.f.Ctx, &types.QueryLatestEpochsRequest{})
	s.Require().NoError(err)
	s.Require().Len(resp.Commits, 2)
	byNode := map[string]uint64{}
	for _, c := range resp.Commits {
		byNode[c.Node] = c.Epoch
	}
	s.Require().Equal(map[string]uint64{s.node0: 4, s.node1: 2}, byNode)
	// Ordered by node address bytes.
	a, err := s.f.AddrCodec.StringToBytes(resp.Commits[0].Node)
	s.Require().NoError(err)
	b, err := s.f.AddrCodec.StringToBytes(resp.Commits[1].Node)
	s.Require().NoError(err)
	s.Require().Negative(compareBytes(a, b))

	_, err = s.f.QueryServer.LatestEpochs(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

func compareBytes(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return len(a) - len(b)
}

// epochFixture creates stream "a" (sensor-a's, homed on node0), builds a
// real two-stream epoch with x/stream/proof, commits its root for node0
// epoch 1, and returns the wire proof of stream "a" seq 3.
func (s *StreamSuite) epochFixture() types.ReadingProof {
	s.T().Helper()
	s.created("a")
	return s.epochProof(1)
}

// epochProof commits node0's epoch (its next one) over streams "a" and "b"
// and returns the wire proof of "a" seq 3.
func (s *StreamSuite) epochProof(epoch uint64) types.ReadingProof {
	s.T().Helper()
	readings := map[string][]proof.Reading{}
	for _, id := range []string{"a", "b"} {
		for seq := uint64(1); seq <= 5; seq++ {
			readings[id] = append(readings[id], proof.Reading{StreamID: id, Seq: seq, Time: int64(seq) * 1000, Payload: []byte(fmt.Sprintf("%s-%d", id, seq))})
		}
	}
	var batches []proof.Batch
	leaves := map[string][][]byte{}
	for _, id := range []string{"a", "b"} {
		for _, r := range readings[id] {
			leaves[id] = append(leaves[id], r.Leaf())
		}
		batches = append(batches, proof.Batch{StreamID: id, FirstSeq: 1, LastSeq: 5, Root: proof.BatchRoot(leaves[id])})
	}
	s.Require().NoError(proof.ValidateBatches(batches))
	batchRoot, readingPath, err := proof.ReadingInclusion(leaves["a"], 2)
	s.Require().NoError(err)
	epochRoot, batchPath, _, err := proof.BatchInclusion(batches, "a")
	s.Require().NoError(err)
	s.Require().Equal(batches[0].Root, batchRoot)

	msg := streamtestutil.CommitMsg(s.node0, epoch)
	msg.Root, msg.ReadingCount, msg.StreamCount = epochRoot, 10, 2
	_, err = s.f.MsgServer.CommitEpoch(s.f.Ctx, msg)
	s.Require().NoError(err)
	return types.ReadingProofFrom(&proof.ReadingProof{
		Node: s.node0, Epoch: epoch, Reading: readings["a"][2], Batch: batches[0],
		ReadingPath: readingPath, BatchPath: batchPath, EpochRoot: epochRoot,
	})
}

func (s *StreamSuite) TestQueryVerifyValid() {
	p := s.epochFixture()
	resp, err := s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{Proof: p})
	s.Require().NoError(err)
	s.Require().True(resp.Valid, resp.Reason)
	s.Require().Empty(resp.Reason)
	s.Require().Equal(s.node0, resp.Commit.Node)
	s.Require().Equal(uint64(1), resp.Commit.Epoch)
	s.Require().Equal(p.EpochRoot, resp.Commit.Root)
}

func (s *StreamSuite) TestQueryVerifyInvalid() {
	good := s.epochFixture()
	// A second epoch whose root is not the one the proof leads to.
	s.f.CommitEpochs(s.T(), s.node0, 2, 2)

	cases := []struct {
		name   string
		mod    func(p *types.ReadingProof)
		reason string
		commit bool // the response carries the commitment checked against
	}{
		{"unknown epoch", func(p *types.ReadingProof) { p.Epoch = 9 }, "no commitment for node " + s.node0 + " epoch 9", false},
		{"proved under a node that is not the stream's home", func(p *types.ReadingProof) { p.Node = s.node1 }, "but stream \"a\" is homed on " + s.node0, false},
		{"unknown stream", func(p *types.ReadingProof) { p.StreamId = "zzz"; p.Batch.StreamId = "zzz" }, "stream \"zzz\" is not registered", false},
		{"node not an address", func(p *types.ReadingProof) { p.Node = "node0" }, "node \"node0\"", false},
		{"wrong root: proof of epoch 1 against epoch 2", func(p *types.ReadingProof) { p.Epoch = 2 }, proof.ErrRootMismatch.Error(), true},
		{"wrong root: forged epoch root", func(p *types.ReadingProof) { p.EpochRoot = streamtestutil.Root("forged") }, proof.ErrRootMismatch.Error(), true},
		{"tampered payload", func(p *types.ReadingProof) { p.Payload = []byte("a-9") }, proof.ErrWrongRoot.Error(), true},
		{"tampered time", func(p *types.ReadingProof) { p.Time++ }, proof.ErrWrongRoot.Error(), true},
		{"claims another seq", func(p *types.ReadingProof) { p.Seq = 4 }, proof.ErrMalformed.Error(), true},
		{"tampered batch root", func(p *types.ReadingProof) { p.Batch.Root = streamtestutil.Root("x") }, proof.ErrWrongRoot.Error(), true},
		{"batch path over another total", func(p *types.ReadingProof) { p.BatchProof.Total = 3 }, proof.ErrMalformed.Error(), true},
		{"empty proof", func(p *types.ReadingProof) { *p = types.ReadingProof{Node: p.Node, Epoch: 1, StreamId: "a"} }, proof.ErrMalformed.Error(), true},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			p := good
			p.Batch.Root = append([]byte(nil), good.Batch.Root...)
			tc.mod(&p)
			resp, err := s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{Proof: p})
			s.Require().NoError(err)
			s.Require().False(resp.Valid)
			s.Require().Contains(resp.Reason, tc.reason)
			if tc.commit {
				s.Require().Equal(s.node0, resp.Commit.Node)
			} else {
				s.Require().Equal(types.EpochCommit{}, resp.Commit)
			}
		})
	}
	_, err := s.f.QueryServer.Verify(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

// A proof from an epoch closed before its stream was created is not valid,
// even though its paths check out: the epoch cannot hold the stream's
// readings (the home node pre-committed a stream id). CreateStream records
// the home node's last epoch; a stream created now, after epoch 1, does
// not take epoch 1's proofs.
func (s *StreamSuite) TestQueryVerifyEpochBeforeStream() {
	p := s.epochFixture()
	st, err := s.f.Keeper.Streams.Get(s.f.Ctx, "a")
	s.Require().NoError(err)
	s.Require().Zero(st.CreatedAfterEpoch, "created before node0's first epoch")

	// Re-create the same id as a stream created after epoch 1.
	s.Require().NoError(s.f.Keeper.Streams.Remove(s.f.Ctx, "a"))
	_, err = s.f.MsgServer.CreateStream(s.f.Ctx, &types.MsgCreateStream{Owner: st.Owner, StreamId: "a", DeviceId: st.DeviceId})
	s.Require().NoError(err)
	st, err = s.f.Keeper.Streams.Get(s.f.Ctx, "a")
	s.Require().NoError(err)
	s.Require().Equal(uint64(1), st.CreatedAfterEpoch)

	resp, err := s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{Proof: p})
	s.Require().NoError(err)
	s.Require().False(resp.Valid)
	s.Require().Contains(resp.Reason, "epoch 1 of node "+s.node0+" was closed before stream \"a\" was created (after its epoch 1)")
}

func (s *StreamSuite) TestQueryReading() {
	s.writable("a")
	_, err := s.f.QueryServer.Reading(s.f.Ctx, &types.QueryReadingRequest{StreamId: "a", Seq: 1})
	s.requireCode(codes.NotFound, err)
	s.Require().NoError(s.record(s.alice, "a", 1, []byte("x")))
	resp, err := s.f.QueryServer.Reading(s.f.Ctx, &types.QueryReadingRequest{StreamId: "a", Seq: 1})
	s.Require().NoError(err)
	s.Require().Equal("a", resp.Reading.StreamId)
	s.Require().Equal([]byte("x"), resp.Reading.Payload)
	_, err = s.f.QueryServer.Reading(s.f.Ctx, &types.QueryReadingRequest{StreamId: "", Seq: 1})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.Reading(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

// TestQueryVerifyClosedStream: MsgCloseStream records the home node's last
// epoch; proofs from the epochs after it verify for CloseGraceEpochs (the
// epoch in flight and the backlog the gateway took before it saw the
// close) and not after: a home node cannot keep appending to a closed
// stream.
func (s *StreamSuite) TestQueryVerifyClosedStream() {
	s.created("a")
	s.f.CommitEpochs(s.T(), s.node0, 1, 3)
	_, err := s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "a"})
	s.Require().NoError(err)
	st := s.f.Stream(s.T(), "a")
	s.Require().Equal(types.STREAM_STATUS_CLOSED, st.Status)
	s.Require().Equal(uint64(3), st.ClosedAfterEpoch)

	last := uint64(3 + types.CloseGraceEpochs)
	s.f.CommitEpochs(s.T(), s.node0, 4, last-1)
	inGrace := s.epochProof(last)
	resp, err := s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{Proof: inGrace})
	s.Require().NoError(err)
	s.Require().True(resp.Valid, "the last epoch of the grace still verifies: %s", resp.Reason)

	late := s.epochProof(last + 1)
	resp, err = s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{Proof: late})
	s.Require().NoError(err)
	s.Require().False(resp.Valid, "a reading committed past the grace after the close")
	s.Require().Contains(resp.Reason, fmt.Sprintf("stream \"a\" was closed after epoch 3 of node %s; epoch %d is past", s.node0, last+1))
	s.Require().Equal(last+1, resp.Commit.Epoch, "the answer names the commitment it refused")

	// The bound is computed without wrapping: a close epoch near 2^64 (only
	// a hand-written genesis could hold one) refuses nothing before it.
	wrapped := st
	wrapped.ClosedAfterEpoch = math.MaxUint64 - 10
	s.Require().NoError(s.f.Keeper.Streams.Set(s.f.Ctx, "a", wrapped))
	resp, err = s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{Proof: late})
	s.Require().NoError(err)
	s.Require().True(resp.Valid, resp.Reason)

	// An open stream has no such bound.
	s.Require().NoError(s.f.Keeper.Streams.Set(s.f.Ctx, "a", func() types.Stream { o := st; o.Status, o.ClosedAfterEpoch = types.STREAM_STATUS_OPEN, 0; return o }()))
	resp, err = s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{Proof: late})
	s.Require().NoError(err)
	s.Require().True(resp.Valid, resp.Reason)
}

// TestQueryListsAreBounded: a list query reads a bounded number of rows
// whatever the history: the total comes from stored counts, the limit is
// defaulted and capped, a deep offset is refused. Gas (reads) for one
// default page is about the same with 100 or 5,000 epochs behind it.
func (s *StreamSuite) TestQueryListsAreBounded() {
	gasFor := func(req *types.QueryEpochsRequest) (*types.QueryEpochsResponse, uint64) {
		ctx := s.f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		resp, err := s.f.QueryServer.Epochs(ctx, req)
		s.Require().NoError(err)
		return resp, ctx.GasMeter().GasConsumed()
	}
	counted := &query.PageRequest{CountTotal: true}
	s.f.CommitEpochs(s.T(), s.node0, 1, 100)
	resp, g100 := gasFor(&types.QueryEpochsRequest{Node: s.node0, Pagination: counted})
	s.Require().Len(resp.Commits, int(query.DefaultLimit))
	s.Require().Equal(uint64(100), resp.Pagination.Total)
	s.f.CommitEpochs(s.T(), s.node0, 101, 5000)
	resp, g5000 := gasFor(&types.QueryEpochsRequest{Node: s.node0, Pagination: counted})
	s.Require().Len(resp.Commits, int(query.DefaultLimit))
	s.Require().Equal(uint64(5000), resp.Pagination.Total, "total is the node's last epoch")
	s.Require().Equal(uint64(5000), resp.Commits[0].Epoch)
	// Same rows read; only value sizes differ (later epochs carry larger
	// heights and windows), so allow a few percent, not 50x.
	s.Require().Less(g5000, g100*11/10, "one page costs about the same whatever the history")

	resp, _ = gasFor(&types.QueryEpochsRequest{Node: s.node0, Pagination: &query.PageRequest{Limit: 1_000_000}})
	s.Require().Len(resp.Commits, pagebound.MaxLimit, "limit capped")
	s.Require().NotNil(resp.Pagination.NextKey)
	s.Require().Zero(resp.Pagination.Total, "no total when a limit is given and count_total is not")
	resp, _ = gasFor(&types.QueryEpochsRequest{Node: s.node0})
	s.Require().Equal(uint64(5000), resp.Pagination.Total, "no pagination: a total, as the SDK's paginators give")

	deep := &query.PageRequest{Offset: pagebound.MaxOffset + 1}
	_, err := s.f.QueryServer.Epochs(s.f.Ctx, &types.QueryEpochsRequest{Node: s.node0, Pagination: deep})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{Pagination: deep})
	s.requireCode(codes.InvalidArgument, err)

	// Streams: the total is the stored count, closed streams included.
	s.created("a")
	s.created("b")
	_, err = s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "b"})
	s.Require().NoError(err)
	sr, err := s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{Pagination: &query.PageRequest{Limit: 1, CountTotal: true}})
	s.Require().NoError(err)
	s.Require().Equal([]string{"a"}, streamIDs(sr.Streams))
	s.Require().Equal(uint64(2), sr.Pagination.Total)
	count, err := s.f.Keeper.StreamCount.Get(s.f.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(uint64(2), count)
}

// TestQueryStreamsBackwardsByKey pages backwards by key through ids that
// are prefixes of each other ("a", "a1", "a2", "a3", "b"): every stream
// once, in reverse order, and the paging ends.
func (s *StreamSuite) TestQueryStreamsBackwardsByKey() {
	for _, id := range []string{"a", "a1", "a2", "a3", "b"} {
		s.created(id)
	}
	var got []string
	var next []byte
	for pages := 0; ; pages++ {
		s.Require().Less(pages, 5, "paging backwards does not end: %v", got)
		resp, err := s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{
			Pagination: &query.PageRequest{Key: next, Limit: 2, Reverse: true},
		})
		s.Require().NoError(err)
		got = append(got, streamIDs(resp.Streams)...)
		if next = resp.Pagination.NextKey; next == nil {
			break
		}
	}
	s.Require().Equal([]string{"b", "a3", "a2", "a1", "a"}, got)
	_, err := s.f.QueryServer.Streams(s.f.Ctx, &types.QueryStreamsRequest{Pagination: &query.PageRequest{Key: []byte("a2"), Offset: 1, Reverse: true}})
	s.requireCode(codes.InvalidArgument, err)
}
