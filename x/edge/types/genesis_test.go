package types_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

func validGenesis(t *testing.T) *types.GenesisState {
	t.Helper()
	nodes := edgetestutil.NewTestNodes(t, "gv", 3)
	gs := &types.GenesisState{Authority: edgetestutil.AddrStr("authority"), Params: types.DefaultParams()}
	for _, n := range nodes {
		gs.Nodes = append(gs.Nodes, n.EdgeNode(10))
	}
	return gs
}

// bannedHex is n's consensus address as genesis lists banned keys.
func bannedHex(t *testing.T, n types.EdgeNode) string {
	t.Helper()
	pk, err := n.ConsPubKey()
	require.NoError(t, err)
	return strings.ToUpper(hex.EncodeToString(pk.Address()))
}

func TestGenesisValidate(t *testing.T) {
	ac := edgetestutil.AddressCodec()
	require.NoError(t, types.DefaultGenesis().Validate(ac))
	require.NoError(t, validGenesis(t).Validate(ac))

	cases := []struct {
		name   string
		mutate func(gs *types.GenesisState)
		err    error // wrapped in ErrInvalidGenesis unless nil
		ok     bool
	}{
		{"no authority is allowed by Validate", func(gs *types.GenesisState) { gs.Authority = "" }, nil, true},
		{"stale and jailed nodes", func(gs *types.GenesisState) {
			gs.Nodes[0].Status = types.NODE_STATUS_STALE
			gs.Nodes[1].Status, gs.Nodes[1].Power = types.NODE_STATUS_JAILED, 0
			gs.BannedConsensusAddresses = []string{bannedHex(t, gs.Nodes[1])}
		}, nil, true},
		{"jailed node whose key is not banned", func(gs *types.GenesisState) {
			gs.Nodes[1].Status, gs.Nodes[1].Power = types.NODE_STATUS_JAILED, 0
		}, nil, false},
		{"one powered node is enough", func(gs *types.GenesisState) { gs.Nodes[0].Power, gs.Nodes[1].Power = 0, 0 }, nil, true},
		{"jailed node with its banned key", func(gs *types.GenesisState) {
			gs.Nodes[1].Status, gs.Nodes[1].Power = types.NODE_STATUS_JAILED, 0
			gs.BannedConsensusAddresses = []string{bannedHex(t, gs.Nodes[1])}
		}, nil, true},
		{"active node with a banned key", func(gs *types.GenesisState) {
			gs.BannedConsensusAddresses = []string{bannedHex(t, gs.Nodes[1])}
		}, nil, false},
		{"bad authority", func(gs *types.GenesisState) { gs.Authority = "edge1bad" }, nil, false},
		{"authority with another prefix", func(gs *types.GenesisState) {
			gs.Authority = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"
		}, nil, false},
		{"bps zero", func(gs *types.GenesisState) { gs.Params.MaxPowerChangeBps = 0 }, types.ErrInvalidParams, false},
		{"bps too high", func(gs *types.GenesisState) { gs.Params.MaxPowerChangeBps = 5000 }, types.ErrInvalidParams, false},
		{"negative heartbeat timeout", func(gs *types.GenesisState) { gs.Params.HeartbeatTimeoutBlocks = -3 }, types.ErrInvalidParams, false},
		{"duplicate operator", func(gs *types.GenesisState) { gs.Nodes[2].Operator = gs.Nodes[0].Operator }, nil, false},
		{"duplicate consensus key", func(gs *types.GenesisState) { gs.Nodes[2].ConsensusPubkey = gs.Nodes[1].ConsensusPubkey }, nil, false},
		{"duplicate consensus key, separate Any", func(gs *types.GenesisState) {
			pk, err := gs.Nodes[1].ConsPubKey()
			require.NoError(t, err)
			gs.Nodes[2].ConsensusPubkey = edgetestutil.PubKeyAny(t, &ed25519.PubKey{Key: append([]byte(nil), pk.Bytes()...)})
		}, nil, false},
		{"status unspecified", func(gs *types.GenesisState) { gs.Nodes[0].Status = types.NODE_STATUS_UNSPECIFIED }, types.ErrInvalidNode, false},
		{"status out of range", func(gs *types.GenesisState) { gs.Nodes[0].Status = types.NodeStatus(42) }, types.ErrInvalidNode, false},
		{"nodes but no power", func(gs *types.GenesisState) {
			for i := range gs.Nodes {
				gs.Nodes[i].Power = 0
			}
		}, nil, false},
		{"nodes but all jailed", func(gs *types.GenesisState) {
			for i := range gs.Nodes {
				gs.Nodes[i].Status = types.NODE_STATUS_JAILED
			}
		}, nil, false},
		{"unresolved key", func(gs *types.GenesisState) {
			a := gs.Nodes[0].ConsensusPubkey
			gs.Nodes[0].ConsensusPubkey = &codectypes.Any{TypeUrl: a.TypeUrl, Value: a.Value}
		}, types.ErrInvalidPubKey, false},
		{"missing key", func(gs *types.GenesisState) { gs.Nodes[0].ConsensusPubkey = nil }, types.ErrInvalidPubKey, false},
		{"bad operator", func(gs *types.GenesisState) { gs.Nodes[1].Operator = "nope" }, types.ErrInvalidAddress, false},
		{"negative power", func(gs *types.GenesisState) { gs.Nodes[1].Power = -1 }, types.ErrInvalidPower, false},
		{"power above MaxPower", func(gs *types.GenesisState) { gs.Nodes[1].Power = types.MaxPower + 1 }, types.ErrInvalidPower, false},
		{"empty moniker", func(gs *types.GenesisState) { gs.Nodes[1].Moniker = "" }, types.ErrInvalidNode, false},
		{"bad gateway", func(gs *types.GenesisState) { gs.Nodes[1].Endpoints.Gateway = "gopher://x" }, types.ErrInvalidNode, false},
		{"committers", func(gs *types.GenesisState) {
			gs.Nodes[0].Committer, gs.Nodes[2].Committer = edgetestutil.AddrStr("c0"), edgetestutil.AddrStr("c2")
		}, nil, true},
		{"bad committer", func(gs *types.GenesisState) { gs.Nodes[1].Committer = "edge1nope" }, types.ErrInvalidCommitter, false},
		{"committer serves two nodes", func(gs *types.GenesisState) {
			gs.Nodes[0].Committer, gs.Nodes[2].Committer = edgetestutil.AddrStr("c"), edgetestutil.AddrStr("c")
		}, nil, false},
		{"committer is its own operator", func(gs *types.GenesisState) { gs.Nodes[1].Committer = gs.Nodes[1].Operator }, nil, false},
		{"committer operates another node", func(gs *types.GenesisState) { gs.Nodes[0].Committer = gs.Nodes[2].Operator }, nil, false},
		{"eth addresses unset on several nodes", func(gs *types.GenesisState) { gs.Nodes[0].EthAddress, gs.Nodes[2].EthAddress = "", "" }, nil, true},
		{"eth address in lower case", func(gs *types.GenesisState) { gs.Nodes[0].EthAddress = strings.ToLower(gs.Nodes[0].EthAddress) }, nil, true},
		{"duplicate eth address", func(gs *types.GenesisState) { gs.Nodes[2].EthAddress = gs.Nodes[0].EthAddress }, nil, false},
		{"duplicate eth address, other case", func(gs *types.GenesisState) {
			gs.Nodes[2].EthAddress = strings.ToLower(gs.Nodes[0].EthAddress)
		}, nil, false},
		{"eth address with a bad checksum", func(gs *types.GenesisState) {
			gs.Nodes[1].EthAddress = flipFirstLetter(gs.Nodes[1].EthAddress)
		}, types.ErrInvalidNode, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gs := validGenesis(t)
			tc.mutate(gs)
			err := gs.Validate(ac)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, types.ErrInvalidGenesis)
			if tc.err != nil {
				// The cause is kept in the message: Validate wraps with %v.
				require.ErrorContains(t, err, tc.err.Error())
			}
		})
	}
}

// TestGenesisJSONResolvesKeys checks the path `genesis validate` and
// InitChain take: JSON in, keys unpacked by the codec, Validate passes.
func TestGenesisJSONResolvesKeys(t *testing.T) {
	cdc, _ := edgetestutil.MakeCodec()
	gs := validGenesis(t)
	bz, err := cdc.MarshalJSON(gs)
	require.NoError(t, err)
	require.Contains(t, string(bz), "/cosmos.crypto.ed25519.PubKey")

	var back types.GenesisState
	require.NoError(t, cdc.UnmarshalJSON(bz, &back))
	require.NoError(t, back.Validate(edgetestutil.AddressCodec()))
	for i := range gs.Nodes {
		want, err := gs.Nodes[i].ConsPubKey()
		require.NoError(t, err)
		got, err := back.Nodes[i].ConsPubKey()
		require.NoError(t, err)
		require.True(t, want.Equals(got))
	}
	// Binary too.
	bin, err := cdc.Marshal(gs)
	require.NoError(t, err)
	var back2 types.GenesisState
	require.NoError(t, cdc.Unmarshal(bin, &back2))
	require.NoError(t, back2.Validate(edgetestutil.AddressCodec()))
}

func TestGenesisJSONUnknownKeyType(t *testing.T) {
	cdc, _ := edgetestutil.MakeCodec()
	gs := validGenesis(t)
	bz, err := cdc.MarshalJSON(gs)
	require.NoError(t, err)
	broken := []byte(strings.Replace(string(bz), "/cosmos.crypto.ed25519.PubKey", "/cosmos.crypto.nope.PubKey", 1))
	var back types.GenesisState
	require.Error(t, cdc.UnmarshalJSON(broken, &back))
}

func TestMsgRegisterNodeUnpacksKey(t *testing.T) {
	cdc, _ := edgetestutil.MakeCodec()
	n := edgetestutil.NewTestNode(t, "msg")
	msg := n.RegisterMsg(edgetestutil.AddrStr("authority"), 5)
	bz, err := cdc.Marshal(msg)
	require.NoError(t, err)
	var back types.MsgRegisterNode
	require.NoError(t, cdc.Unmarshal(bz, &back))
	pk, err := types.ConsPubKey(back.ConsensusPubkey)
	require.NoError(t, err)
	require.True(t, pk.Equals(n.PubKey))
}

func TestQueryResponsesUnpackKeys(t *testing.T) {
	cdc, _ := edgetestutil.MakeCodec()
	n := edgetestutil.NewTestNode(t, "q")
	one := &types.QueryNodeResponse{Node: n.EdgeNode(3)}
	bz, err := cdc.Marshal(one)
	require.NoError(t, err)
	var back types.QueryNodeResponse
	require.NoError(t, cdc.Unmarshal(bz, &back))
	_, err = back.Node.ConsPubKey()
	require.NoError(t, err)

	many := &types.QueryNodesResponse{Nodes: []types.EdgeNode{n.EdgeNode(3), edgetestutil.NewTestNode(t, "q2").EdgeNode(4)}}
	bz, err = cdc.Marshal(many)
	require.NoError(t, err)
	var backMany types.QueryNodesResponse
	require.NoError(t, cdc.Unmarshal(bz, &backMany))
	for _, node := range backMany.Nodes {
		_, err = node.ConsPubKey()
		require.NoError(t, err)
	}
}

// TestGenesisValidateCommitterMessages pins which rule refused each bad
// committer (the table above only checks that one did).
func TestGenesisValidateCommitterMessages(t *testing.T) {
	ac := edgetestutil.AddressCodec()
	for _, tc := range []struct {
		name, want string
		mutate     func(gs *types.GenesisState)
	}{
		{"serves two nodes", "already commits for", func(gs *types.GenesisState) {
			gs.Nodes[0].Committer, gs.Nodes[2].Committer = edgetestutil.AddrStr("c"), strings.ToUpper(edgetestutil.AddrStr("c"))
		}},
		{"its own operator", "operates an edge node", func(gs *types.GenesisState) { gs.Nodes[1].Committer = gs.Nodes[1].Operator }},
		{"another operator", "operates an edge node", func(gs *types.GenesisState) { gs.Nodes[0].Committer = gs.Nodes[2].Operator }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := validGenesis(t)
			tc.mutate(gs)
			err := gs.Validate(ac)
			require.ErrorIs(t, err, types.ErrInvalidGenesis)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// flipFirstLetter changes the case of the first hex letter of an address,
// which breaks a mixed-case EIP-55 checksum.
func flipFirstLetter(addr string) string {
	b := []byte(addr)
	for i := 2; i < len(b); i++ {
		switch c := b[i]; {
		case c >= 'a' && c <= 'f':
			b[i] = c - 'a' + 'A'
			return string(b)
		case c >= 'A' && c <= 'F':
			b[i] = c - 'A' + 'a'
			return string(b)
		}
	}
	return addr
}

// `genesis validate` (ValidateStartable) also needs what InitChain needs:
// the authority and a node; the step-by-step commands (Validate) do not.
func TestGenesisValidateStartable(t *testing.T) {
	ac := edgetestutil.AddressCodec()
	require.NoError(t, validGenesis(t).ValidateStartable(ac))

	gs := validGenesis(t)
	gs.Authority = ""
	require.NoError(t, gs.Validate(ac))
	err := gs.ValidateStartable(ac)
	require.ErrorIs(t, err, types.ErrInvalidGenesis)
	require.ErrorContains(t, err, "set-authority")

	gs = validGenesis(t)
	gs.Nodes = nil
	require.NoError(t, gs.Validate(ac))
	err = gs.ValidateStartable(ac)
	require.ErrorIs(t, err, types.ErrInvalidGenesis)
	require.ErrorContains(t, err, "add-edge-node")

	gs = validGenesis(t)
	gs.Nodes[0].Moniker = ""
	require.ErrorIs(t, gs.ValidateStartable(ac), types.ErrInvalidGenesis, "everything Validate checks")
}
