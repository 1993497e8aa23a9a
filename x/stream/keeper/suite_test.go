package keeper_test

import (
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/suite"

	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

// StreamSuite runs every keeper test on a fresh store with the real x/edge,
// x/access and x/device keepers: two edge nodes (node0, node1), two owners
// (alice, bob) with one ACTIVE device each (sensor-a on node0, sensor-b on
// node1), a "writer" account with no grant until a test gives it one, and
// the consortium authority. x/access denies everything not granted.
type StreamSuite struct {
	suite.Suite

	f            *streamtestutil.Fixture
	node0, node1 string
	alice, bob   string
	writer       string
}

func TestStreamSuite(t *testing.T) { suite.Run(t, new(StreamSuite)) }

func (s *StreamSuite) SetupTest() {
	s.f = streamtestutil.NewFixture(s.T())
	s.node0 = s.f.AddNode(s.T(), "node0")
	s.node1 = s.f.AddNode(s.T(), "node1")
	s.alice = streamtestutil.AddrStr("alice")
	s.bob = streamtestutil.AddrStr("bob")
	s.writer = streamtestutil.AddrStr("writer")
	s.f.RegisterDevice(s.T(), "sensor-a", s.alice, s.node0)
	s.f.RegisterDevice(s.T(), "sensor-b", s.bob, s.node1)
	s.f.ResetEvents()
}

// created creates stream id for alice's sensor-a and resets events.
func (s *StreamSuite) created(id string) types.Stream {
	s.T().Helper()
	st := s.f.CreateStream(s.T(), s.alice, id, "sensor-a")
	s.f.ResetEvents()
	return st
}

// requireRejected runs call and requires it to fail with target, leave
// every module store byte-for-byte unchanged and emit no event.
func (s *StreamSuite) requireRejected(target error, call func() error) {
	s.T().Helper()
	before := s.f.StoreSnapshot(s.T())
	s.f.ResetEvents()
	err := call()
	s.Require().ErrorIs(err, target)
	s.Require().Equal(before, s.f.StoreSnapshot(s.T()), "state changed after a rejected call")
	s.Require().Empty(s.f.Ctx.EventManager().Events(), "events emitted by a rejected call")
}

// requireEvents requires exactly these typed events, in order, then resets.
func (s *StreamSuite) requireEvents(want ...proto.Message) {
	s.T().Helper()
	got := s.f.TypedEvents(s.T())
	s.Require().Len(got, len(want), "events: %v", got)
	for i := range want {
		s.Require().Truef(proto.Equal(want[i], got[i]), "event %d:\nwant %v\n got %v", i, want[i], got[i])
	}
	s.f.ResetEvents()
}
