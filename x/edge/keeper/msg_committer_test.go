package keeper_test

import (
	"strings"

	"github.com/cosmos/gogoproto/proto"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

func (s *KeeperSuite) setCommitter(operator, committer string) error {
	_, err := s.f.MsgServer.SetCommitter(s.ctx(), &types.MsgSetCommitter{Operator: operator, Committer: committer})
	return err
}

// committerOf reads the committer index: the operator committer serves.
func (s *KeeperSuite) committerOf(committer string) (string, bool) {
	op, _, found, err := s.f.Keeper.NodeOfSender(s.ctx(), edgetestutil.Addr(committer))
	s.Require().NoError(err)
	if !found {
		return "", false
	}
	str, err := edgetestutil.AddressCodec().BytesToString(op)
	s.Require().NoError(err)
	return str, true
}

func (s *KeeperSuite) TestSetCommitter() {
	n, other := s.nodes[0], s.nodes[1]
	c1, c2 := edgetestutil.AddrStr("committer-1"), edgetestutil.AddrStr("committer-2")
	otherBefore := s.f.Node(s.T(), other)

	// Name one: the node records it, the index resolves it, the gate sees it.
	s.Require().NoError(s.setCommitter(n.Operator, strings.ToUpper(c1)))
	s.Require().Equal(c1, s.f.Node(s.T(), n).Committer, "stored in canonical (lower-case) form")
	op, found := s.committerOf("committer-1")
	s.Require().True(found)
	s.Require().Equal(n.Operator, op)
	_, served, _, err := s.f.Keeper.NodeOfSender(s.ctx(), edgetestutil.Addr("committer-1"))
	s.Require().NoError(err)
	s.Require().Equal(s.f.Node(s.T(), n), served, "the committer resolves to its node's record")
	isC, err := s.f.Keeper.IsCommitter(s.ctx(), edgetestutil.Addr("committer-1"))
	s.Require().NoError(err)
	s.Require().True(isC)
	s.requireEvents(&types.EventCommitterSet{Operator: n.Operator, NewCommitter: c1})

	// The operator still resolves to its own node.
	opAddr, node, found, err := s.f.Keeper.NodeOfSender(s.ctx(), n.OpAddr)
	s.Require().NoError(err)
	s.Require().True(found)
	s.Require().Equal(n.OpAddr, opAddr)
	s.Require().Equal(n.Operator, node.Operator)

	// Replace it: the old one no longer resolves.
	s.Require().NoError(s.setCommitter(n.Operator, c2))
	_, found = s.committerOf("committer-1")
	s.Require().False(found, "replaced committer still indexed")
	op, found = s.committerOf("committer-2")
	s.Require().True(found)
	s.Require().Equal(n.Operator, op)
	s.requireEvents(&types.EventCommitterSet{Operator: n.Operator, OldCommitter: c1, NewCommitter: c2})

	// A freed committer may serve another node.
	s.Require().NoError(s.setCommitter(other.Operator, c1))
	s.requireEvents(&types.EventCommitterSet{Operator: other.Operator, NewCommitter: c1})
	otherBefore.Committer = c1
	s.Require().Equal(otherBefore, s.f.Node(s.T(), other))

	// Clear it.
	s.Require().NoError(s.setCommitter(n.Operator, ""))
	s.Require().Empty(s.f.Node(s.T(), n).Committer)
	_, found = s.committerOf("committer-2")
	s.Require().False(found)
	s.requireEvents(&types.EventCommitterSet{Operator: n.Operator, OldCommitter: c2})

	// A stranger resolves to nothing.
	_, found = s.committerOf("stranger")
	s.Require().False(found)
	// No validator change.
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestSetCommitterRejections() {
	n, other := s.nodes[0], s.nodes[1]
	taken := edgetestutil.AddrStr("taken")
	mine := edgetestutil.AddrStr("mine")
	s.Require().NoError(s.setCommitter(other.Operator, taken))
	s.Require().NoError(s.setCommitter(n.Operator, mine))
	cases := []struct {
		name                string
		operator, committer string
		err                 error
	}{
		{"bad operator", "edge1", edgetestutil.AddrStr("c"), types.ErrInvalidAddress},
		{"unknown node", edgetestutil.AddrStr("stranger"), edgetestutil.AddrStr("c"), types.ErrNodeNotFound},
		{"bad committer", n.Operator, "edge1xyz", types.ErrInvalidAddress},
		{"the operator itself", n.Operator, n.Operator, types.ErrInvalidCommitter},
		{"another node's operator", n.Operator, other.Operator, types.ErrInvalidCommitter},
		{"another node's committer", n.Operator, taken, types.ErrInvalidCommitter},
		{"already this node's committer", n.Operator, mine, types.ErrInvalidCommitter},
		{"nothing to clear", s.nodes[2].Operator, "", types.ErrInvalidCommitter},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.err, func() error { return s.setCommitter(tc.operator, tc.committer) })
		})
	}
}

func (s *KeeperSuite) TestSetCommitterSignerIsOperator() {
	signers, _, err := s.f.Codec.GetMsgV1Signers(&types.MsgSetCommitter{
		Operator: s.nodes[0].Operator, Committer: edgetestutil.AddrStr("c"),
	})
	s.Require().NoError(err)
	s.Require().Equal([][]byte{s.nodes[0].OpAddr}, signers)
}

// TestHeartbeatByCommitter: the data plane reports its node's load with the
// committer's account; the heartbeat is the node's, and naming another node
// is refused.
func (s *KeeperSuite) TestHeartbeatByCommitter() {
	n := s.nodes[0]
	c := edgetestutil.AddrStr("c")
	s.Require().NoError(s.setCommitter(n.Operator, c))
	s.setHeight(7)
	load := types.Load{CpuMillicores: 700, MemoryMib: 300}
	_, err := s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: c, Node: n.Operator, Load: load})
	s.Require().NoError(err)
	got := s.f.Node(s.T(), n)
	s.Require().Equal(load, got.LastLoad)
	s.Require().Equal(int64(7), got.LastHeartbeatHeight)
	s.requireEvents(&types.EventHeartbeat{Operator: n.Operator, Load: load})

	for name, tc := range map[string]struct {
		msg *types.MsgHeartbeat
		err error
	}{
		"another node":              {&types.MsgHeartbeat{Sender: c, Node: s.nodes[1].Operator}, types.ErrWrongNode},
		"operator for another node": {&types.MsgHeartbeat{Sender: n.Operator, Node: s.nodes[1].Operator}, types.ErrWrongNode},
		"bad node":                  {&types.MsgHeartbeat{Sender: c, Node: "edge1nope"}, types.ErrInvalidAddress},
		"a plain account":           {&types.MsgHeartbeat{Sender: edgetestutil.AddrStr("stranger")}, types.ErrNodeNotFound},
		"bad sender":                {&types.MsgHeartbeat{Sender: "nope"}, types.ErrInvalidAddress},
	} {
		s.Run(name, func() {
			s.requireRejected(tc.err, func() error {
				_, err := s.f.MsgServer.Heartbeat(s.ctx(), tc.msg)
				return err
			})
		})
	}
}

// TestSetCommitterOnJailedNode: a jailed node commits nothing, so it may
// clear its committer but not name one.
func (s *KeeperSuite) TestSetCommitterOnJailedNode() {
	n := s.nodes[0]
	c := edgetestutil.AddrStr("c")
	s.Require().NoError(s.setCommitter(n.Operator, c))
	s.jail(n)
	s.f.ResetEvents()
	s.requireRejected(types.ErrNodeJailed, func() error { return s.setCommitter(n.Operator, edgetestutil.AddrStr("other")) })
	s.Require().NoError(s.setCommitter(n.Operator, ""))
	_, found := s.committerOf("c")
	s.Require().False(found)
	s.requireRejected(types.ErrNodeJailed, func() error { return s.setCommitter(n.Operator, c) })
}

// TestCommitterCannotBecomeOperator: registering a node whose operator is a
// committer would make one account resolve to two nodes.
// TestRegisterNodeFreesCommitter: an account is never both a committer and
// an operator. Naming a committer needs no consent, so an operator could
// squat on an address the authority means to register; the authority's
// RegisterNode wins and the squatting node loses its committer.
func (s *KeeperSuite) TestRegisterNodeFreesCommitter() {
	newcomer := s.newNode("newcomer")
	s.Require().NoError(s.setCommitter(s.nodes[0].Operator, newcomer.Operator))
	s.f.ResetEvents()
	s.register(newcomer, 10)

	s.Require().Empty(s.f.Node(s.T(), s.nodes[0]).Committer)
	isC, err := s.f.Keeper.IsCommitter(s.ctx(), newcomer.OpAddr)
	s.Require().NoError(err)
	s.Require().False(isC)
	got := s.events()
	s.Require().Len(got, 2)
	s.Require().True(proto.Equal(&types.EventCommitterSet{Operator: s.nodes[0].Operator, OldCommitter: newcomer.Operator}, got[0]), "%v", got)
	// Naming it again is refused: it is an operator now.
	s.requireRejected(types.ErrInvalidCommitter, func() error { return s.setCommitter(s.nodes[0].Operator, newcomer.Operator) })
}

// TestRemoveNodeDropsCommitter: a removed node's committer is a plain
// account again (the gate stops admitting it, x/stream stops accepting it).
func (s *KeeperSuite) TestRemoveNodeDropsCommitter() {
	c := edgetestutil.AddrStr("c")
	s.Require().NoError(s.setCommitter(s.nodes[0].Operator, c))
	s.Require().NoError(s.remove(s.nodes[0]))
	_, found := s.committerOf("c")
	s.Require().False(found)
	isC, err := s.f.Keeper.IsCommitter(s.ctx(), edgetestutil.Addr("c"))
	s.Require().NoError(err)
	s.Require().False(isC)
}

// TestGenesisCommitters: InitGenesis rebuilds the committer index from the
// nodes, and export carries the committer in the node.
func (s *KeeperSuite) TestGenesisCommitters() {
	c := edgetestutil.AddrStr("c")
	s.Require().NoError(s.setCommitter(s.nodes[1].Operator, c))
	gs, err := s.f.Keeper.ExportGenesis(s.ctx())
	s.Require().NoError(err)

	s.f = edgetestutil.NewFixture(s.T())
	s.f.InitGenesis(s.T(), gs)
	op, found := s.committerOf("c")
	s.Require().True(found)
	s.Require().Equal(s.nodes[1].Operator, op)
	s.Require().Equal(c, s.f.Node(s.T(), s.nodes[1]).Committer)
}
