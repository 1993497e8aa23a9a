package keeper_test

import "github.com/trustedge/trustedge/x/stream/types"

// TestMigrateCloseEpochs: a version-1 state (no stream count, a closed
// stream without a close epoch) gets the count and the home node's current
// last epoch as the close epoch; open streams and streams that already have
// one are kept; a second run changes no byte.
func (s *StreamSuite) TestMigrateCloseEpochs() {
	s.created("open")
	s.created("old-close")
	s.f.CommitEpochs(s.T(), s.node0, 1, 2)
	_, err := s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "new-close"})
	s.Require().ErrorIs(err, types.ErrStreamNotFound)
	s.created("new-close")
	_, err = s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "new-close"})
	s.Require().NoError(err)
	s.f.CommitEpochs(s.T(), s.node0, 3, 7)

	// Version 1: "old-close" closed with no close epoch, no count.
	old := s.f.Stream(s.T(), "old-close")
	old.Status = types.STREAM_STATUS_CLOSED
	s.Require().NoError(s.f.Keeper.Streams.Set(s.f.Ctx, old.Id, old))
	s.Require().NoError(s.f.Keeper.StreamCount.Remove(s.f.Ctx))

	s.Require().NoError(s.f.Keeper.MigrateCloseEpochs(s.f.Ctx))
	s.Require().Equal(uint64(7), s.f.Stream(s.T(), "old-close").ClosedAfterEpoch, "node0's last epoch at the upgrade")
	s.Require().Equal(uint64(2), s.f.Stream(s.T(), "new-close").ClosedAfterEpoch, "kept")
	s.Require().Zero(s.f.Stream(s.T(), "open").ClosedAfterEpoch)
	count, err := s.f.Keeper.StreamCount.Get(s.f.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(uint64(3), count)
	gs, err := s.f.Keeper.ExportGenesis(s.f.Ctx)
	s.Require().NoError(err)
	s.Require().NoError(gs.Validate(s.f.AddrCodec), "migrated state is valid genesis")

	before := s.f.StoreSnapshot(s.T())
	s.Require().NoError(s.f.Keeper.MigrateCloseEpochs(s.f.Ctx))
	s.Require().Equal(before, s.f.StoreSnapshot(s.T()), "a second run changes nothing")
}
