package keeper_test

import (
	"bytes"

	"github.com/trustedge/trustedge/x/stream/types"
)

func (s *StreamSuite) record(sender, id string, seq uint64, payload []byte) error {
	_, err := s.f.MsgServer.RecordReading(s.f.Ctx, &types.MsgRecordReading{
		Sender: sender, StreamId: id, Seq: seq, Time: int64(1_000 + seq), Payload: payload,
	})
	return err
}

func (s *StreamSuite) TestRecordHappyPath() {
	s.created("a")
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
	s.created("a")
	s.created("b")
	s.Require().NoError(s.record(s.alice, "a", 1, nil))
	s.Require().NoError(s.record(s.alice, "a", 2, nil))
	s.Require().NoError(s.record(s.alice, "b", 1, nil))
	last, err := s.f.Keeper.GetLastReadingSeq(s.f.Ctx, "b")
	s.Require().NoError(err)
	s.Require().Equal(uint64(1), last)
}

func (s *StreamSuite) TestRecordMaxPayloadAccepted() {
	s.created("a")
	s.Require().NoError(s.record(s.alice, "a", 1, bytes.Repeat([]byte{7}, types.MaxPayloadBytes)))
}

func (s *StreamSuite) TestRecordRejections() {
	s.created("a")
	s.created("shut")
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
