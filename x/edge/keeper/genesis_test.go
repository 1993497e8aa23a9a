package keeper_test

import (
	abci "github.com/cometbft/cometbft/abci/types"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// exportJSON exports the genesis and returns it as canonical JSON.
func (s *KeeperSuite) exportJSON(f *edgetestutil.Fixture) []byte {
	gs, err := f.Keeper.ExportGenesis(f.Ctx)
	s.Require().NoError(err)
	s.Require().NoError(gs.Validate(f.AddrCodec), "an export must validate")
	return f.Codec.MustMarshalJSON(gs)
}

func (s *KeeperSuite) TestGenesisRoundTrip() {
	f := edgetestutil.NewFixture(s.T())
	nodes := edgetestutil.NewTestNodes(s.T(), "rt", 4)
	params := types.Params{MaxPowerChangeBps: 2500, BootstrapMode: true, HeartbeatTimeoutBlocks: 77}
	gs := f.Genesis(params, nodes, 10)
	gs.Nodes[1].Status = types.NODE_STATUS_STALE
	gs.Nodes[1].LastLoad = types.Load{CpuMillicores: 5, ActiveTasks: 2}
	gs.Nodes[1].LastHeartbeatHeight = 40
	gs.Nodes[1].JoinedHeight = 3
	gs.Nodes[2].Status, gs.Nodes[2].Power = types.NODE_STATUS_JAILED, 0
	gs.BannedConsensusAddresses = []string{nodes[2].ConsAddrHex()} // jailing bans the key
	gs.Nodes[3].Power = 0
	gs.Nodes[3].Endpoints = types.Endpoints{}
	gs.Nodes[3].EthAddress = ""
	f.InitGenesis(s.T(), gs)

	got, err := f.Keeper.ExportGenesis(f.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(gs.Authority, got.Authority)
	s.Require().Equal(gs.Params, got.Params)
	s.Require().ElementsMatch(s.nodeJSONs(f, gs.Nodes), s.nodeJSONs(f, got.Nodes))
	// Exports come out ordered by operator address bytes.
	for i := 1; i < len(got.Nodes); i++ {
		a, _ := f.AddrCodec.StringToBytes(got.Nodes[i-1].Operator)
		b, _ := f.AddrCodec.StringToBytes(got.Nodes[i].Operator)
		s.Require().Less(string(a), string(b))
	}
}

func (s *KeeperSuite) nodeJSONs(f *edgetestutil.Fixture, nodes []types.EdgeNode) []string {
	out := make([]string, len(nodes))
	for i := range nodes {
		out[i] = string(f.Codec.MustMarshalJSON(&nodes[i]))
	}
	return out
}

// TestGenesisExportImportAfterActivity exports a chain that has been through
// registrations, jailing, staleness and an authority change, imports the
// JSON into a fresh store and exports again: identical, and the imported
// chain hands CometBFT exactly the set the old one had.
func (s *KeeperSuite) TestGenesisExportImportAfterActivity() {
	s.setTimeout(5)
	extra := s.newNode("extra")
	s.register(extra, 60)
	s.Require().NoError(s.setPower(s.nodes[0], 90))
	s.endBlock()
	s.jail(s.nodes[1])
	s.endBlock()
	s.setHeight(30)
	s.heartbeat(2)
	s.endBlock() // nodes 0, 3 and extra go stale
	_, err := s.f.MsgServer.UpdateAuthority(s.ctx(), &types.MsgUpdateAuthority{Authority: s.f.Authority, NewAuthority: edgetestutil.AddrStr("successor")})
	s.Require().NoError(err)
	s.Require().Equal(types.NODE_STATUS_STALE, s.f.Node(s.T(), extra).Status)

	exported := s.exportJSON(s.f)
	var gs types.GenesisState
	fresh := edgetestutil.NewFixture(s.T())
	// The JSON path must resolve every consensus key Any.
	s.Require().NoError(fresh.Codec.UnmarshalJSON(exported, &gs))
	updates := fresh.InitGenesis(s.T(), &gs)
	s.Require().Equal(string(exported), string(s.exportJSON(fresh)))

	// The imported set is what the old chain's CometBFT has.
	var applied []abci.ValidatorUpdate
	s.Require().NoError(s.f.Keeper.Validators.Walk(s.ctx(), nil, func(_ []byte, u abci.ValidatorUpdate) (bool, error) {
		applied = append(applied, u)
		return false, nil
	}))
	s.Require().Equal(applied, updates)
	s.Require().Len(updates, 4, "the jailed node is out")

	ok, err := fresh.Keeper.IsAuthority(fresh.Ctx, edgetestutil.AddrStr("successor"))
	s.Require().NoError(err)
	s.Require().True(ok)
}

func (s *KeeperSuite) TestInitGenesisWithoutAuthority() {
	f := edgetestutil.NewFixture(s.T())
	gs := f.Genesis(types.DefaultParams(), edgetestutil.NewTestNodes(s.T(), "a", 2), 10)
	gs.Authority = ""
	s.Require().NoError(gs.Validate(f.AddrCodec), "Validate alone allows an empty authority")
	_, err := f.Keeper.InitGenesis(f.Ctx, gs)
	s.Require().ErrorIs(err, types.ErrInvalidGenesis)
	s.Require().Empty(f.StoreSnapshot(s.T()), "nothing written")
}

func (s *KeeperSuite) TestInitGenesisInvalid() {
	f := edgetestutil.NewFixture(s.T())
	nodes := edgetestutil.NewTestNodes(s.T(), "b", 2)
	gs := f.Genesis(types.DefaultParams(), nodes, 10)
	gs.Nodes[1].ConsensusPubkey = gs.Nodes[0].ConsensusPubkey
	_, err := f.Keeper.InitGenesis(f.Ctx, gs)
	s.Require().ErrorIs(err, types.ErrInvalidGenesis)
	s.Require().Empty(f.StoreSnapshot(s.T()))
}

func (s *KeeperSuite) TestInitGenesisDefaultWithAuthority() {
	f := edgetestutil.NewFixture(s.T())
	gs := types.DefaultGenesis()
	gs.Authority = f.Authority
	updates := f.InitGenesis(s.T(), gs)
	s.Require().Empty(updates)
	got, err := f.Keeper.ExportGenesis(f.Ctx)
	s.Require().NoError(err)
	s.Require().Equal(gs, got)
}

func (s *KeeperSuite) TestExportGenesisBeforeInit() {
	f := edgetestutil.NewFixture(s.T())
	_, err := f.Keeper.ExportGenesis(f.Ctx)
	s.Require().Error(err)
}
