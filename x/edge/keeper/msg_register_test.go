package keeper_test

import (
	"math"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

func (s *KeeperSuite) TestRegisterNode() {
	n := s.newNode("new")
	s.setHeight(7)
	msg := n.RegisterMsg(s.f.Authority, 50)
	msg.Capacity.StorageGib = 2048
	resp, err := s.f.MsgServer.RegisterNode(s.ctx(), msg)
	s.Require().NoError(err)
	s.Require().NotNil(resp)

	got := s.f.Node(s.T(), n)
	s.Require().Equal(n.Operator, got.Operator)
	s.Require().Equal(int64(50), got.Power)
	s.Require().Equal(msg.Moniker, got.Moniker)
	s.Require().Equal(msg.Region, got.Region)
	s.Require().Equal(msg.Capacity, got.Capacity)
	s.Require().Equal(msg.Endpoints, got.Endpoints)
	s.Require().Equal(msg.EthAddress, got.EthAddress)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, got.Status)
	s.Require().Equal(int64(7), got.JoinedHeight)
	s.Require().Zero(got.LastHeartbeatHeight)
	pk, err := got.ConsPubKey()
	s.Require().NoError(err)
	s.Require().True(pk.Equals(n.PubKey), "stored key differs")

	// The consensus-address index points at the operator.
	owner, err := s.f.Keeper.Nodes.Indexes.ConsAddr.MatchExact(s.ctx(), n.ConsAddr)
	s.Require().NoError(err)
	s.Require().Equal(n.OpAddr, owner)
	isOp, err := s.f.Keeper.IsOperator(s.ctx(), n.OpAddr)
	s.Require().NoError(err)
	s.Require().True(isOp)

	// Accounting: base is the total before the change.
	s.Require().True(s.isDirty(n))
	s.requireBlockPowerChange(400, 50)
	s.Require().Equal(int64(450), s.f.TotalPower(s.T()))

	s.requireEvents(&types.EventNodeRegistered{Operator: n.Operator, ConsensusAddress: n.ConsAddrHex(), Power: 50})
}

func (s *KeeperSuite) TestRegisterNodeOptionalFieldsEmpty() {
	n := s.newNode("minimal")
	msg := n.RegisterMsg(s.f.Authority, 1)
	msg.Region, msg.EthAddress, msg.Endpoints, msg.Capacity = "", "", types.Endpoints{}, types.Capacity{}
	_, err := s.f.MsgServer.RegisterNode(s.ctx(), msg)
	s.Require().NoError(err)
	s.Require().Equal(int64(1), s.f.Node(s.T(), n).Power)
}

func (s *KeeperSuite) TestRegisterNodeRejections() {
	existing := s.nodes[0]
	secpAny := edgetestutil.PubKeyAny(s.T(), secp256k1.GenPrivKey().PubKey())
	shortAny := edgetestutil.PubKeyAny(s.T(), &ed25519.PubKey{Key: make([]byte, ed25519.PubKeySize-1)})
	longAny := edgetestutil.PubKeyAny(s.T(), &ed25519.PubKey{Key: make([]byte, ed25519.PubKeySize+1)})
	good := edgetestutil.PubKeyAny(s.T(), ed25519.GenPrivKey().PubKey())
	// An Any that was never unpacked: bytes only, no cached key.
	unresolved := &codectypes.Any{TypeUrl: good.TypeUrl, Value: good.Value}
	cosmosAddr := "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"

	cases := []struct {
		name   string
		mutate func(m *types.MsgRegisterNode)
		err    error
	}{
		{"signer is not the authority", func(m *types.MsgRegisterNode) { m.Authority = edgetestutil.AddrStr("mallory") }, types.ErrUnauthorized},
		{"signer is a node operator", func(m *types.MsgRegisterNode) { m.Authority = existing.Operator }, types.ErrUnauthorized},
		{"authority not bech32", func(m *types.MsgRegisterNode) { m.Authority = "not-an-address" }, types.ErrInvalidAddress},
		{"authority empty", func(m *types.MsgRegisterNode) { m.Authority = "" }, types.ErrInvalidAddress},
		{"operator empty", func(m *types.MsgRegisterNode) { m.Operator = "" }, types.ErrInvalidAddress},
		{"operator not bech32", func(m *types.MsgRegisterNode) { m.Operator = "edge1notanaddress" }, types.ErrInvalidAddress},
		{"operator with another prefix", func(m *types.MsgRegisterNode) { m.Operator = cosmosAddr }, types.ErrInvalidAddress},
		{"key missing", func(m *types.MsgRegisterNode) { m.ConsensusPubkey = nil }, types.ErrInvalidPubKey},
		{"key secp256k1", func(m *types.MsgRegisterNode) { m.ConsensusPubkey = secpAny }, types.ErrInvalidPubKey},
		{"key ed25519 31 bytes", func(m *types.MsgRegisterNode) { m.ConsensusPubkey = shortAny }, types.ErrInvalidPubKey},
		{"key ed25519 33 bytes", func(m *types.MsgRegisterNode) { m.ConsensusPubkey = longAny }, types.ErrInvalidPubKey},
		{"key not unpacked", func(m *types.MsgRegisterNode) { m.ConsensusPubkey = unresolved }, types.ErrInvalidPubKey},
		{"power zero", func(m *types.MsgRegisterNode) { m.Power = 0 }, types.ErrInvalidPower},
		{"power negative", func(m *types.MsgRegisterNode) { m.Power = -5 }, types.ErrInvalidPower},
		{"power min int64", func(m *types.MsgRegisterNode) { m.Power = math.MinInt64 }, types.ErrInvalidPower},
		{"power above MaxPower", func(m *types.MsgRegisterNode) { m.Power = types.MaxPower + 1 }, types.ErrInvalidPower},
		{"power max int64", func(m *types.MsgRegisterNode) { m.Power = math.MaxInt64 }, types.ErrInvalidPower},
		{"moniker empty", func(m *types.MsgRegisterNode) { m.Moniker = "" }, types.ErrInvalidNode},
		{"moniker too long", func(m *types.MsgRegisterNode) { m.Moniker = strings.Repeat("m", types.MaxMonikerLen+1) }, types.ErrInvalidNode},
		{"region too long", func(m *types.MsgRegisterNode) { m.Region = strings.Repeat("r", types.MaxRegionLen+1) }, types.ErrInvalidNode},
		{"multiaddr without slash", func(m *types.MsgRegisterNode) { m.Endpoints.Multiaddrs = []string{"ip4/1.2.3.4/tcp/1"} }, types.ErrInvalidNode},
		{"multiaddr empty", func(m *types.MsgRegisterNode) { m.Endpoints.Multiaddrs = []string{""} }, types.ErrInvalidNode},
		{"multiaddr too long", func(m *types.MsgRegisterNode) {
			m.Endpoints.Multiaddrs = []string{"/" + strings.Repeat("a", types.MaxMultiaddrLen)}
		}, types.ErrInvalidNode},
		{"too many multiaddrs", func(m *types.MsgRegisterNode) {
			m.Endpoints.Multiaddrs = make([]string, types.MaxMultiaddrs+1)
			for i := range m.Endpoints.Multiaddrs {
				m.Endpoints.Multiaddrs[i] = "/ip4/10.0.0.1/tcp/1"
			}
		}, types.ErrInvalidNode},
		{"peer id with slash", func(m *types.MsgRegisterNode) { m.Endpoints.PeerId = "12D3/Koo" }, types.ErrInvalidNode},
		{"peer id too long", func(m *types.MsgRegisterNode) { m.Endpoints.PeerId = strings.Repeat("p", types.MaxPeerIDLen+1) }, types.ErrInvalidNode},
		{"gateway ftp", func(m *types.MsgRegisterNode) { m.Endpoints.Gateway = "ftp://edge.example.com" }, types.ErrInvalidNode},
		{"gateway without host", func(m *types.MsgRegisterNode) { m.Endpoints.Gateway = "https://" }, types.ErrInvalidNode},
		{"gateway not a url", func(m *types.MsgRegisterNode) { m.Endpoints.Gateway = "edge.example.com:8080" }, types.ErrInvalidNode},
		{"gateway too long", func(m *types.MsgRegisterNode) {
			m.Endpoints.Gateway = "https://e.com/" + strings.Repeat("x", types.MaxGatewayURLLen)
		}, types.ErrInvalidNode},
		{"eth address short", func(m *types.MsgRegisterNode) { m.EthAddress = "0x1234" }, types.ErrInvalidNode},
		{"eth address without 0x", func(m *types.MsgRegisterNode) { m.EthAddress = "ab" + edgetestutil.ValidEthAddress[2:] }, types.ErrInvalidNode},
		{"eth address not hex", func(m *types.MsgRegisterNode) { m.EthAddress = "0x" + strings.Repeat("g", 40) }, types.ErrInvalidNode},
		{"operator already registered", func(m *types.MsgRegisterNode) { m.Operator = existing.Operator }, types.ErrNodeExists},
		{"consensus key of another node", func(m *types.MsgRegisterNode) { m.ConsensusPubkey = existing.KeyAny }, types.ErrConsKeyInUse},
		{"power above the per-block cap", func(m *types.MsgRegisterNode) { m.Power = 121 }, types.ErrPowerChangeTooLarge},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			msg := s.newNode("candidate").RegisterMsg(s.f.Authority, 10)
			tc.mutate(msg)
			s.requireRejected(tc.err, func() error {
				_, err := s.f.MsgServer.RegisterNode(s.ctx(), msg)
				return err
			})
		})
	}
	// None of the rejected candidates left anything behind.
	s.Require().Equal(int64(400), s.f.TotalPower(s.T()))
	_, _, ok := s.blockPowerChange()
	s.Require().False(ok)
}

func (s *KeeperSuite) TestRegisterNodeConsKeyReusedAfterRemoval() {
	// A removed node's key is free again (there is no tombstone).
	s.setBootstrap(true)
	old := s.nodes[0]
	s.Require().NoError(s.remove(old))
	n := s.newNode("reuse")
	n.KeyAny, n.PubKey, n.ConsAddr = old.KeyAny, old.PubKey, old.ConsAddr
	s.register(n, 100)
	s.Require().Equal(types.NODE_STATUS_ACTIVE, s.f.Node(s.T(), n).Status)
	// Same key, same power, same block: CometBFT needs no update at all.
	s.Require().Empty(s.endBlock())
}

func (s *KeeperSuite) TestRegisterNodeCapAndBootstrap() {
	big := s.newNode("big")
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error {
		_, err := s.f.MsgServer.RegisterNode(s.ctx(), big.RegisterMsg(s.f.Authority, 1000))
		return err
	})

	s.setBootstrap(true)
	s.register(big, 1000)
	s.Require().Equal(int64(1400), s.f.TotalPower(s.T()))
	// Bootstrap lifts the cap, not the accounting.
	s.requireBlockPowerChange(400, 1000)
	s.Require().Equal([]abci.ValidatorUpdate{update(big, 1000)}, s.endBlock())
}

func (s *KeeperSuite) TestRegisterNodeFirstNodeNeedsBootstrap() {
	// A genesis without nodes (valid) has a base of 0, so no change fits
	// under the cap: only bootstrap_mode lets power in.
	s.setup(types.DefaultParams())
	n := s.newNode("first")
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error {
		_, err := s.f.MsgServer.RegisterNode(s.ctx(), n.RegisterMsg(s.f.Authority, 1))
		return err
	})
	s.setBootstrap(true)
	s.register(n, 1)
}

func (s *KeeperSuite) TestRegisterNodeAtMaxPower() {
	s.setBootstrap(true)
	n := s.newNode("max")
	s.register(n, types.MaxPower)
	s.Require().Equal(types.MaxPower, s.f.Node(s.T(), n).Power)
	s.Require().Equal([]abci.ValidatorUpdate{update(n, types.MaxPower)}, s.endBlock())
}

// An operator spelled in upper case (bech32 is case-insensitive) is stored
// and reported canonically, by RegisterNode and by InitGenesis: other
// modules and the data plane compare operator addresses as strings.
func (s *KeeperSuite) TestOperatorStoredCanonical() {
	n := s.newNode("loud")
	msg := n.RegisterMsg(s.f.Authority, 10)
	msg.Operator = strings.ToUpper(msg.Operator)
	s.f.ResetEvents()
	_, err := s.f.MsgServer.RegisterNode(s.ctx(), msg)
	s.Require().NoError(err)
	s.Require().Equal(n.Operator, s.f.Node(s.T(), n).Operator)
	ev := s.events()
	s.Require().Equal(n.Operator, ev[len(ev)-1].(*types.EventNodeRegistered).Operator)

	gs, err := s.f.Keeper.ExportGenesis(s.ctx())
	s.Require().NoError(err)
	for i := range gs.Nodes {
		gs.Nodes[i].Operator = strings.ToUpper(gs.Nodes[i].Operator)
	}
	s.f = edgetestutil.NewFixture(s.T())
	s.f.InitGenesis(s.T(), gs)
	for _, node := range append(s.nodes, n) {
		s.Require().Equal(node.Operator, s.f.Node(s.T(), node).Operator)
	}
}
