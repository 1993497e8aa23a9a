package keeper_test

import (
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// --- double-sign evidence in BeginBlocker ----------------------------------

func (s *KeeperSuite) TestDoubleSignJails() {
	n := s.nodes[2]
	s.setHeight(10)
	s.withEvidence(misbehavior(abci.MisbehaviorType_DUPLICATE_VOTE, n.ConsAddr, 8))
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))

	got := s.f.Node(s.T(), n)
	s.Require().Equal(types.NODE_STATUS_JAILED, got.Status)
	s.Require().Zero(got.Power)
	s.Require().False(got.IsBonded())
	s.Require().Equal(int64(300), s.f.TotalPower(s.T()))
	// Still registered and still indexed: the authority removes it later.
	owner, err := s.f.Keeper.Nodes.Indexes.ConsAddr.MatchExact(s.ctx(), n.ConsAddr)
	s.Require().NoError(err)
	s.Require().Equal(n.OpAddr, owner)
	s.requireEvents(&types.EventNodeJailed{
		Operator: n.Operator, ConsensusAddress: n.ConsAddrHex(), InfractionHeight: 8, Reason: "double_sign",
	})

	s.Require().Equal([]abci.ValidatorUpdate{update(n, 0)}, s.endBlock())
	s.Require().NotContains(s.applied(), string(n.ConsAddr))
	// Jailed is for good: no update in later blocks either.
	s.Require().Empty(s.endBlock())
	s.Require().Equal(types.NODE_STATUS_JAILED, s.f.Node(s.T(), n).Status)
}

func (s *KeeperSuite) TestLightClientAttackJails() {
	n := s.nodes[0]
	s.withEvidence(misbehavior(abci.MisbehaviorType_LIGHT_CLIENT_ATTACK, n.ConsAddr, 1))
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
	s.Require().Equal(types.NODE_STATUS_JAILED, s.f.Node(s.T(), n).Status)
	s.requireEvents(&types.EventNodeJailed{
		Operator: n.Operator, ConsensusAddress: n.ConsAddrHex(), InfractionHeight: 1, Reason: "light_client_attack",
	})
}

// Evidence the chain has nothing to do about changes nothing. (Evidence
// against a key no node holds now is not ignored: the key belonged to a
// node removed since, and is banned: TestEvidenceAfterRemovalBansKey.)
func (s *KeeperSuite) TestEvidenceIgnored() {
	cases := []struct {
		name string
		ev   []abci.Misbehavior
	}{
		{"no comet info", nil},
		{"empty evidence", []abci.Misbehavior{}},
		{"unknown misbehavior type", []abci.Misbehavior{misbehavior(abci.MisbehaviorType_UNKNOWN, s.nodes[0].ConsAddr, 1)}},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			if tc.ev == nil {
				s.f.Ctx = s.f.Ctx.WithCometInfo(nil)
			} else {
				s.withEvidence(tc.ev...)
			}
			before := s.f.StoreSnapshot(s.T())
			s.f.ResetEvents()
			s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
			s.Require().Equal(before, s.f.StoreSnapshot(s.T()))
			s.Require().Empty(s.events())
		})
	}
}

func (s *KeeperSuite) TestJailRefusesLastPoweredNode() {
	s.setup(types.DefaultParams(), 100, 0)
	last := s.nodes[0]
	s.withEvidence(misbehavior(abci.MisbehaviorType_DUPLICATE_VOTE, last.ConsAddr, 1))
	before := s.f.StoreSnapshot(s.T())
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()), "halting the chain is worse than a double-signer")
	s.Require().Equal(before, s.f.StoreSnapshot(s.T()))
	s.Require().Empty(s.events())
	got := s.f.Node(s.T(), last)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, got.Status)
	s.Require().Equal(int64(100), got.Power)
	s.Require().Empty(s.endBlock())

	// The node without power is jailed as usual.
	s.withEvidence(misbehavior(abci.MisbehaviorType_DUPLICATE_VOTE, s.nodes[1].ConsAddr, 1))
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
	s.Require().Equal(types.NODE_STATUS_JAILED, s.f.Node(s.T(), s.nodes[1]).Status)
	s.Require().Empty(s.endBlock(), "CometBFT never had it")
}

func (s *KeeperSuite) TestJailTwoOfThreeKeepsOne() {
	// Evidence against every powered node: all but the last are jailed.
	s.setup(types.DefaultParams(), 100, 100, 100)
	ev := make([]abci.Misbehavior, 0, 3)
	for _, n := range s.nodes {
		ev = append(ev, misbehavior(abci.MisbehaviorType_DUPLICATE_VOTE, n.ConsAddr, 1))
	}
	s.withEvidence(ev...)
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
	s.Require().Len(s.events(), 2)
	s.Require().Equal(int64(100), s.f.TotalPower(s.T()))
	s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), s.nodes[2]).Status)
	s.Require().Len(s.endBlock(), 2)
}

func (s *KeeperSuite) TestJailDuplicateEvidenceOnce() {
	n := s.nodes[0]
	ev := misbehavior(abci.MisbehaviorType_DUPLICATE_VOTE, n.ConsAddr, 3)
	s.withEvidence(ev, ev)
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
	s.Require().Len(s.events(), 1)
	s.Require().Len(s.endBlock(), 1)

	// Same evidence again in a later block: nothing more happens.
	s.withEvidence(ev)
	before := s.f.StoreSnapshot(s.T())
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
	s.Require().Equal(before, s.f.StoreSnapshot(s.T()))
	s.Require().Empty(s.events())
}

func (s *KeeperSuite) TestJailIgnoresCapButUsesBudget() {
	// 200 of 400 is 50%: far over the 30% cap, jailed anyway.
	s.setup(types.DefaultParams(), 100, 100, 200)
	big := s.nodes[2]
	s.jail(big)
	s.requireBlockPowerChange(400, 200)
	// The jail spent the block's budget: admin changes wait for next block.
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[0], 101) })
	s.Require().Equal([]abci.ValidatorUpdate{update(big, 0)}, s.endBlock())
	s.Require().NoError(s.setPower(s.nodes[0], 160), "cap is 60 of 200")
}

func (s *KeeperSuite) TestJailAndRemoveInOneBlock() {
	n := s.nodes[0]
	s.jail(n)
	s.Require().NoError(s.remove(n))
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 0)}, s.endBlock(), "one removal, not two")
}

func (s *KeeperSuite) TestJailAfterSetPowerInOneBlock() {
	// SetPower then jail in the same block: CometBFT gets only the removal,
	// with the key it knows.
	n := s.nodes[0]
	s.Require().NoError(s.setPower(n, 150))
	s.jail(n)
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 0)}, s.endBlock())
}

// --- staleness in EndBlocker ------------------------------------------------

func (s *KeeperSuite) setTimeout(blocks int64) {
	p := types.DefaultParams()
	p.HeartbeatTimeoutBlocks = blocks
	s.f.SetParams(s.T(), p)
}

func (s *KeeperSuite) heartbeat(i int) {
	s.T().Helper()
	_, err := s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: s.nodes[i].Operator})
	s.Require().NoError(err)
}

func (s *KeeperSuite) TestStaleAfterTimeout() {
	s.setTimeout(10)
	silent := s.nodes[0]
	s.setHeight(5)
	for i := 1; i < len(s.nodes); i++ {
		s.heartbeat(i)
	}

	// Genesis nodes joined at 0: at height 10 the window is exactly full.
	s.setHeight(10)
	s.Require().Empty(s.endBlock())
	s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), silent).Status)

	s.setHeight(11)
	_, err := s.f.Keeper.EndBlocker(s.ctx())
	s.Require().NoError(err)
	got := s.f.Node(s.T(), silent)
	s.Require().Equal(types.NODE_STATUS_STALE, got.Status)
	s.Require().Equal(int64(100), got.Power, "stale nodes keep their power")
	s.Require().True(got.IsBonded())
	s.requireEvents(&types.EventNodeStatusChanged{Operator: silent.Operator, OldStatus: types.NODE_STATUS_ACTIVE, NewStatus: types.NODE_STATUS_STALE})
	for i := 1; i < len(s.nodes); i++ {
		s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), s.nodes[i]).Status)
	}
	s.Require().Equal(int64(100), s.applied()[string(silent.ConsAddr)], "CometBFT keeps it")
	s.Require().Equal(int64(400), s.f.TotalPower(s.T()))

	// A later block does not announce it again.
	s.setHeight(12)
	_, err = s.f.Keeper.EndBlocker(s.ctx())
	s.Require().NoError(err)
	s.Require().Empty(s.events())

	// A heartbeat brings it back, and it stays back within the window.
	s.setHeight(13)
	_, err = s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: silent.Operator})
	s.Require().NoError(err)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), silent).Status)
	s.requireEvents(
		&types.EventNodeStatusChanged{Operator: silent.Operator, OldStatus: types.NODE_STATUS_STALE, NewStatus: types.NODE_STATUS_ACTIVE},
		&types.EventHeartbeat{Operator: silent.Operator},
	)
	s.setHeight(23)
	_, err = s.f.Keeper.EndBlocker(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), silent).Status)
}

func (s *KeeperSuite) TestAllStaleKeepsTheSet() {
	s.setTimeout(1)
	s.setHeight(100)
	updates, err := s.f.Keeper.EndBlocker(s.ctx())
	s.Require().NoError(err)
	s.Require().Empty(updates)
	s.Require().Len(s.events(), 4)
	for _, n := range s.nodes {
		s.Require().Equal(types.NODE_STATUS_STALE, s.f.Node(s.T(), n).Status)
	}
}

func (s *KeeperSuite) TestStaleCountsFromJoinHeight() {
	s.setTimeout(10)
	n := s.newNode("late")
	s.setHeight(50)
	s.register(n, 10)
	s.setHeight(60)
	_, err := s.f.Keeper.EndBlocker(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), n).Status)
	s.setHeight(61)
	_, err = s.f.Keeper.EndBlocker(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal(types.NODE_STATUS_STALE, s.f.Node(s.T(), n).Status)
}

func (s *KeeperSuite) TestStaleDisabled() {
	s.setHeight(1_000_000)
	before := s.f.StoreSnapshot(s.T())
	s.Require().Empty(s.endBlock())
	s.Require().Equal(before, s.f.StoreSnapshot(s.T()))
	for _, n := range s.nodes {
		s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), n).Status)
	}
}

func (s *KeeperSuite) TestJailedNodeNeverStale() {
	s.setTimeout(5)
	n := s.nodes[0]
	s.jail(n)
	s.endBlock()
	s.setHeight(100)
	_, err := s.f.Keeper.EndBlocker(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal(types.NODE_STATUS_JAILED, s.f.Node(s.T(), n).Status)
	s.Require().Len(s.events(), 3, "only the three others go stale")
}

// A key caught double-signing is banned: removing the jailed node and
// registering the same key again, under any operator, is refused; the ban
// survives export and import.
func (s *KeeperSuite) TestJailedKeyIsBanned() {
	n := s.nodes[1]
	s.setHeight(10)
	s.jail(n)
	s.endBlock()
	s.Require().NoError(s.remove(n))
	s.endBlock()

	again := n.RegisterMsg(s.f.Authority, 10)
	other := s.newNode("other-operator")
	sameKeyOtherOperator := other.RegisterMsg(s.f.Authority, 10)
	sameKeyOtherOperator.ConsensusPubkey = again.ConsensusPubkey
	for _, msg := range []*types.MsgRegisterNode{again, sameKeyOtherOperator} {
		s.requireRejected(types.ErrConsKeyBanned, func() error {
			_, err := s.f.MsgServer.RegisterNode(s.ctx(), msg)
			return err
		})
	}

	gs, err := s.f.Keeper.ExportGenesis(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal([]string{n.ConsAddrHex()}, gs.BannedConsensusAddresses)
}

// Evidence that arrives after the authority removed the misbehaving node
// still bans its key: CometBFT reports only keys of the validator set at
// the infraction height, and the README promises such a key is never
// registered again.
func (s *KeeperSuite) TestEvidenceAfterRemovalBansKey() {
	n := s.nodes[1]
	s.setHeight(10)
	s.Require().NoError(s.remove(n))
	s.endBlock()

	s.setHeight(12)
	s.withEvidence(misbehavior(abci.MisbehaviorType_DUPLICATE_VOTE, n.ConsAddr, 9))
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
	s.Require().Empty(s.endBlock(), "nothing to take out: the node is gone")
	banned, err := s.f.Keeper.BannedConsAddrs.Has(s.ctx(), n.ConsAddr)
	s.Require().NoError(err)
	s.Require().True(banned)
	s.requireRejected(types.ErrConsKeyBanned, func() error {
		_, err := s.f.MsgServer.RegisterNode(s.ctx(), n.RegisterMsg(s.f.Authority, 10))
		return err
	})
}
