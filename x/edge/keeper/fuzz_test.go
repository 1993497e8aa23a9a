package keeper_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// edgeErrors are the errors RegisterNode may return for bad input.
var edgeErrors = []error{
	types.ErrUnauthorized, types.ErrInvalidAddress, types.ErrInvalidPubKey, types.ErrInvalidPower,
	types.ErrInvalidNode, types.ErrNodeExists, types.ErrConsKeyInUse, types.ErrPowerChangeTooLarge,
	types.ErrEthAddressInUse,
}

func isEdgeError(err error) bool {
	for _, e := range edgeErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// FuzzMsgRegisterNode throws arbitrary registrations at the Msg server on a
// four-node chain. It must never panic; a rejection must be one of the
// module's registered errors and leave the store untouched; an acceptance
// must store the node and yield exactly one validator update at EndBlock.
//
//	go test -tags pebbledb -run '^$' -fuzz FuzzMsgRegisterNode ./x/edge/keeper
func FuzzMsgRegisterNode(f *testing.F) {
	fx := edgetestutil.NewFixture(f)
	nodes := edgetestutil.NewTestNodes(f, "fz", 4)
	fx.InitGenesis(f, fx.Genesis(types.DefaultParams(), nodes, 100))
	fresh := ed25519.GenPrivKey().PubKey().Bytes()

	// signer: 0 authority, 1 another account, 2 the raw operator string.
	// opKind: 0 address derived from operator, 1 an existing operator, 2 raw.
	// keyKind: 0 ed25519(key), 1 secp256k1(key), 2 nil, 3 unresolved Any, 4 an existing key.
	f.Add(uint8(0), uint8(0), "alice", uint8(0), fresh, int64(10), "m", "eu", "/ip4/1.2.3.4/tcp/1", "https://g.example", edgetestutil.ValidEthAddress, false)
	f.Add(uint8(0), uint8(0), "bob", uint8(0), fresh, int64(5000), "m", "", "", "", "", true)
	f.Add(uint8(0), uint8(0), "carol", uint8(0), fresh, int64(121), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "dave", uint8(0), fresh, types.MaxPower, "m", "", "", "", "", true)
	f.Add(uint8(0), uint8(0), "erin", uint8(0), fresh, int64(math.MinInt64), "m", "", "", "", "", true)
	f.Add(uint8(1), uint8(0), "frank", uint8(0), fresh, int64(1), "m", "", "", "", "", false)
	f.Add(uint8(2), uint8(2), "edge1xyz", uint8(0), fresh, int64(1), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(1), "", uint8(0), fresh, int64(1), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "gina", uint8(4), fresh, int64(1), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "hank", uint8(1), []byte{2, 3}, int64(1), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "ivy", uint8(2), []byte(nil), int64(1), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "jo", uint8(3), fresh, int64(1), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "kim", uint8(0), fresh[:31], int64(1), "m", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "lee", uint8(0), fresh, int64(1), "", "", "", "", "", false)
	f.Add(uint8(0), uint8(0), "max", uint8(0), fresh, int64(1), "m", "", "no-slash", "http://[::1", "0x12", false)
	f.Add(uint8(0), uint8(0), "oli", uint8(0), fresh, int64(1), "m", "", "", "", nodes[0].EthAddress, false)
	f.Add(uint8(0), uint8(0), "pat", uint8(0), fresh, int64(1), "m", "", "", "", strings.ToLower(nodes[1].EthAddress), false)
	f.Add(uint8(0), uint8(0), "quin", uint8(0), fresh, int64(1), "m", "", "", "", strings.ToLower(edgetestutil.ValidEthAddress), false)
	f.Add(uint8(0), uint8(0), "ned", uint8(0), fresh, int64(1), "m", "", "/", "https://h/%zz", "0x"+string(make([]byte, 40)), false)

	f.Fuzz(func(t *testing.T, signer, opKind uint8, operator string, keyKind uint8, key []byte, power int64,
		moniker, region, multiaddr, gateway, eth string, bootstrap bool,
	) {
		ctx, _ := fx.Ctx.CacheContext()
		params := types.DefaultParams()
		params.BootstrapMode = bootstrap
		require.NoError(t, fx.Keeper.Params.Set(ctx, params))

		msg := &types.MsgRegisterNode{
			Power: power, Moniker: moniker, Region: region, EthAddress: eth,
			Endpoints: types.Endpoints{Gateway: gateway},
		}
		if multiaddr != "" {
			msg.Endpoints.Multiaddrs = []string{multiaddr}
		}
		switch opKind % 3 {
		case 0:
			msg.Operator = edgetestutil.AddrStr("fuzz/" + operator)
		case 1:
			msg.Operator = nodes[len(operator)%len(nodes)].Operator
		default:
			msg.Operator = operator
		}
		switch signer % 3 {
		case 0:
			msg.Authority = fx.Authority
		case 1:
			msg.Authority = edgetestutil.AddrStr("not-the-authority")
		default:
			msg.Authority = operator
		}
		switch keyKind % 5 {
		case 0:
			msg.ConsensusPubkey = edgetestutil.PubKeyAny(t, &ed25519.PubKey{Key: key})
		case 1:
			msg.ConsensusPubkey = edgetestutil.PubKeyAny(t, &secp256k1.PubKey{Key: key})
		case 2:
		case 3:
			msg.ConsensusPubkey = &codectypes.Any{TypeUrl: "/cosmos.crypto.ed25519.PubKey", Value: key}
		default:
			msg.ConsensusPubkey = nodes[len(key)%len(nodes)].KeyAny
		}

		before := edgetestutil.Snapshot(ctx, fx.StoreKey)
		totalBefore, err := fx.Keeper.TotalBondedPower(ctx)
		require.NoError(t, err)

		_, err = fx.MsgServer.RegisterNode(ctx, msg)
		if err != nil {
			require.Truef(t, isEdgeError(err), "unregistered error: %v", err)
			require.Equal(t, before, edgetestutil.Snapshot(ctx, fx.StoreKey), "state changed after %v", err)
			require.Empty(t, ctx.EventManager().Events())
			return
		}

		// Accepted: the input was valid in every respect.
		require.Equal(t, fx.Authority, msg.Authority)
		require.NoError(t, types.ValidatePower(power, false))
		require.NoError(t, types.ValidateDescription(msg.Moniker, msg.Region, msg.Endpoints, msg.EthAddress))
		pk, err := types.ConsPubKey(msg.ConsensusPubkey)
		require.NoError(t, err)
		op, err := fx.AddrCodec.StringToBytes(msg.Operator)
		require.NoError(t, err)
		node, err := fx.Keeper.Nodes.Get(ctx, op)
		require.NoError(t, err)
		require.Equal(t, power, node.Power)
		require.Equal(t, types.NODE_STATUS_ACTIVE, node.Status)
		// The bridge signer is stored in EIP-55 form and is this node's alone.
		canonical, raw, err := types.ParseEthAddress(eth)
		require.NoError(t, err)
		require.Equal(t, canonical, node.EthAddress)
		if raw != nil {
			owner, err := fx.Keeper.EthSigners.Get(ctx, raw)
			require.NoError(t, err)
			require.Equal(t, sdk.AccAddress(op), owner)
			for _, other := range nodes {
				require.NotEqual(t, strings.ToLower(other.EthAddress), strings.ToLower(eth))
			}
		}
		total, err := fx.Keeper.TotalBondedPower(ctx)
		require.NoError(t, err)
		require.Equal(t, totalBefore+power, total)
		if !bootstrap {
			require.LessOrEqual(t, power*10_000, totalBefore*int64(params.MaxPowerChangeBps))
		}

		updates, err := fx.Keeper.EndBlocker(ctx)
		require.NoError(t, err)
		require.Len(t, updates, 1)
		require.Equal(t, power, updates[0].Power)
		require.Equal(t, pk.Bytes(), updates[0].PubKey.GetEd25519())
	})
}
