package keeper_test

import (
	"strings"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// ethOwner returns the operator the Ethereum-signer index names for addr.
func (s *KeeperSuite) ethOwner(addr string) (string, bool) {
	_, raw, err := types.ParseEthAddress(addr)
	s.Require().NoError(err)
	owner, err := s.f.Keeper.EthSigners.Get(s.ctx(), raw)
	if err != nil {
		return "", false
	}
	str, err := s.f.AddrCodec.BytesToString(owner)
	s.Require().NoError(err)
	return str, true
}

func (s *KeeperSuite) TestEthSignerIndexFromGenesis() {
	for _, n := range s.nodes {
		owner, ok := s.ethOwner(n.EthAddress)
		s.Require().True(ok, "genesis node %s not indexed", n.Seed)
		s.Require().Equal(n.Operator, owner)
	}
}

// A bridge signer names one node: a second node may not claim it under any
// spelling, on registration or update; the first node freeing it (by
// update or removal) lets another take it.
func (s *KeeperSuite) TestEthAddressNamesOneNode() {
	taken := s.nodes[0].EthAddress
	for _, spelling := range []string{taken, strings.ToLower(taken), "0x" + strings.ToUpper(taken[2:])} {
		n := s.newNode("claims-" + spelling)
		msg := n.RegisterMsg(s.f.Authority, 1)
		msg.EthAddress = spelling
		s.requireRejected(types.ErrEthAddressInUse, func() error {
			_, err := s.f.MsgServer.RegisterNode(s.ctx(), msg)
			return err
		})
		update := &types.MsgUpdateNode{Operator: s.nodes[1].Operator, Moniker: "m", EthAddress: spelling}
		s.requireRejected(types.ErrEthAddressInUse, func() error {
			_, err := s.f.MsgServer.UpdateNode(s.ctx(), update)
			return err
		})
	}

	// Re-sending its own address (in another spelling) is no conflict.
	_, err := s.f.MsgServer.UpdateNode(s.ctx(), &types.MsgUpdateNode{Operator: s.nodes[0].Operator, Moniker: "m", EthAddress: strings.ToLower(taken)})
	s.Require().NoError(err)
	s.Require().Equal(taken, s.f.Node(s.T(), s.nodes[0]).EthAddress, "stored in EIP-55 form")

	// Node 0 moves to a new address: the old one is free, the new one is its.
	moved := edgetestutil.EthAddress("moved")
	_, err = s.f.MsgServer.UpdateNode(s.ctx(), &types.MsgUpdateNode{Operator: s.nodes[0].Operator, Moniker: "m", EthAddress: moved})
	s.Require().NoError(err)
	_, ok := s.ethOwner(taken)
	s.Require().False(ok, "old address still indexed")
	owner, ok := s.ethOwner(moved)
	s.Require().True(ok)
	s.Require().Equal(s.nodes[0].Operator, owner)
	_, err = s.f.MsgServer.UpdateNode(s.ctx(), &types.MsgUpdateNode{Operator: s.nodes[1].Operator, Moniker: "m", EthAddress: taken})
	s.Require().NoError(err)
	owner, _ = s.ethOwner(taken)
	s.Require().Equal(s.nodes[1].Operator, owner)

	// Clearing an address frees it too.
	_, err = s.f.MsgServer.UpdateNode(s.ctx(), &types.MsgUpdateNode{Operator: s.nodes[0].Operator, Moniker: "m"})
	s.Require().NoError(err)
	_, ok = s.ethOwner(moved)
	s.Require().False(ok)

	// Removal frees the removed node's address.
	s.Require().NoError(s.remove(s.nodes[1]))
	_, ok = s.ethOwner(taken)
	s.Require().False(ok)
	s.endBlock()
	n := s.newNode("after-removal")
	msg := n.RegisterMsg(s.f.Authority, 1)
	msg.EthAddress = taken
	_, err = s.f.MsgServer.RegisterNode(s.ctx(), msg)
	s.Require().NoError(err)
	owner, _ = s.ethOwner(taken)
	s.Require().Equal(n.Operator, owner)
}

func (s *KeeperSuite) TestEthAddressStoredInEIP55Form() {
	n := s.newNode("lower")
	msg := n.RegisterMsg(s.f.Authority, 1)
	msg.EthAddress = strings.ToLower(n.EthAddress)
	_, err := s.f.MsgServer.RegisterNode(s.ctx(), msg)
	s.Require().NoError(err)
	s.Require().Equal(n.EthAddress, s.f.Node(s.T(), n).EthAddress)
	s.Require().NotEqual(msg.EthAddress, n.EthAddress, "test needs a mixed-case checksum")
}

// A mixed-case address that fails its checksum is a typo, refused with the
// address it probably meant.
func (s *KeeperSuite) TestEthAddressBadChecksum() {
	good := s.newNode("typo").EthAddress
	bad := []byte(good)
	for i := 2; i < len(bad); i++ {
		if c := bad[i]; c >= 'a' && c <= 'f' {
			bad[i] = c - 'a' + 'A'
			break
		}
	}
	n := s.newNode("typo")
	msg := n.RegisterMsg(s.f.Authority, 1)
	msg.EthAddress = string(bad)
	var err error
	s.requireRejected(types.ErrInvalidNode, func() error {
		_, err = s.f.MsgServer.RegisterNode(s.ctx(), msg)
		return err
	})
	s.Require().ErrorContains(err, "EIP-55")
	s.Require().ErrorContains(err, good)
}

// A node stored without an index entry (before the index existed) that
// shares an address with an indexed node does not take that node's entry
// with it when it changes or drops its address.
func (s *KeeperSuite) TestEthSignerRemovalLeavesOthersEntry() {
	a, b := s.nodes[0], s.nodes[1]
	// b holds a's address, unindexed, as an older binary could have stored it.
	nb := s.f.Node(s.T(), b)
	_, bRaw, err := types.ParseEthAddress(nb.EthAddress)
	s.Require().NoError(err)
	s.Require().NoError(s.f.Keeper.EthSigners.Remove(s.ctx(), bRaw))
	nb.EthAddress = a.EthAddress
	s.Require().NoError(s.f.Keeper.Nodes.Set(s.ctx(), b.OpAddr, nb))

	_, err = s.f.MsgServer.UpdateNode(s.ctx(), &types.MsgUpdateNode{Operator: b.Operator, Moniker: "m"})
	s.Require().NoError(err)
	owner, ok := s.ethOwner(a.EthAddress)
	s.Require().True(ok, "a's entry was removed by b's update")
	s.Require().Equal(a.Operator, owner)
}
