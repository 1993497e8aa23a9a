package keeper_test

import (
	"strings"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

func (s *StreamSuite) TestCreateHappyPath() {
	s.f.SetHeight(7)
	s.f.AllowCreate(s.T(), s.alice, "pm25-001")
	s.f.ResetEvents()
	_, err := s.f.MsgServer.CreateStream(s.f.Ctx, streamtestutil.CreateMsg(s.alice, "pm25-001", "sensor-a"))
	s.Require().NoError(err)

	s.Require().Equal(types.Stream{
		Id: "pm25-001", DeviceId: "sensor-a", Owner: s.alice, Schema: "pm25.v1", Unit: "ug/m3",
		HomeNode: s.node0, RetentionSeconds: 86_400, Replication: 2,
		Status: types.STREAM_STATUS_OPEN, CreatedHeight: 7,
	}, s.f.Stream(s.T(), "pm25-001"))
	s.requireEvents(&types.EventStreamCreated{StreamId: "pm25-001", DeviceId: "sensor-a", Owner: s.alice, HomeNode: s.node0})
}

// The home node is the device's, and a wildcard grant works like an exact
// one (x/access decides; the module only asks).
func (s *StreamSuite) TestCreateDefaultsAndWildcardGrant() {
	s.f.Grant(s.T(), types.AccountSubject(s.bob), "stream/*", types.ActionCreate)
	msg := streamtestutil.CreateMsg(strings.ToUpper(s.bob), "b:temp.1_x", "sensor-b")
	msg.Replication, msg.Schema, msg.Unit, msg.RetentionSeconds = 0, "", "", 0
	_, err := s.f.MsgServer.CreateStream(s.f.Ctx, msg)
	s.Require().NoError(err)
	got := s.f.Stream(s.T(), "b:temp.1_x")
	s.Require().Equal(uint32(1), got.Replication, "replication 0 means the home node only")
	s.Require().Equal(s.bob, got.Owner, "owner stored in canonical lower case")
	s.Require().Equal(s.node1, got.HomeNode)
}

func (s *StreamSuite) TestCreateLimitsAccepted() {
	id := strings.Repeat("Z", types.MaxIDLen)
	s.f.AllowCreate(s.T(), s.alice, id)
	msg := streamtestutil.CreateMsg(s.alice, id, "sensor-a")
	msg.Schema = strings.Repeat("s", types.MaxSchemaLen)
	msg.Unit = strings.Repeat("µ", types.MaxUnitLen/2)
	msg.Replication = types.DefaultMaxReplication
	_, err := s.f.MsgServer.CreateStream(s.f.Ctx, msg)
	s.Require().NoError(err)
	s.Require().Equal(uint32(types.DefaultMaxReplication), s.f.Stream(s.T(), id).Replication)
}

func (s *StreamSuite) TestCreateRejections() {
	s.created("taken")
	closed := s.created("closed")
	_, err := s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: closed.Id})
	s.Require().NoError(err)

	s.f.RegisterDevice(s.T(), "sleepy", s.alice, s.node0)
	s.f.SuspendDevice(s.T(), "sleepy", s.alice)
	s.f.AllowCreate(s.T(), s.alice, "new")
	s.f.AllowCreate(s.T(), s.bob, "new")
	// alice still holds her create grants on "taken" and "closed".

	mod := func(f func(m *types.MsgCreateStream)) *types.MsgCreateStream {
		m := streamtestutil.CreateMsg(s.alice, "new", "sensor-a")
		f(m)
		return m
	}
	cases := []struct {
		name   string
		msg    *types.MsgCreateStream
		target error
	}{
		{"owner not bech32", mod(func(m *types.MsgCreateStream) { m.Owner = "alice" }), types.ErrInvalidAddress},
		{"empty id", mod(func(m *types.MsgCreateStream) { m.StreamId = "" }), types.ErrInvalidStreamID},
		{"id too long", mod(func(m *types.MsgCreateStream) { m.StreamId = strings.Repeat("a", 65) }), types.ErrInvalidStreamID},
		{"id with slash", mod(func(m *types.MsgCreateStream) { m.StreamId = "a/b" }), types.ErrInvalidStreamID},
		{"id with star", mod(func(m *types.MsgCreateStream) { m.StreamId = "*" }), types.ErrInvalidStreamID},
		{"device id empty", mod(func(m *types.MsgCreateStream) { m.DeviceId = "" }), types.ErrInvalidStream},
		{"device id bad char", mod(func(m *types.MsgCreateStream) { m.DeviceId = "a b" }), types.ErrInvalidStream},
		{"schema too long", mod(func(m *types.MsgCreateStream) { m.Schema = strings.Repeat("s", 65) }), types.ErrInvalidStream},
		{"unit too long", mod(func(m *types.MsgCreateStream) { m.Unit = strings.Repeat("u", 33) }), types.ErrInvalidStream},
		{"schema control char", mod(func(m *types.MsgCreateStream) { m.Schema = "a\nb" }), types.ErrInvalidStream},
		{"unit not utf-8", mod(func(m *types.MsgCreateStream) { m.Unit = "\xff" }), types.ErrInvalidStream},
		{"replication above max", mod(func(m *types.MsgCreateStream) { m.Replication = types.DefaultMaxReplication + 1 }), types.ErrInvalidStream},
		{"device unknown", mod(func(m *types.MsgCreateStream) { m.DeviceId = "ghost" }), types.ErrDeviceNotUsable},
		{"device suspended", mod(func(m *types.MsgCreateStream) { m.DeviceId = "sleepy" }), types.ErrDeviceNotUsable},
		{"device of someone else", mod(func(m *types.MsgCreateStream) { m.DeviceId = "sensor-b" }), types.ErrUnauthorized},
		{"bob creating on alice's device", mod(func(m *types.MsgCreateStream) { m.Owner = s.bob }), types.ErrUnauthorized},
		{"no create grant", mod(func(m *types.MsgCreateStream) { m.StreamId = "ungranted" }), types.ErrUnauthorized},
		{"duplicate", mod(func(m *types.MsgCreateStream) { m.StreamId = "taken" }), types.ErrStreamExists},
		{"duplicate of a closed stream", mod(func(m *types.MsgCreateStream) { m.StreamId = "closed" }), types.ErrStreamExists},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error {
				_, err := s.f.MsgServer.CreateStream(s.f.Ctx, tc.msg)
				return err
			})
		})
	}
}

// A write grant is not a create grant, and a revoked grant allows nothing.
func (s *StreamSuite) TestCreateNeedsTheCreateAction() {
	s.f.AllowWrite(s.T(), s.alice, "pm")
	s.requireRejected(types.ErrUnauthorized, func() error {
		_, err := s.f.MsgServer.CreateStream(s.f.Ctx, streamtestutil.CreateMsg(s.alice, "pm", "sensor-a"))
		return err
	})
	id := s.f.AllowCreate(s.T(), s.alice, "pm")
	s.f.Revoke(s.T(), id)
	s.requireRejected(types.ErrUnauthorized, func() error {
		_, err := s.f.MsgServer.CreateStream(s.f.Ctx, streamtestutil.CreateMsg(s.alice, "pm", "sensor-a"))
		return err
	})
}

func (s *StreamSuite) TestCloseByOwnerAndAuthority() {
	s.created("a")
	s.created("b")
	_, err := s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "a"})
	s.Require().NoError(err)
	s.Require().Equal(types.STREAM_STATUS_CLOSED, s.f.Stream(s.T(), "a").Status)
	s.requireEvents(&types.EventStreamClosed{StreamId: "a", By: s.alice})

	_, err = s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.f.Authority, StreamId: "b"})
	s.Require().NoError(err)
	s.Require().Equal(types.STREAM_STATUS_CLOSED, s.f.Stream(s.T(), "b").Status)
	s.requireEvents(&types.EventStreamClosed{StreamId: "b", By: s.f.Authority})
}

func (s *StreamSuite) TestCloseRejections() {
	s.created("open")
	s.created("shut")
	_, err := s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "shut"})
	s.Require().NoError(err)
	// A create or write grant does not let anyone else close a stream.
	s.f.Grant(s.T(), types.AccountSubject(s.bob), "stream/*", types.ActionCreate, types.ActionWrite)

	cases := []struct {
		name   string
		msg    *types.MsgCloseStream
		target error
	}{
		{"signer not bech32", &types.MsgCloseStream{Signer: "x", StreamId: "open"}, types.ErrInvalidAddress},
		{"bad id", &types.MsgCloseStream{Signer: s.alice, StreamId: "a/b"}, types.ErrInvalidStreamID},
		{"unknown stream", &types.MsgCloseStream{Signer: s.alice, StreamId: "ghost"}, types.ErrStreamNotFound},
		{"not owner nor authority", &types.MsgCloseStream{Signer: s.bob, StreamId: "open"}, types.ErrUnauthorized},
		{"edge operator is not the authority", &types.MsgCloseStream{Signer: s.node0, StreamId: "open"}, types.ErrUnauthorized},
		{"already closed", &types.MsgCloseStream{Signer: s.alice, StreamId: "shut"}, types.ErrStreamClosed},
		{"already closed, by authority", &types.MsgCloseStream{Signer: s.f.Authority, StreamId: "shut"}, types.ErrStreamClosed},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error {
				_, err := s.f.MsgServer.CloseStream(s.f.Ctx, tc.msg)
				return err
			})
		})
	}
}

// A stream keeps its home node when the node later leaves or is jailed: it
// is a record of where its data was committed.
func (s *StreamSuite) TestStreamOutlivesItsNode() {
	s.created("a")
	s.f.CommitEpochs(s.T(), s.node0, 1, 2)
	s.f.SetNodeStatus(s.T(), s.node0, edgetypes.NODE_STATUS_JAILED)
	s.f.RemoveNode(s.T(), s.node0)
	st := s.f.Stream(s.T(), "a")
	s.Require().Equal(s.node0, st.HomeNode)
	s.Require().Equal(types.STREAM_STATUS_OPEN, st.Status)
	// Its commitments stay queryable, and the owner can still close it
	// (the close epoch is the departed node's last one).
	resp, err := s.f.QueryServer.Epoch(s.f.Ctx, &types.QueryEpochRequest{Node: s.node0, Epoch: 2})
	s.Require().NoError(err)
	s.Require().Equal(uint64(2), resp.Commit.Epoch)
	_, err = s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "a"})
	s.Require().NoError(err)
	s.Require().Equal(uint64(2), s.f.Stream(s.T(), "a").ClosedAfterEpoch)
}
