package keeper_test

import (
	"bytes"
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/types/query"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

func (s *KeeperSuite) TestQueryNode() {
	n := s.nodes[1]
	resp, err := s.f.QueryServer.Node(s.ctx(), &types.QueryNodeRequest{Operator: n.Operator})
	s.Require().NoError(err)
	s.Require().Equal(s.f.Node(s.T(), n), resp.Node)

	cases := []struct {
		name string
		req  *types.QueryNodeRequest
		code codes.Code
	}{
		{"nil request", nil, codes.InvalidArgument},
		{"empty operator", &types.QueryNodeRequest{}, codes.InvalidArgument},
		{"bad address", &types.QueryNodeRequest{Operator: "edge1nope"}, codes.InvalidArgument},
		{"wrong prefix", &types.QueryNodeRequest{Operator: "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"}, codes.InvalidArgument},
		{"not found", &types.QueryNodeRequest{Operator: edgetestutil.AddrStr("absent")}, codes.NotFound},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			_, err := s.f.QueryServer.Node(s.ctx(), tc.req)
			s.Require().Error(err)
			s.Require().Equal(tc.code, status.Code(err), "%v", err)
		})
	}
}

func (s *KeeperSuite) TestQueryNodesPagination() {
	s.setBootstrap(true)
	for _, n := range edgetestutil.NewTestNodes(s.T(), "page", 3) {
		s.register(n, 1)
	}
	// All seven, in operator-address order.
	all, err := s.f.QueryServer.Nodes(s.ctx(), nil)
	s.Require().NoError(err)
	s.Require().Len(all.Nodes, 7)
	ops := make([][]byte, len(all.Nodes))
	for i, n := range all.Nodes {
		ops[i], err = s.f.AddrCodec.StringToBytes(n.Operator)
		s.Require().NoError(err)
	}
	s.Require().True(slices.IsSortedFunc(ops, bytes.Compare))

	// Key pagination: 3 + 3 + 1.
	var (
		seen []string
		key  []byte
	)
	for page := 0; ; page++ {
		resp, err := s.f.QueryServer.Nodes(s.ctx(), &types.QueryNodesRequest{
			Pagination: &query.PageRequest{Key: key, Limit: 3, CountTotal: page == 0},
		})
		s.Require().NoError(err)
		if page == 0 {
			s.Require().Equal(uint64(7), resp.Pagination.Total)
		}
		s.Require().LessOrEqual(len(resp.Nodes), 3)
		for _, n := range resp.Nodes {
			seen = append(seen, n.Operator)
		}
		key = resp.Pagination.NextKey
		if key == nil {
			s.Require().Equal(2, page, "7 nodes in pages of 3")
			break
		}
	}
	want := make([]string, len(all.Nodes))
	for i, n := range all.Nodes {
		want[i] = n.Operator
	}
	s.Require().Equal(want, seen)

	// Offset pagination.
	resp, err := s.f.QueryServer.Nodes(s.ctx(), &types.QueryNodesRequest{Pagination: &query.PageRequest{Offset: 5, Limit: 3}})
	s.Require().NoError(err)
	s.Require().Len(resp.Nodes, 2)
	s.Require().Equal(want[5], resp.Nodes[0].Operator)
	s.Require().Nil(resp.Pagination.NextKey)

	// Reverse.
	resp, err = s.f.QueryServer.Nodes(s.ctx(), &types.QueryNodesRequest{Pagination: &query.PageRequest{Limit: 2, Reverse: true}})
	s.Require().NoError(err)
	s.Require().Equal([]string{want[6], want[5]}, []string{resp.Nodes[0].Operator, resp.Nodes[1].Operator})

	// Key and offset together are an invalid request.
	_, err = s.f.QueryServer.Nodes(s.ctx(), &types.QueryNodesRequest{Pagination: &query.PageRequest{Key: []byte{1}, Offset: 1}})
	s.Require().Equal(codes.InvalidArgument, status.Code(err), "%v", err)
}

func (s *KeeperSuite) TestQueryValidatorSet() {
	// Node 1 has power 0 from genesis; node 0 gets jailed.
	s.setup(types.DefaultParams(), 100, 0, 100, 100)
	s.jail(s.nodes[0])
	s.endBlock()
	s.Require().NoError(s.setPower(s.nodes[2], 130))

	resp, err := s.f.QueryServer.ValidatorSet(s.ctx(), &types.QueryValidatorSetRequest{})
	s.Require().NoError(err)
	s.Require().Equal(int64(230), resp.TotalPower)
	want := []types.ValidatorInfo{
		{Operator: s.nodes[2].Operator, Moniker: "node-" + s.nodes[2].Seed, ConsensusAddress: s.nodes[2].ConsAddrHex(), Power: 130},
		{Operator: s.nodes[3].Operator, Moniker: "node-" + s.nodes[3].Seed, ConsensusAddress: s.nodes[3].ConsAddrHex(), Power: 100},
	}
	s.Require().ElementsMatch(want, resp.Validators)
	s.Require().Equal(s.f.TotalPower(s.T()), resp.TotalPower)
}

func (s *KeeperSuite) TestQueryValidatorSetSkipsJailedWithPower() {
	// A hand-written genesis may list a jailed node that still has power: it
	// is not a validator.
	f := edgetestutil.NewFixture(s.T())
	nodes := edgetestutil.NewTestNodes(s.T(), "j", 2)
	gs := f.Genesis(types.DefaultParams(), nodes, 10)
	gs.Nodes[0].Status = types.NODE_STATUS_JAILED
	gs.BannedConsensusAddresses = []string{nodes[0].ConsAddrHex()}
	f.InitGenesis(s.T(), gs)
	resp, err := f.QueryServer.ValidatorSet(f.Ctx, nil)
	s.Require().NoError(err)
	s.Require().Len(resp.Validators, 1)
	s.Require().Equal(nodes[1].Operator, resp.Validators[0].Operator)
	s.Require().Equal(int64(10), resp.TotalPower)
}

func (s *KeeperSuite) TestQueryValidatorSetIncludesStale() {
	node := s.f.Node(s.T(), s.nodes[0])
	node.Status = types.NODE_STATUS_STALE
	s.Require().NoError(s.f.Keeper.Nodes.Set(s.ctx(), s.nodes[0].OpAddr, node))
	resp, err := s.f.QueryServer.ValidatorSet(s.ctx(), nil)
	s.Require().NoError(err)
	s.Require().Len(resp.Validators, 4)
	s.Require().Equal(int64(400), resp.TotalPower)
}

func (s *KeeperSuite) TestQueryParamsAndAuthority() {
	p, err := s.f.QueryServer.Params(s.ctx(), &types.QueryParamsRequest{})
	s.Require().NoError(err)
	s.Require().Equal(types.DefaultParams(), p.Params)
	a, err := s.f.QueryServer.Authority(s.ctx(), &types.QueryAuthorityRequest{})
	s.Require().NoError(err)
	s.Require().Equal(s.f.Authority, a.Authority)

	newParams := types.Params{MaxPowerChangeBps: 5, HeartbeatTimeoutBlocks: 3}
	_, err = s.f.MsgServer.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.f.Authority, Params: newParams})
	s.Require().NoError(err)
	next := edgetestutil.AddrStr("next")
	_, err = s.f.MsgServer.UpdateAuthority(s.ctx(), &types.MsgUpdateAuthority{Authority: s.f.Authority, NewAuthority: next})
	s.Require().NoError(err)
	s.endBlock() // params set by MsgUpdateParams take effect at the end of the block

	p, err = s.f.QueryServer.Params(s.ctx(), nil)
	s.Require().NoError(err)
	s.Require().Equal(newParams, p.Params)
	a, err = s.f.QueryServer.Authority(s.ctx(), nil)
	s.Require().NoError(err)
	s.Require().Equal(next, a.Authority)
}

// TestQueryOverGRPCRouter goes through the app's gRPC query router, which
// encodes the response: the consensus key Any must survive the trip.
func (s *KeeperSuite) TestQueryOverGRPCRouter() {
	helper := baseapp.NewQueryServerTestHelper(s.ctx(), s.f.Registry)
	types.RegisterQueryServer(helper, s.f.QueryServer)
	client := types.NewQueryClient(helper)

	resp, err := client.Node(s.ctx(), &types.QueryNodeRequest{Operator: s.nodes[0].Operator})
	s.Require().NoError(err)
	pk, err := resp.Node.ConsPubKey()
	s.Require().NoError(err)
	s.Require().True(pk.Equals(s.nodes[0].PubKey))

	list, err := client.Nodes(s.ctx(), &types.QueryNodesRequest{})
	s.Require().NoError(err)
	s.Require().Len(list.Nodes, 4)
	for _, n := range list.Nodes {
		_, err := n.ConsPubKey()
		s.Require().NoError(err, "node %s", n.Operator)
	}

	_, err = client.Node(s.ctx(), &types.QueryNodeRequest{Operator: edgetestutil.AddrStr("absent")})
	s.Require().Equal(codes.NotFound, status.Code(err), "%v", err)

	vs, err := client.ValidatorSet(s.ctx(), &types.QueryValidatorSetRequest{})
	s.Require().NoError(err)
	s.Require().Equal(int64(400), vs.TotalPower)
}
