package keeper_test

import (
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// --- RemoveNode ------------------------------------------------------------

func (s *KeeperSuite) TestRemoveNode() {
	n := s.nodes[0]
	_, err := s.f.MsgServer.RemoveNode(s.ctx(), &types.MsgRemoveNode{Authority: s.f.Authority, Operator: n.Operator})
	s.Require().NoError(err)

	_, err = s.f.Keeper.GetNode(s.ctx(), n.OpAddr)
	s.Require().ErrorIs(err, types.ErrNodeNotFound)
	isOp, err := s.f.Keeper.IsOperator(s.ctx(), n.OpAddr)
	s.Require().NoError(err)
	s.Require().False(isOp)
	_, err = s.f.Keeper.Nodes.Indexes.ConsAddr.MatchExact(s.ctx(), n.ConsAddr)
	s.Require().Error(err, "index entry must go with the node")
	s.Require().True(s.isDirty(n))
	s.requireBlockPowerChange(400, 100)
	s.Require().Equal(int64(300), s.f.TotalPower(s.T()))
	s.requireEvents(&types.EventNodeRemoved{Operator: n.Operator, ConsensusAddress: n.ConsAddrHex()})
}

func (s *KeeperSuite) TestRemoveNodeRejections() {
	cases := []struct {
		name string
		msg  *types.MsgRemoveNode
		err  error
	}{
		{"not the authority", &types.MsgRemoveNode{Authority: s.nodes[1].Operator, Operator: s.nodes[0].Operator}, types.ErrUnauthorized},
		{"bad operator", &types.MsgRemoveNode{Authority: s.f.Authority, Operator: "edge1bad"}, types.ErrInvalidAddress},
		{"unknown operator", &types.MsgRemoveNode{Authority: s.f.Authority, Operator: edgetestutil.AddrStr("nobody")}, types.ErrNodeNotFound},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.err, func() error {
				_, err := s.f.MsgServer.RemoveNode(s.ctx(), tc.msg)
				return err
			})
		})
	}
}

func (s *KeeperSuite) TestRemoveNodeCap() {
	// 100 of 400 fits under the 120 cap, a second 100 does not.
	s.Require().NoError(s.remove(s.nodes[0]))
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.remove(s.nodes[1]) })
	s.endBlock()
	// Next block the base is 300 and the cap 90: removing a 100 node is too much.
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.remove(s.nodes[1]) })
	// Lower it first, over two blocks, then remove it.
	s.Require().NoError(s.setPower(s.nodes[1], 10))
	s.endBlock()
	s.Require().NoError(s.remove(s.nodes[1]))
}

func (s *KeeperSuite) TestRemoveNodeWouldEmptyTheSet() {
	// One powered node (and one with power 0). Bootstrap is on so the cap is
	// not what stops it.
	s.setup(types.Params{MaxPowerChangeBps: 3000, BootstrapMode: true}, 10, 0)
	s.requireRejected(types.ErrEmptyValidatorSet, func() error { return s.remove(s.nodes[0]) })
	// The unpowered node can go: no power changes.
	s.Require().NoError(s.remove(s.nodes[1]))
	_, _, ok := s.blockPowerChange()
	s.Require().False(ok, "removing a node without power is not a power change")
	s.Require().Empty(s.endBlock())

	// Without bootstrap the empty-set rule still wins over the cap.
	s.setup(types.DefaultParams(), 10)
	s.requireRejected(types.ErrEmptyValidatorSet, func() error { return s.remove(s.nodes[0]) })
}

func (s *KeeperSuite) TestRemoveJailedNode() {
	n := s.nodes[0]
	s.jail(n)
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 0)}, s.endBlock())

	s.Require().NoError(s.remove(n))
	_, _, ok := s.blockPowerChange()
	s.Require().False(ok, "a jailed node has no power left to change")
	// CometBFT already dropped it: no second removal.
	s.Require().Empty(s.endBlock())
}

// --- SetPower --------------------------------------------------------------

func (s *KeeperSuite) TestSetPower() {
	n := s.nodes[0]
	_, err := s.f.MsgServer.SetPower(s.ctx(), &types.MsgSetPower{Authority: s.f.Authority, Operator: n.Operator, Power: 120})
	s.Require().NoError(err)
	got := s.f.Node(s.T(), n)
	s.Require().Equal(int64(120), got.Power)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, got.Status)
	s.Require().True(s.isDirty(n))
	s.requireBlockPowerChange(400, 20)
	s.requireEvents(&types.EventPowerChanged{Operator: n.Operator, OldPower: 100, NewPower: 120})
}

func (s *KeeperSuite) TestSetPowerToZero() {
	n := s.nodes[0]
	s.Require().NoError(s.setPower(n, 0))
	got := s.f.Node(s.T(), n)
	s.Require().Zero(got.Power)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, got.Status, "power 0 is not jailing")
	s.Require().False(got.IsBonded())
	s.Require().Equal(int64(300), s.f.TotalPower(s.T()))
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 0)}, s.endBlock())

	// And back.
	s.Require().NoError(s.setPower(n, 50))
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 50)}, s.endBlock())
}

func (s *KeeperSuite) TestSetPowerUnchanged() {
	n := s.nodes[0]
	before := s.f.Node(s.T(), n)
	s.Require().NoError(s.setPower(n, 100))
	s.Require().Equal(before, s.f.Node(s.T(), n))
	s.Require().False(s.isDirty(n))
	_, _, ok := s.blockPowerChange()
	s.Require().False(ok)
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestSetPowerRejections() {
	jailed := s.nodes[3]
	s.jail(jailed)
	s.endBlock()

	cases := []struct {
		name string
		msg  *types.MsgSetPower
		err  error
	}{
		{"not the authority", &types.MsgSetPower{Authority: s.nodes[0].Operator, Operator: s.nodes[0].Operator, Power: 101}, types.ErrUnauthorized},
		{"bad operator", &types.MsgSetPower{Authority: s.f.Authority, Operator: "x", Power: 101}, types.ErrInvalidAddress},
		{"negative power", &types.MsgSetPower{Authority: s.f.Authority, Operator: s.nodes[0].Operator, Power: -1}, types.ErrInvalidPower},
		{"power above MaxPower", &types.MsgSetPower{Authority: s.f.Authority, Operator: s.nodes[0].Operator, Power: types.MaxPower + 1}, types.ErrInvalidPower},
		{"unknown node", &types.MsgSetPower{Authority: s.f.Authority, Operator: edgetestutil.AddrStr("ghost"), Power: 1}, types.ErrNodeNotFound},
		{"jailed node", &types.MsgSetPower{Authority: s.f.Authority, Operator: jailed.Operator, Power: 10}, types.ErrNodeJailed},
		// Total is 300 now: cap 90.
		{"over the cap", &types.MsgSetPower{Authority: s.f.Authority, Operator: s.nodes[0].Operator, Power: 191}, types.ErrPowerChangeTooLarge},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.err, func() error {
				_, err := s.f.MsgServer.SetPower(s.ctx(), tc.msg)
				return err
			})
		})
	}
	s.Require().NoError(s.setPower(s.nodes[0], 190), "exactly at the cap")
}

func (s *KeeperSuite) TestSetPowerLastNodeToZero() {
	s.setup(types.Params{MaxPowerChangeBps: 3000, BootstrapMode: true}, 10, 0)
	s.requireRejected(types.ErrEmptyValidatorSet, func() error { return s.setPower(s.nodes[0], 0) })
	// Once another node has power it is fine.
	s.Require().NoError(s.setPower(s.nodes[1], 5))
	s.Require().NoError(s.setPower(s.nodes[0], 0))
	s.Require().Equal(int64(5), s.f.TotalPower(s.T()))
}

// --- UpdateNode ------------------------------------------------------------

func (s *KeeperSuite) TestUpdateNode() {
	n, other := s.nodes[0], s.nodes[1]
	s.Require().NoError(s.setPower(n, 90))
	s.endBlock()
	before := s.f.Node(s.T(), n)
	otherBefore := s.f.Node(s.T(), other)

	msg := &types.MsgUpdateNode{
		Operator:   n.Operator,
		Moniker:    "renamed",
		Region:     "ap-south",
		Capacity:   types.Capacity{CpuMillicores: 1, MemoryMib: 2, BandwidthKbps: 3, StorageGib: 4},
		Endpoints:  types.Endpoints{Multiaddrs: []string{"/ip6/::1/tcp/4001"}},
		EthAddress: "",
	}
	_, err := s.f.MsgServer.UpdateNode(s.ctx(), msg)
	s.Require().NoError(err)

	want := before
	want.Moniker, want.Region, want.Capacity, want.Endpoints, want.EthAddress = msg.Moniker, msg.Region, msg.Capacity, msg.Endpoints, msg.EthAddress
	got := s.f.Node(s.T(), n)
	s.Require().Equal(want.Moniker, got.Moniker)
	s.Require().Equal(want.Region, got.Region)
	s.Require().Equal(want.Capacity, got.Capacity)
	s.Require().Equal(want.Endpoints, got.Endpoints)
	s.Require().Empty(got.EthAddress)
	// Consensus fields are not the operator's to change.
	s.Require().Equal(before.Power, got.Power)
	s.Require().Equal(before.Status, got.Status)
	s.Require().Equal(before.JoinedHeight, got.JoinedHeight)
	s.Require().Equal(before.ConsensusPubkey.Value, got.ConsensusPubkey.Value)
	// Only the operator's own node changes.
	s.Require().Equal(otherBefore, s.f.Node(s.T(), other))
	s.Require().False(s.isDirty(n))
	s.requireEvents(&types.EventNodeUpdated{Operator: n.Operator})
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestUpdateNodeSignerIsOperator() {
	// The operator field is the Msg signer, so only the operator can send it.
	for _, msg := range []proto.Message{
		&types.MsgUpdateNode{Operator: s.nodes[0].Operator, Moniker: "x"},
		&types.MsgHeartbeat{Sender: s.nodes[0].Operator},
	} {
		signers, _, err := s.f.Codec.GetMsgV1Signers(msg)
		s.Require().NoError(err)
		s.Require().Equal([][]byte{s.nodes[0].OpAddr}, signers)
	}
}

func (s *KeeperSuite) TestUpdateNodeRejections() {
	valid := func() *types.MsgUpdateNode {
		return &types.MsgUpdateNode{Operator: s.nodes[0].Operator, Moniker: "ok", Endpoints: edgetestutil.ValidEndpoints()}
	}
	cases := []struct {
		name   string
		mutate func(m *types.MsgUpdateNode)
		err    error
	}{
		{"bad operator", func(m *types.MsgUpdateNode) { m.Operator = "edge1" }, types.ErrInvalidAddress},
		{"unknown node", func(m *types.MsgUpdateNode) { m.Operator = edgetestutil.AddrStr("stranger") }, types.ErrNodeNotFound},
		{"empty moniker", func(m *types.MsgUpdateNode) { m.Moniker = "" }, types.ErrInvalidNode},
		{"long region", func(m *types.MsgUpdateNode) { m.Region = strings.Repeat("r", 65) }, types.ErrInvalidNode},
		{"bad multiaddr", func(m *types.MsgUpdateNode) { m.Endpoints.Multiaddrs = []string{"tcp"} }, types.ErrInvalidNode},
		{"bad gateway", func(m *types.MsgUpdateNode) { m.Endpoints.Gateway = "mailto:a@b" }, types.ErrInvalidNode},
		{"bad eth address", func(m *types.MsgUpdateNode) { m.EthAddress = "0xZZ" }, types.ErrInvalidNode},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			msg := valid()
			tc.mutate(msg)
			s.requireRejected(tc.err, func() error {
				_, err := s.f.MsgServer.UpdateNode(s.ctx(), msg)
				return err
			})
		})
	}
}

// --- Heartbeat -------------------------------------------------------------

func (s *KeeperSuite) TestHeartbeat() {
	n := s.nodes[0]
	s.setHeight(9)
	load := types.Load{CpuMillicores: 1500, MemoryMib: 512, BandwidthKbps: 800, StorageGib: 3, ActiveTasks: 7}
	_, err := s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: n.Operator, Load: load})
	s.Require().NoError(err)
	got := s.f.Node(s.T(), n)
	s.Require().Equal(load, got.LastLoad)
	s.Require().Equal(int64(9), got.LastHeartbeatHeight)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, got.Status)
	s.Require().Equal(int64(100), got.Power)
	s.requireEvents(&types.EventHeartbeat{Operator: n.Operator, Load: load})
	s.Require().Empty(s.endBlock(), "heartbeats never touch the validator set")
}

func (s *KeeperSuite) TestHeartbeatRevivesStaleNode() {
	n := s.nodes[0]
	node := s.f.Node(s.T(), n)
	node.Status = types.NODE_STATUS_STALE
	s.Require().NoError(s.f.Keeper.Nodes.Set(s.ctx(), n.OpAddr, node))

	s.setHeight(20)
	_, err := s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: n.Operator})
	s.Require().NoError(err)
	got := s.f.Node(s.T(), n)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, got.Status)
	s.Require().Equal(int64(20), got.LastHeartbeatHeight)
	s.requireEvents(
		&types.EventNodeStatusChanged{Operator: n.Operator, OldStatus: types.NODE_STATUS_STALE, NewStatus: types.NODE_STATUS_ACTIVE},
		&types.EventHeartbeat{Operator: n.Operator},
	)
}

func (s *KeeperSuite) TestHeartbeatDoesNotUnjail() {
	n := s.nodes[0]
	s.jail(n)
	s.f.ResetEvents()
	_, err := s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: n.Operator})
	s.Require().NoError(err)
	got := s.f.Node(s.T(), n)
	s.Require().Equal(types.NODE_STATUS_JAILED, got.Status)
	s.Require().Zero(got.Power)
	s.requireEvents(&types.EventHeartbeat{Operator: n.Operator})
}

func (s *KeeperSuite) TestHeartbeatRejections() {
	s.requireRejected(types.ErrInvalidAddress, func() error {
		_, err := s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: ""})
		return err
	})
	s.requireRejected(types.ErrNodeNotFound, func() error {
		_, err := s.f.MsgServer.Heartbeat(s.ctx(), &types.MsgHeartbeat{Sender: s.f.Authority})
		return err
	})
}

// --- UpdateParams ----------------------------------------------------------

func (s *KeeperSuite) TestUpdateParams() {
	p := types.Params{MaxPowerChangeBps: 1000, BootstrapMode: false, HeartbeatTimeoutBlocks: 50}
	_, err := s.f.MsgServer.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.f.Authority, Params: p})
	s.Require().NoError(err)
	s.requireEvents(&types.EventParamsUpdated{Params: p})
	// In force from the end of the block: until then the old ones hold.
	got, err := s.f.Keeper.Params.Get(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal(types.DefaultParams(), got)
	s.endBlock()
	got, err = s.f.Keeper.Params.Get(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal(p, got)
	has, err := s.f.Keeper.PendingParams.Has(s.ctx())
	s.Require().NoError(err)
	s.Require().False(has)

	// The new cap applies from the next block: 10% of 400 = 40.
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[0], 141) })
	s.Require().NoError(s.setPower(s.nodes[0], 140))
}

// One admin tx cannot hand the chain over: lifting the cap, changing the
// set and restoring the cap in one block (one tx) fails, because the
// block's power changes are judged under the params it started with.
func (s *KeeperSuite) TestCapNotLiftedWithinABlock() {
	bootstrap := types.DefaultParams()
	bootstrap.BootstrapMode = true
	_, err := s.f.MsgServer.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.f.Authority, Params: bootstrap})
	s.Require().NoError(err)
	takeover := s.newNode("takeover")
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error {
		_, err := s.f.MsgServer.RegisterNode(s.ctx(), takeover.RegisterMsg(s.f.Authority, 10_000))
		return err
	})
	s.endBlock()
	// From the next block bootstrap mode is on, as the authority asked.
	s.register(takeover, 10_000)
}

func (s *KeeperSuite) TestUpdateParamsRejections() {
	cases := []struct {
		name string
		msg  *types.MsgUpdateParams
		err  error
	}{
		{"not the authority", &types.MsgUpdateParams{Authority: s.nodes[0].Operator, Params: types.DefaultParams()}, types.ErrUnauthorized},
		{"bad authority", &types.MsgUpdateParams{Authority: "edge", Params: types.DefaultParams()}, types.ErrInvalidAddress},
		{"bps zero", &types.MsgUpdateParams{Authority: s.f.Authority, Params: types.Params{MaxPowerChangeBps: 0}}, types.ErrInvalidParams},
		{"bps above 1/3", &types.MsgUpdateParams{Authority: s.f.Authority, Params: types.Params{MaxPowerChangeBps: types.MaxPowerChangeBpsLimit + 1}}, types.ErrInvalidParams},
		{"negative timeout", &types.MsgUpdateParams{Authority: s.f.Authority, Params: types.Params{MaxPowerChangeBps: 100, HeartbeatTimeoutBlocks: -1}}, types.ErrInvalidParams},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.requireRejected(tc.err, func() error {
				_, err := s.f.MsgServer.UpdateParams(s.ctx(), tc.msg)
				return err
			})
		})
	}
}

// --- UpdateAuthority -------------------------------------------------------

func (s *KeeperSuite) TestUpdateAuthority() {
	old, next := s.f.Authority, edgetestutil.AddrStr("new-authority")
	_, err := s.f.MsgServer.UpdateAuthority(s.ctx(), &types.MsgUpdateAuthority{Authority: old, NewAuthority: next})
	s.Require().NoError(err)
	s.requireEvents(&types.EventAuthorityChanged{OldAuthority: old, NewAuthority: next})

	ok, err := s.f.Keeper.IsAuthority(s.ctx(), next)
	s.Require().NoError(err)
	s.Require().True(ok)
	ok, err = s.f.Keeper.IsAuthority(s.ctx(), old)
	s.Require().NoError(err)
	s.Require().False(ok)

	// The old authority has lost every right…
	n := s.newNode("after-handover")
	s.requireRejected(types.ErrUnauthorized, func() error {
		_, err := s.f.MsgServer.RegisterNode(s.ctx(), n.RegisterMsg(old, 10))
		return err
	})
	s.requireRejected(types.ErrUnauthorized, func() error {
		_, err := s.f.MsgServer.UpdateAuthority(s.ctx(), &types.MsgUpdateAuthority{Authority: old, NewAuthority: old})
		return err
	})
	// …and the new one has them.
	_, err = s.f.MsgServer.RegisterNode(s.ctx(), n.RegisterMsg(next, 10))
	s.Require().NoError(err)
}

func (s *KeeperSuite) TestUpdateAuthorityRejections() {
	s.requireRejected(types.ErrUnauthorized, func() error {
		_, err := s.f.MsgServer.UpdateAuthority(s.ctx(), &types.MsgUpdateAuthority{Authority: s.nodes[0].Operator, NewAuthority: s.nodes[0].Operator})
		return err
	})
	s.requireRejected(types.ErrInvalidAddress, func() error {
		_, err := s.f.MsgServer.UpdateAuthority(s.ctx(), &types.MsgUpdateAuthority{Authority: s.f.Authority, NewAuthority: "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"})
		return err
	})
	s.requireRejected(types.ErrInvalidAddress, func() error {
		_, err := s.f.MsgServer.UpdateAuthority(s.ctx(), &types.MsgUpdateAuthority{Authority: s.f.Authority, NewAuthority: ""})
		return err
	})
}

func (s *KeeperSuite) TestAuthorityMsgSigners() {
	auth := edgetestutil.Addr("authority")
	for _, msg := range []proto.Message{
		s.newNode("x").RegisterMsg(s.f.Authority, 1),
		&types.MsgRemoveNode{Authority: s.f.Authority, Operator: s.nodes[0].Operator},
		&types.MsgSetPower{Authority: s.f.Authority, Operator: s.nodes[0].Operator},
		&types.MsgUpdateParams{Authority: s.f.Authority},
		&types.MsgUpdateAuthority{Authority: s.f.Authority, NewAuthority: s.nodes[0].Operator},
	} {
		signers, _, err := s.f.Codec.GetMsgV1Signers(msg)
		s.Require().NoError(err)
		s.Require().Equal([][]byte{auth}, signers, "%T", msg)
	}
}
