package keeper_test

import (
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

func (s *DeviceSuite) TestGenesisRoundTrip() {
	d, _ := s.rotatedDevice()
	s.registered("b")
	s.Require().NoError(s.suspend(s.alice, "b", ""))
	s.f.Register(s.T(), devtestutil.NewTestDevice("c", s.bob, s.node1))

	gs, err := s.f.Keeper.ExportGenesis(s.f.Ctx)
	s.Require().NoError(err)
	s.Require().NoError(gs.Validate(s.f.AddrCodec))
	s.Require().Equal([]string{"b", "c", d.ID}, ids(gs.Devices))
	s.Require().Len(gs.KeyHistory, 3)

	// Import into a fresh chain: same store bytes, indexes included.
	fresh := devtestutil.NewFixture(s.T())
	s.Require().NoError(fresh.Keeper.InitGenesis(fresh.Ctx, gs))
	s.Require().Equal(s.f.StoreSnapshot(s.T()), fresh.StoreSnapshot(s.T()))
	again, err := fresh.Keeper.ExportGenesis(fresh.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(gs, again)
}

func (s *DeviceSuite) TestInitGenesisRejectsInvalid() {
	s.registered("a")
	gs, err := s.f.Keeper.ExportGenesis(s.f.Ctx)
	s.Require().NoError(err)
	gs.Devices = append(gs.Devices, gs.Devices[0])
	fresh := devtestutil.NewFixture(s.T())
	err = fresh.Keeper.InitGenesis(fresh.Ctx, gs)
	s.Require().ErrorIs(err, types.ErrInvalidGenesis)
	s.Require().Empty(fresh.StoreSnapshot(s.T()))
}

func (s *DeviceSuite) TestDefaultGenesisIsEmpty() {
	fresh := devtestutil.NewFixture(s.T())
	s.Require().NoError(fresh.Keeper.InitGenesis(fresh.Ctx, types.DefaultGenesis()))
	gs, err := fresh.Keeper.ExportGenesis(fresh.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(types.DefaultGenesis(), gs)
}
