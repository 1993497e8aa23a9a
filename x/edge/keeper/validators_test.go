package keeper_test

import (
	"bytes"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// consAddrOfUpdate is the CometBFT address of the update's key.
func consAddrOfUpdate(u abci.ValidatorUpdate) []byte {
	return (&ed25519.PubKey{Key: u.PubKey.GetEd25519()}).Address()
}

// applied returns what the keeper believes CometBFT has (Validators map).
func (s *KeeperSuite) applied() map[string]int64 {
	out := map[string]int64{}
	s.Require().NoError(s.f.Keeper.Validators.Walk(s.ctx(), nil, func(addr []byte, u abci.ValidatorUpdate) (bool, error) {
		s.Require().Equal(addr, consAddrOfUpdate(u), "Validators key must be the update's address")
		out[string(addr)] = u.Power
		return false, nil
	}))
	return out
}

func (s *KeeperSuite) TestInitGenesisReturnsInitialSet() {
	s.Require().Len(s.genesisUpdates, 4)
	want := make([]abci.ValidatorUpdate, 0, 4)
	for _, n := range s.nodes {
		want = append(want, update(n, 100))
	}
	slices.SortFunc(want, func(a, b abci.ValidatorUpdate) int { return bytes.Compare(consAddrOfUpdate(a), consAddrOfUpdate(b)) })
	s.Require().Equal(want, s.genesisUpdates)
	s.Require().Len(s.applied(), 4)
	s.Require().Empty(s.dirty())
	_, _, ok := s.blockPowerChange()
	s.Require().False(ok)
	// The first block has nothing more to say.
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestInitGenesisSkipsUnbondedNodes() {
	f := edgetestutil.NewFixture(s.T())
	nodes := edgetestutil.NewTestNodes(s.T(), "g", 3)
	gs := f.Genesis(types.DefaultParams(), nodes, 10)
	gs.Nodes[1].Power = 0
	gs.Nodes[2].Status = types.NODE_STATUS_JAILED
	gs.BannedConsensusAddresses = []string{nodes[2].ConsAddrHex()}
	updates := f.InitGenesis(s.T(), gs)
	s.Require().Equal([]abci.ValidatorUpdate{update(nodes[0], 10)}, updates)
}

func (s *KeeperSuite) TestRegisterUpdate() {
	n := s.newNode("n")
	s.register(n, 42)
	updates := s.endBlock()
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 42)}, updates)
	s.Require().Equal(int64(42), s.applied()[string(n.ConsAddr)])
	s.Require().Empty(s.dirty())
	_, _, ok := s.blockPowerChange()
	s.Require().False(ok)
	// Nothing changed since: no repeat.
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestSetPowerUpdate() {
	n := s.nodes[2]
	s.Require().NoError(s.setPower(n, 150))
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 150)}, s.endBlock())
	s.Require().Equal(int64(150), s.applied()[string(n.ConsAddr)])
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestRemoveUpdateUsesOldKey() {
	n := s.nodes[1]
	s.Require().NoError(s.remove(n))
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 0)}, s.endBlock())
	_, tracked := s.applied()[string(n.ConsAddr)]
	s.Require().False(tracked)
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestRegisterAndRemoveInOneBlock() {
	n := s.newNode("blink")
	s.register(n, 50)
	s.Require().NoError(s.remove(n))
	s.requireBlockPowerChange(400, 100)
	s.Require().Empty(s.endBlock(), "CometBFT never saw the node: no update")
	s.Require().NotContains(s.applied(), string(n.ConsAddr))
}

func (s *KeeperSuite) TestChangeAndRevertInOneBlock() {
	n := s.nodes[0]
	s.Require().NoError(s.setPower(n, 110))
	s.Require().NoError(s.setPower(n, 100))
	s.Require().True(s.isDirty(n))
	s.Require().Empty(s.endBlock(), "net change is zero")
}

func (s *KeeperSuite) TestEmptyBlocksHaveNoUpdates() {
	for range 3 {
		s.Require().Empty(s.endBlock())
	}
}

func (s *KeeperSuite) TestUpdatesAreSorted() {
	s.setBootstrap(true)
	fresh := edgetestutil.NewTestNodes(s.T(), "batch", 12)
	for i, n := range fresh {
		s.register(n, int64(10+i))
	}
	s.Require().NoError(s.setPower(s.nodes[0], 7))
	s.Require().NoError(s.remove(s.nodes[1]))
	updates := s.endBlock()
	s.Require().Len(updates, 14)

	want := []abci.ValidatorUpdate{update(s.nodes[0], 7), update(s.nodes[1], 0)}
	for i, n := range fresh {
		want = append(want, update(n, int64(10+i)))
	}
	slices.SortFunc(want, func(a, b abci.ValidatorUpdate) int { return bytes.Compare(consAddrOfUpdate(a), consAddrOfUpdate(b)) })
	s.Require().Equal(want, updates)
	for i := 1; i < len(updates); i++ {
		s.Require().Negative(bytes.Compare(consAddrOfUpdate(updates[i-1]), consAddrOfUpdate(updates[i])), "not strictly sorted at %d", i)
	}
}

func (s *KeeperSuite) TestApplyValidatorUpdatesDirectly() {
	// ApplyValidatorUpdates is EndBlocker minus staleness.
	n := s.nodes[0]
	s.Require().NoError(s.setPower(n, 99))
	updates, err := s.f.Keeper.ApplyValidatorUpdates(s.ctx())
	s.Require().NoError(err)
	s.Require().Equal([]abci.ValidatorUpdate{update(n, 99)}, updates)
	updates, err = s.f.Keeper.ApplyValidatorUpdates(s.ctx())
	s.Require().NoError(err)
	s.Require().Empty(updates)
}

// TestUpdatesTrackCometSet drives a few blocks of mixed changes and replays
// the updates the way CometBFT applies them. CometBFT's set must always equal
// the nodes the keeper considers bonded, and no update may remove a
// validator CometBFT does not have.
func (s *KeeperSuite) TestUpdatesTrackCometSet() {
	comet := map[string]int64{}
	apply := func(updates []abci.ValidatorUpdate) {
		seen := map[string]bool{}
		for _, u := range updates {
			addr := string(consAddrOfUpdate(u))
			s.Require().False(seen[addr], "duplicate update in one block")
			seen[addr] = true
			s.Require().GreaterOrEqual(u.Power, int64(0))
			if u.Power == 0 {
				s.Require().Contains(comet, addr, "removal of a validator CometBFT does not have")
				delete(comet, addr)
			} else {
				comet[addr] = u.Power
			}
		}
	}
	check := func() {
		want := map[string]int64{}
		s.Require().NoError(s.f.Keeper.Nodes.Walk(s.ctx(), nil, func(_ sdk.AccAddress, n types.EdgeNode) (bool, error) {
			if n.IsBonded() {
				pk, err := n.ConsPubKey()
				s.Require().NoError(err)
				want[string(pk.Address())] = n.Power
			}
			return false, nil
		}))
		s.Require().Equal(want, comet)
		s.Require().Equal(want, s.applied())
	}
	apply(s.genesisUpdates)
	check()

	extra := edgetestutil.NewTestNodes(s.T(), "x", 3)
	// Each step stays under the 30% cap of its block's base.
	steps := []func(){
		func() { s.register(extra[0], 30); s.Require().NoError(s.setPower(s.nodes[0], 80)) }, // 400 → 410
		func() { s.jail(s.nodes[1]) }, // → 310
		func() {
			s.Require().NoError(s.remove(s.nodes[1])) // jailed: no power change
			s.Require().NoError(s.remove(extra[0]))
			s.register(extra[1], 20)
		}, // → 300
		func() { s.Require().NoError(s.setPower(s.nodes[0], 0)); s.Require().NoError(s.setPower(extra[1], 30)) }, // → 230
		func() {
			s.Require().NoError(s.setPower(s.nodes[0], 50))
			s.register(extra[2], 5)
			s.Require().NoError(s.remove(extra[2]))
		}, // → 280
		func() { s.jail(extra[1]) }, // → 250
		func() {},
	}
	for i, step := range steps {
		step()
		apply(s.endBlock())
		check()
		s.Require().NotEmpty(comet, "step %d emptied the set", i)
	}
}
