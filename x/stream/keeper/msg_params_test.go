package keeper_test

import (
	"github.com/trustedge/trustedge/x/stream/types"
)

func (s *StreamSuite) TestUpdateParams() {
	p := types.Params{MaxReplication: 3, MaxReadingsPerEpoch: 50_000}
	_, err := s.f.MsgServer.UpdateParams(s.f.Ctx, &types.MsgUpdateParams{Authority: s.f.Authority, Params: p})
	s.Require().NoError(err)
	resp, err := s.f.QueryServer.Params(s.f.Ctx, &types.QueryParamsRequest{})
	s.Require().NoError(err)
	s.Require().Equal(p, resp.Params)
	s.requireEvents(&types.EventParamsUpdated{MaxReadingsPerEpoch: 50_000, MaxReplication: 3})

	// The new bounds apply to the next message.
	s.f.AllowCreate(s.T(), s.alice, "r4")
	msg := &types.MsgCreateStream{Owner: s.alice, StreamId: "r4", DeviceId: "sensor-a", Replication: 4}
	s.requireRejected(types.ErrInvalidStream, func() error {
		_, err := s.f.MsgServer.CreateStream(s.f.Ctx, msg)
		return err
	})
	commit := &types.MsgCommitEpoch{
		Sender: s.node0, Epoch: 1, Root: make([]byte, 32), ReadingCount: 50_001, StreamCount: 1, WindowStart: 1, WindowEnd: 1,
	}
	s.requireRejected(types.ErrInvalidCommit, func() error {
		_, err := s.f.MsgServer.CommitEpoch(s.f.Ctx, commit)
		return err
	})
	commit.ReadingCount = 50_000
	_, err = s.f.MsgServer.CommitEpoch(s.f.Ctx, commit)
	s.Require().NoError(err)

	// The lowest limit the params take is one ingest batch.
	lowest := types.Params{MaxReplication: 1, MaxReadingsPerEpoch: types.MinReadingsPerEpochLimit}
	_, err = s.f.MsgServer.UpdateParams(s.f.Ctx, &types.MsgUpdateParams{Authority: s.f.Authority, Params: lowest})
	s.Require().NoError(err)
	got, err := s.f.Keeper.Params.Get(s.f.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(lowest, got)
}

func (s *StreamSuite) TestUpdateParamsRejections() {
	good := types.Params{MaxReplication: 3, MaxReadingsPerEpoch: 50_000}
	cases := []struct {
		name   string
		msg    *types.MsgUpdateParams
		target error
	}{
		{"authority not bech32", &types.MsgUpdateParams{Authority: "auth", Params: good}, types.ErrInvalidAddress},
		{"not the authority", &types.MsgUpdateParams{Authority: s.alice, Params: good}, types.ErrUnauthorized},
		{"an edge operator", &types.MsgUpdateParams{Authority: s.node0, Params: good}, types.ErrUnauthorized},
		// Each case breaks one bound and keeps the other valid, so the
		// refusal is that bound's.
		{"max replication 0", &types.MsgUpdateParams{Authority: s.f.Authority, Params: types.Params{MaxReadingsPerEpoch: types.MinReadingsPerEpochLimit}}, types.ErrInvalidParams},
		{"max readings 0", &types.MsgUpdateParams{Authority: s.f.Authority, Params: types.Params{MaxReplication: 1}}, types.ErrInvalidParams},
		{"max readings below one ingest batch", &types.MsgUpdateParams{Authority: s.f.Authority, Params: types.Params{MaxReplication: 1, MaxReadingsPerEpoch: types.MinReadingsPerEpochLimit - 1}}, types.ErrInvalidParams},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error {
				_, err := s.f.MsgServer.UpdateParams(s.f.Ctx, tc.msg)
				return err
			})
		})
	}
}
