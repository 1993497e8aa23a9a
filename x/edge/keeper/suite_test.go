package keeper_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtprotocrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/suite"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// KeeperSuite runs every keeper test on a fresh store. By default the chain
// starts with four ACTIVE genesis nodes of power 100 (total 400) and the
// default params, so the per-block cap is 30% of 400 = 120.
type KeeperSuite struct {
	suite.Suite

	f     *edgetestutil.Fixture
	nodes []edgetestutil.TestNode
	// genesisUpdates is what InitGenesis returned.
	genesisUpdates []abci.ValidatorUpdate
}

func TestKeeperSuite(t *testing.T) { suite.Run(t, new(KeeperSuite)) }

func (s *KeeperSuite) SetupTest() { s.setup(types.DefaultParams(), 100, 100, 100, 100) }

// setup starts a fresh chain with one genesis node per power.
func (s *KeeperSuite) setup(params types.Params, powers ...int64) {
	s.f = edgetestutil.NewFixture(s.T())
	s.nodes = edgetestutil.NewTestNodes(s.T(), "genesis", len(powers))
	gs := &types.GenesisState{Authority: s.f.Authority, Params: params}
	for i, n := range s.nodes {
		gs.Nodes = append(gs.Nodes, n.EdgeNode(powers[i]))
	}
	s.genesisUpdates = s.f.InitGenesis(s.T(), gs)
	// Genesis runs at height 0; the first block is height 1.
	s.f.Ctx = s.f.Ctx.WithBlockHeight(1)
	s.f.ResetEvents()
}

// --- helpers -------------------------------------------------------------

// ctx is the current block context.
func (s *KeeperSuite) ctx() sdk.Context { return s.f.Ctx }

// setHeight moves the context to height h with a fresh event manager.
func (s *KeeperSuite) setHeight(h int64) {
	s.f.Ctx = s.f.Ctx.WithBlockHeight(h).WithEventManager(sdk.NewEventManager())
}

// newNode makes a node that is not registered yet.
func (s *KeeperSuite) newNode(seed string) edgetestutil.TestNode {
	return edgetestutil.NewTestNode(s.T(), seed)
}

// register registers n with power as the authority and requires success.
func (s *KeeperSuite) register(n edgetestutil.TestNode, power int64) {
	s.T().Helper()
	_, err := s.f.MsgServer.RegisterNode(s.ctx(), n.RegisterMsg(s.f.Authority, power))
	s.Require().NoError(err)
}

func (s *KeeperSuite) setPower(n edgetestutil.TestNode, power int64) error {
	_, err := s.f.MsgServer.SetPower(s.ctx(), &types.MsgSetPower{Authority: s.f.Authority, Operator: n.Operator, Power: power})
	return err
}

func (s *KeeperSuite) remove(n edgetestutil.TestNode) error {
	_, err := s.f.MsgServer.RemoveNode(s.ctx(), &types.MsgRemoveNode{Authority: s.f.Authority, Operator: n.Operator})
	return err
}

// setBootstrap turns bootstrap_mode on or off, keeping the other params.
func (s *KeeperSuite) setBootstrap(on bool) {
	p, err := s.f.Keeper.Params.Get(s.ctx())
	s.Require().NoError(err)
	p.BootstrapMode = on
	s.f.SetParams(s.T(), p)
}

// requireRejected runs call and requires it to fail with target, leave the
// module store byte-for-byte unchanged and emit no event.
func (s *KeeperSuite) requireRejected(target error, call func() error) {
	s.T().Helper()
	before := s.f.StoreSnapshot(s.T())
	s.f.ResetEvents()
	err := call()
	s.Require().ErrorIs(err, target)
	s.Require().Equal(before, s.f.StoreSnapshot(s.T()), "state changed after a rejected call")
	s.Require().Empty(s.f.Ctx.EventManager().Events(), "events emitted by a rejected call")
}

// events returns the typed events emitted since the last reset.
func (s *KeeperSuite) events() []proto.Message { return s.f.TypedEvents(s.T()) }

// requireEvents requires exactly these typed events, in order, then resets.
func (s *KeeperSuite) requireEvents(want ...proto.Message) {
	s.T().Helper()
	got := s.events()
	s.Require().Len(got, len(want), "events: %v", got)
	for i := range want {
		s.Require().Truef(proto.Equal(want[i], got[i]), "event %d:\nwant %v\n got %v", i, want[i], got[i])
	}
	s.f.ResetEvents()
}

// blockPowerChange returns this block's (base, changed) accounting.
func (s *KeeperSuite) blockPowerChange() (base, changed int64, ok bool) {
	acc, err := s.f.Keeper.BlockPowerChange.Get(s.ctx())
	if err != nil {
		return 0, 0, false
	}
	return acc.K1(), acc.K2(), true
}

func (s *KeeperSuite) requireBlockPowerChange(base, changed int64) {
	s.T().Helper()
	b, c, ok := s.blockPowerChange()
	s.Require().True(ok, "no power change recorded in this block")
	s.Require().Equal(base, b, "base")
	s.Require().Equal(changed, c, "changed")
}

func (s *KeeperSuite) isDirty(n edgetestutil.TestNode) bool {
	has, err := s.f.Keeper.Dirty.Has(s.ctx(), n.ConsAddr)
	s.Require().NoError(err)
	return has
}

// dirty lists the consensus addresses touched in this block.
func (s *KeeperSuite) dirty() [][]byte {
	var out [][]byte
	s.Require().NoError(s.f.Keeper.Dirty.Walk(s.ctx(), nil, func(a []byte) (bool, error) {
		out = append(out, a)
		return false, nil
	}))
	return out
}

// cmtKey is the CometBFT form of n's consensus key.
func cmtKey(n edgetestutil.TestNode) cmtprotocrypto.PublicKey {
	return cmtprotocrypto.PublicKey{Sum: &cmtprotocrypto.PublicKey_Ed25519{Ed25519: n.PubKey.Bytes()}}
}

func update(n edgetestutil.TestNode, power int64) abci.ValidatorUpdate {
	return abci.ValidatorUpdate{PubKey: cmtKey(n), Power: power}
}

// withEvidence puts the misbehaviour in the context's CometBFT block info.
func (s *KeeperSuite) withEvidence(evidence ...abci.Misbehavior) {
	s.f.Ctx = s.f.Ctx.WithCometInfo(baseapp.NewBlockInfo(evidence, nil, nil, abci.CommitInfo{}))
}

func misbehavior(kind abci.MisbehaviorType, consAddr []byte, height int64) abci.Misbehavior {
	return abci.Misbehavior{
		Type:             kind,
		Validator:        abci.Validator{Address: consAddr, Power: 100},
		Height:           height,
		TotalVotingPower: 400,
	}
}

// jail convicts n of double-signing in BeginBlock and requires it worked.
func (s *KeeperSuite) jail(n edgetestutil.TestNode) {
	s.T().Helper()
	s.withEvidence(misbehavior(abci.MisbehaviorType_DUPLICATE_VOTE, n.ConsAddr, s.ctx().BlockHeight()-1))
	s.Require().NoError(s.f.Keeper.BeginBlocker(s.ctx()))
	s.f.Ctx = s.f.Ctx.WithCometInfo(nil)
	s.Require().Equal(types.NODE_STATUS_JAILED, s.f.Node(s.T(), n).Status)
}

// endBlock runs EndBlocker and moves to the next height.
func (s *KeeperSuite) endBlock() []abci.ValidatorUpdate { return s.f.EndBlock(s.T()) }
