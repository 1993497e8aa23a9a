package keeper_test

import (
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/suite"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

// DeviceSuite runs every keeper test on a fresh store with two edge nodes
// (node0, node1), two owners (alice, bob), an "ops" account that has no
// x/access grant until a test gives it one, and the consortium authority of
// the fake edge keeper. The fake x/access denies everything by default.
type DeviceSuite struct {
	suite.Suite

	f            *devtestutil.Fixture
	node0, node1 string
	alice, bob   string
	ops          string
}

func TestDeviceSuite(t *testing.T) { suite.Run(t, new(DeviceSuite)) }

func (s *DeviceSuite) SetupTest() {
	s.f = devtestutil.NewFixture(s.T())
	s.node0 = s.f.AddNode("node0")
	s.node1 = s.f.AddNode("node1")
	s.alice = devtestutil.AddrStr("alice")
	s.bob = devtestutil.AddrStr("bob")
	s.ops = devtestutil.AddrStr("ops")
}

// --- helpers -------------------------------------------------------------

// device makes an unregistered device owned by alice on node0.
func (s *DeviceSuite) device(id string) devtestutil.TestDevice {
	return devtestutil.NewTestDevice(id, s.alice, s.node0)
}

// registered registers a device owned by alice on node0 and resets events.
func (s *DeviceSuite) registered(id string) devtestutil.TestDevice {
	s.T().Helper()
	d := s.device(id)
	s.f.Register(s.T(), d)
	s.f.ResetEvents()
	return d
}

// requireRejected runs call and requires it to fail with target, leave the
// module store byte-for-byte unchanged and emit no event.
func (s *DeviceSuite) requireRejected(target error, call func() error) {
	s.T().Helper()
	before := s.f.StoreSnapshot(s.T())
	s.f.ResetEvents()
	err := call()
	s.Require().ErrorIs(err, target)
	s.Require().Equal(before, s.f.StoreSnapshot(s.T()), "state changed after a rejected call")
	s.Require().Empty(s.f.Ctx.EventManager().Events(), "events emitted by a rejected call")
}

// requireEvents requires exactly these typed events, in order, then resets.
func (s *DeviceSuite) requireEvents(want ...proto.Message) {
	s.T().Helper()
	got := s.f.TypedEvents(s.T())
	s.Require().Len(got, len(want), "events: %v", got)
	for i := range want {
		s.Require().Truef(proto.Equal(want[i], got[i]), "event %d:\nwant %v\n got %v", i, want[i], got[i])
	}
	s.f.ResetEvents()
}

// ownerDevices lists the ids under owner in the owner index.
func (s *DeviceSuite) ownerDevices(owner string) []string {
	s.T().Helper()
	resp, err := s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{Owner: owner})
	s.Require().NoError(err)
	return ids(resp.Devices)
}

// nodeDevices lists the ids under node in the home-node index.
func (s *DeviceSuite) nodeDevices(node string) []string {
	s.T().Helper()
	resp, err := s.f.QueryServer.DevicesByNode(s.f.Ctx, &types.QueryDevicesByNodeRequest{HomeNode: node})
	s.Require().NoError(err)
	return ids(resp.Devices)
}

func ids(ds []types.Device) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Id)
	}
	return out
}
