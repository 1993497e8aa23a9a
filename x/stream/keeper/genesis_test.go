package keeper_test

import (
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

// history fills every table: params changed, open and closed streams,
// commitments of two nodes, readings of two streams.
func (s *StreamSuite) history() {
	_, err := s.f.MsgServer.UpdateParams(s.f.Ctx, &types.MsgUpdateParams{
		Authority: s.f.Authority, Params: types.Params{MaxReplication: 4, MaxReadingsPerEpoch: 100_000},
	})
	s.Require().NoError(err)
	s.writable("a")
	s.created("c")
	s.f.CreateStream(s.T(), s.bob, "b", "sensor-b")
	s.f.AllowWrite(s.T(), s.bob, "b")
	s.f.CommitEpochs(s.T(), s.node0, 1, 3)
	_, err = s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "c"})
	s.Require().NoError(err)
	s.f.SetHeight(5)
	s.f.CommitEpochs(s.T(), s.node1, 1, 2)
	for seq := uint64(1); seq <= 3; seq++ {
		s.Require().NoError(s.record(s.alice, "a", seq, []byte{byte(seq)}))
	}
	s.Require().NoError(s.record(s.bob, "b", 1, nil))
}

func (s *StreamSuite) TestGenesisRoundTrip() {
	s.history()
	gs, err := s.f.Keeper.ExportGenesis(s.f.Ctx)
	s.Require().NoError(err)
	s.Require().NoError(gs.Validate(s.f.AddrCodec))
	s.Require().Equal(types.Params{MaxReplication: 4, MaxReadingsPerEpoch: 100_000}, gs.Params)
	s.Require().Equal([]string{"a", "b", "c"}, streamIDs(gs.Streams))
	s.Require().Equal(uint64(3), gs.Streams[2].ClosedAfterEpoch, "c closed after node0's epoch 3")
	s.Require().Len(gs.Commits, 5)
	s.Require().Len(gs.Readings, 4)
	for _, c := range gs.Commits {
		s.Require().NotEmpty(c.Node, "exported commitments name their node")
	}

	// Import into a fresh chain: same store bytes (Last* maps and the stream
	// count included),
	// and the chain goes on where it stopped.
	fresh := streamtestutil.NewFixture(s.T())
	s.Require().NoError(fresh.Keeper.InitGenesis(fresh.Ctx, gs))
	s.Require().Equal(s.f.StreamStoreSnapshot(s.T()), fresh.StreamStoreSnapshot(s.T()))
	again, err := fresh.Keeper.ExportGenesis(fresh.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(gs, again)

	n0, err := fresh.AddrCodec.StringToBytes(s.node0)
	s.Require().NoError(err)
	last, err := fresh.Keeper.GetLastEpoch(fresh.Ctx, n0)
	s.Require().NoError(err)
	s.Require().Equal(uint64(3), last)
	seq, err := fresh.Keeper.GetLastReadingSeq(fresh.Ctx, "a")
	s.Require().NoError(err)
	s.Require().Equal(uint64(3), seq)
}

// Genesis lists may come in any order; the state is the same.
func (s *StreamSuite) TestGenesisOrderIndependent() {
	s.history()
	gs, err := s.f.Keeper.ExportGenesis(s.f.Ctx)
	s.Require().NoError(err)
	for i, j := 0, len(gs.Commits)-1; i < j; i, j = i+1, j-1 {
		gs.Commits[i], gs.Commits[j] = gs.Commits[j], gs.Commits[i]
	}
	for i, j := 0, len(gs.Readings)-1; i < j; i, j = i+1, j-1 {
		gs.Readings[i], gs.Readings[j] = gs.Readings[j], gs.Readings[i]
	}
	fresh := streamtestutil.NewFixture(s.T())
	s.Require().NoError(fresh.Keeper.InitGenesis(fresh.Ctx, gs))
	s.Require().Equal(s.f.StreamStoreSnapshot(s.T()), fresh.StreamStoreSnapshot(s.T()))
}

func (s *StreamSuite) TestInitGenesisRejectsInvalid() {
	s.history()
	gs, err := s.f.Keeper.ExportGenesis(s.f.Ctx)
	s.Require().NoError(err)
	gs.Commits = gs.Commits[1:] // node0 now starts at epoch 2
	fresh := streamtestutil.NewFixture(s.T())
	before := fresh.StreamStoreSnapshot(s.T())
	err = fresh.Keeper.InitGenesis(fresh.Ctx, gs)
	s.Require().ErrorIs(err, types.ErrInvalidGenesis)
	s.Require().Equal(before, fresh.StreamStoreSnapshot(s.T()))
}

func (s *StreamSuite) TestDefaultGenesisRoundTrip() {
	fresh := streamtestutil.NewFixture(s.T())
	gs, err := fresh.Keeper.ExportGenesis(fresh.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(types.DefaultGenesis(), gs)
}
