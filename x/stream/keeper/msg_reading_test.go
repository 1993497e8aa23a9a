package keeper_test

import (
	"bytes"

	devicetypes "github.com/trustedge/trustedge/x/device/types"
	"github.com/trustedge/trustedge/x/stream/types"
)

func (s *StreamSuite) record(sender, id string, seq uint64, payload []byte) error {
	_, err := s.f.MsgServer.RecordReading(s.f.Ctx, &types.MsgRecordReading{
		Sender: sender, StreamId: id, Seq: seq, Time: int64(1_000 + seq), Payload: payload,
	})
	return err
}

// writable creates stream id for alice's sensor-a and grants alice "write"
// on it: the owner's grant vouches for its device, on chain as at the
// gateway.
func (s *StreamSuite) writable(id string) {
	s.T().Helper()
	s.created(id)
	s.f.AllowWrite(s.T(), s.alice, id)
	s.f.ResetEvents()
}

func (s *StreamSuite) TestRecordHappyPath() {
	s.writable("a")
	s.f.SetHeight(20)
	s.Require().NoError(s.record(s.alice, "a", 1, []byte{1, 2, 3}))
	s.requireEvents(&types.EventReadingRecorded{StreamId: "a", Seq: 1})
	// A granted writer goes on from where the owner stopped.
	s.f.AllowWrite(s.T(), s.writer, "a")
	s.f.SetHeight(21)
	s.f.ResetEvents()
	s.Require().NoError(s.record(s.writer, "a", 2, nil))
	s.requireEvents(&types.EventReadingRecorded{StreamId: "a", Seq: 2})

	got, err := s.f.QueryServer.Reading(s.f.Ctx, &types.QueryReadingRequest{StreamId: "a", Seq: 1})
	s.Require().NoError(err)
	s.Require().Equal(types.Reading{StreamId: "a", Seq: 1, Time: 1_001, Payload: []byte{1, 2, 3}, Height: 20}, got.Reading)
	got, err = s.f.QueryServer.Reading(s.f.Ctx, &types.QueryReadingRequest{StreamId: "a", Seq: 2})
	s.Require().NoError(err)
	s.Require().Equal(int64(21), got.Reading.Height)
	last, err := s.f.Keeper.GetLastReadingSeq(s.f.Ctx, "a")
	s.Require().NoError(err)
	s.Require().Equal(uint64(2), last)
}

// Sequences are per stream.
func (s *StreamSuite) TestRecordSeqPerStream() {
	s.writable("a")
	s.writable("b")
	s.Require().NoError(s.record(s.alice, "a", 1, nil))
	s.Require().NoError(s.record(s.alice, "a", 2, nil))
	s.Require().NoError(s.record(s.alice, "b", 1, nil))
	last, err := s.f.Keeper.GetLastReadingSeq(s.f.Ctx, "b")
	s.Require().NoError(err)
	s.Require().Equal(uint64(1), last)
}

func (s *StreamSuite) TestRecordMaxPayloadAccepted() {
	s.writable("a")
	s.Require().NoError(s.record(s.alice, "a", 1, bytes.Repeat([]byte{7}, types.MaxPayloadBytes)))
}

func (s *StreamSuite) TestRecordRejections() {
	s.writable("a")
	s.writable("shut")
	s.created("ungranted") // alice holds no write grant on it
	s.Require().NoError(s.record(s.alice, "a", 1, nil))
	_, err := s.f.MsgServer.CloseStream(s.f.Ctx, &types.MsgCloseStream{Signer: s.alice, StreamId: "shut"})
	s.Require().NoError(err)
	// bob may create anything, and write on another stream: neither is
	// "write" on stream/a.
	s.f.Grant(s.T(), types.AccountSubject(s.bob), "stream/*", types.ActionCreate)
	s.f.AllowWrite(s.T(), s.bob, "shut")

	cases := []struct {
		name    string
		sender  string
		id      string
		seq     uint64
		payload []byte
		target  error
	}{
		{"sender not bech32", "alice", "a", 2, nil, types.ErrInvalidAddress},
		{"bad id", s.alice, "a/b", 2, nil, types.ErrInvalidStreamID},
		{"payload too large", s.alice, "a", 2, make([]byte, types.MaxPayloadBytes+1), types.ErrPayloadTooLarge},
		{"unknown stream", s.alice, "ghost", 1, nil, types.ErrStreamNotFound},
		{"closed stream", s.alice, "shut", 1, nil, types.ErrStreamClosed},
		{"closed stream, granted writer", s.bob, "shut", 1, nil, types.ErrStreamClosed},
		{"no write grant", s.writer, "a", 2, nil, types.ErrUnauthorized},
		{"owner without write grant", s.alice, "ungranted", 1, nil, types.ErrUnauthorized},
		{"create grant only", s.bob, "a", 2, nil, types.ErrUnauthorized},
		{"the authority needs a grant too", s.f.Authority, "a", 2, nil, types.ErrUnauthorized},
		{"seq repeated", s.alice, "a", 1, nil, types.ErrSeqNotNext},
		{"seq skipped", s.alice, "a", 3, nil, types.ErrSeqNotNext},
		{"seq 0", s.alice, "a", 0, nil, types.ErrSeqNotNext},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.target, func() error { return s.record(tc.sender, tc.id, tc.seq, tc.payload) })
		})
	}
}

// TestRecordFollowsDeviceAndOwner: the chain path takes a reading only when
// the gateway would: the stream's device ACTIVE and still its owner's, and
// the owner allowed "write". A granted writer cannot feed a stream whose
// owner lost its grant or whose device was suspended, transferred or
// revoked.
func (s *StreamSuite) TestRecordFollowsDeviceAndOwner() {
	s.created("a")
	ownerGrant := s.f.AllowWrite(s.T(), s.alice, "a")
	s.f.AllowWrite(s.T(), s.writer, "a")
	s.Require().NoError(s.record(s.writer, "a", 1, nil))

	// The owner's grant is withdrawn: its devices stop, whoever sends.
	s.f.Revoke(s.T(), ownerGrant)
	s.requireRejected(types.ErrUnauthorized, func() error { return s.record(s.writer, "a", 2, nil) })
	s.requireRejected(types.ErrUnauthorized, func() error { return s.record(s.alice, "a", 2, nil) })
	s.f.AllowWrite(s.T(), s.alice, "a")
	s.Require().NoError(s.record(s.writer, "a", 2, nil))

	// Suspended: refused until resumed.
	s.f.SuspendDevice(s.T(), "sensor-a", s.alice)
	s.requireRejected(types.ErrDeviceNotUsable, func() error { return s.record(s.alice, "a", 3, nil) })
	_, err := s.f.DeviceMsgs.ResumeDevice(s.f.Ctx, &devicetypes.MsgResumeDevice{Signer: s.alice, DeviceId: "sensor-a"})
	s.Require().NoError(err)
	s.Require().NoError(s.record(s.alice, "a", 3, nil))

	// Transferred to bob: alice's stream no longer takes its readings.
	_, err = s.f.DeviceMsgs.TransferDevice(s.f.Ctx, &devicetypes.MsgTransferDevice{Owner: s.alice, DeviceId: "sensor-a", NewOwner: s.bob})
	s.Require().NoError(err)
	s.requireRejected(types.ErrUnauthorized, func() error { return s.record(s.alice, "a", 4, nil) })
	s.requireRejected(types.ErrUnauthorized, func() error { return s.record(s.writer, "a", 4, nil) })
	_, err = s.f.DeviceMsgs.TransferDevice(s.f.Ctx, &devicetypes.MsgTransferDevice{Owner: s.bob, DeviceId: "sensor-a", NewOwner: s.alice})
	s.Require().NoError(err)
	s.Require().NoError(s.record(s.alice, "a", 4, nil))

	// Revoked: for good.
	_, err = s.f.DeviceMsgs.RevokeDevice(s.f.Ctx, &devicetypes.MsgRevokeDevice{Signer: s.alice, DeviceId: "sensor-a", Reason: "key leaked"})
	s.Require().NoError(err)
	s.requireRejected(types.ErrDeviceNotUsable, func() error { return s.record(s.alice, "a", 5, nil) })
	last, err := s.f.Keeper.GetLastReadingSeq(s.f.Ctx, "a")
	s.Require().NoError(err)
	s.Require().Equal(uint64(4), last, "no refused reading was stored")
}
