// Package testutil builds an x/edge keeper on a real in-memory store, plus
// the nodes, messages and store snapshots the keeper and types tests share.
// It is test support only: nothing in the app imports it.
package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdktestutil "github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/internal/moduletest"
	"github.com/trustedge/trustedge/x/edge/keeper"
	"github.com/trustedge/trustedge/x/edge/types"
)

// Bech32Prefix is the account prefix the app uses.
const Bech32Prefix = moduletest.Bech32Prefix

// AddressCodec, Addr and AddrStr are the shared test addresses (see
// internal/moduletest): the same seed names the same account everywhere.
var (
	AddressCodec = moduletest.AddressCodec
	Addr         = moduletest.Addr
	AddrStr      = moduletest.AddrStr
)

// MakeCodec returns a proto codec whose registry knows the std crypto keys
// and the x/edge Msgs, with signing options so GetMsgV1Signers works.
func MakeCodec() (codec.Codec, codectypes.InterfaceRegistry) {
	return moduletest.NewCodec(types.RegisterInterfaces)
}

// PubKeyAny wraps a public key in an Any (with its cached value set).
func PubKeyAny(tb testing.TB, pk cryptotypes.PubKey) *codectypes.Any {
	tb.Helper()
	a, err := codectypes.NewAnyWithValue(pk)
	require.NoError(tb, err)
	return a
}

// TestNode is an operator account with a fresh ed25519 consensus key.
type TestNode struct {
	Seed     string
	Operator string
	OpAddr   sdk.AccAddress
	PrivKey  *ed25519.PrivKey
	PubKey   cryptotypes.PubKey
	KeyAny   *codectypes.Any
	ConsAddr []byte
	// EthAddress is the node's bridge signer, EIP-55, distinct per seed.
	EthAddress string
}

// NewTestNode makes an operator from seed and a random consensus key.
func NewTestNode(tb testing.TB, seed string) TestNode {
	tb.Helper()
	priv := ed25519.GenPrivKey()
	pk := priv.PubKey()
	return TestNode{
		Seed:       seed,
		Operator:   AddrStr(seed),
		OpAddr:     Addr(seed),
		PrivKey:    priv,
		PubKey:     pk,
		KeyAny:     PubKeyAny(tb, pk),
		ConsAddr:   pk.Address(),
		EthAddress: EthAddress(seed),
	}
}

// EthAddress is a well-formed Ethereum address (EIP-55) derived from seed.
func EthAddress(seed string) string {
	sum := sha256.Sum256([]byte("eth/" + seed))
	return types.EthChecksum(sum[:types.EthAddressLen])
}

// ConsAddrHex is the consensus address as events and queries show it.
func (n TestNode) ConsAddrHex() string {
	return strings.ToUpper(hex.EncodeToString(n.ConsAddr))
}

// ValidEndpoints is a well-formed set of endpoints.
func ValidEndpoints() types.Endpoints {
	return types.Endpoints{
		PeerId:     "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo",
		Multiaddrs: []string{"/ip4/10.0.0.1/tcp/4001", "/dns4/edge.example.com/udp/4001/quic-v1"},
		Gateway:    "https://edge.example.com/ingest",
	}
}

// ValidCapacity is a plausible capacity.
func ValidCapacity() types.Capacity {
	return types.Capacity{CpuMillicores: 8000, MemoryMib: 16384, BandwidthKbps: 1_000_000, StorageGib: 512}
}

// ValidEthAddress is a well-formed 0x address.
const ValidEthAddress = "0x52908400098527886E0F7030069857D2E4169EE7"

// RegisterMsg is a valid MsgRegisterNode for this node.
func (n TestNode) RegisterMsg(authority string, power int64) *types.MsgRegisterNode {
	return &types.MsgRegisterNode{
		Authority:       authority,
		Operator:        n.Operator,
		ConsensusPubkey: n.KeyAny,
		Power:           power,
		Moniker:         "node-" + n.Seed,
		Region:          "eu-west",
		Capacity:        ValidCapacity(),
		Endpoints:       ValidEndpoints(),
		EthAddress:      n.EthAddress,
	}
}

// EdgeNode is a valid stored (genesis) record for this node.
func (n TestNode) EdgeNode(power int64) types.EdgeNode {
	return types.EdgeNode{
		Operator:        n.Operator,
		ConsensusPubkey: n.KeyAny,
		Power:           power,
		Moniker:         "node-" + n.Seed,
		Region:          "eu-west",
		Capacity:        ValidCapacity(),
		Endpoints:       ValidEndpoints(),
		EthAddress:      n.EthAddress,
		Status:          types.NODE_STATUS_ACTIVE,
	}
}

// Fixture is an x/edge keeper on an in-memory IAVL store.
type Fixture struct {
	Ctx         sdk.Context
	StoreKey    *storetypes.KVStoreKey
	Codec       codec.Codec
	Registry    codectypes.InterfaceRegistry
	AddrCodec   address.Codec
	Keeper      keeper.Keeper
	MsgServer   types.MsgServer
	QueryServer types.QueryServer
	// Authority is the consortium authority InitGenesis sets by default.
	Authority string
}

// NewFixture builds the keeper; the store is empty until InitGenesis.
// The context is at height 1.
func NewFixture(tb testing.TB) *Fixture {
	tb.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	tctx := sdktestutil.DefaultContextWithDB(tb, key, storetypes.NewTransientStoreKey("transient_"+types.StoreKey))
	cdc, registry := MakeCodec()
	k := keeper.NewKeeper(cdc, runtime.NewKVStoreService(key), AddressCodec())
	return &Fixture{
		Ctx:         tctx.Ctx.WithBlockHeight(1).WithEventManager(sdk.NewEventManager()),
		StoreKey:    key,
		Codec:       cdc,
		Registry:    registry,
		AddrCodec:   AddressCodec(),
		Keeper:      k,
		MsgServer:   keeper.NewMsgServerImpl(k),
		QueryServer: keeper.NewQueryServerImpl(k),
		Authority:   AddrStr("authority"),
	}
}

// Genesis is a genesis state with the fixture's authority, the given params
// and one ACTIVE node of the given power per node.
func (f *Fixture) Genesis(params types.Params, nodes []TestNode, power int64) *types.GenesisState {
	gs := &types.GenesisState{Authority: f.Authority, Params: params}
	for _, n := range nodes {
		gs.Nodes = append(gs.Nodes, n.EdgeNode(power))
	}
	return gs
}

// InitGenesis runs InitGenesis and requires it to succeed.
func (f *Fixture) InitGenesis(tb testing.TB, gs *types.GenesisState) []abci.ValidatorUpdate {
	tb.Helper()
	updates, err := f.Keeper.InitGenesis(f.Ctx, gs)
	require.NoError(tb, err)
	return updates
}

// NewTestNodes makes n nodes with seeds prefix0, prefix1, ….
func NewTestNodes(tb testing.TB, prefix string, n int) []TestNode {
	tb.Helper()
	out := make([]TestNode, n)
	for i := range out {
		out[i] = NewTestNode(tb, fmt.Sprintf("%s%04d", prefix, i))
	}
	return out
}

// ResetEvents gives the context a fresh event manager.
func (f *Fixture) ResetEvents() { f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager()) }

// TypedEvents decodes every event emitted on the context since the last
// ResetEvents.
func (f *Fixture) TypedEvents(tb testing.TB) []proto.Message {
	tb.Helper()
	return moduletest.TypedEvents(tb, f.Ctx)
}

// StoreSnapshot copies every key/value of the module store.
func (f *Fixture) StoreSnapshot(tb testing.TB) map[string]string {
	tb.Helper()
	return Snapshot(f.Ctx, f.StoreKey)
}

// Snapshot copies every key/value of the store under key, as seen by ctx
// (which may be a cache context).
func Snapshot(ctx sdk.Context, key storetypes.StoreKey) map[string]string {
	return moduletest.Snapshot(ctx, key, "")
}

// EndBlock runs EndBlocker at the current height, then moves to the next
// height with a fresh event manager. It returns the validator updates.
func (f *Fixture) EndBlock(tb testing.TB) []abci.ValidatorUpdate {
	tb.Helper()
	updates, err := f.Keeper.EndBlocker(f.Ctx)
	require.NoError(tb, err)
	f.Ctx = f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + 1).WithEventManager(sdk.NewEventManager())
	return updates
}

// SetParams overwrites the module params directly.
func (f *Fixture) SetParams(tb testing.TB, p types.Params) {
	tb.Helper()
	require.NoError(tb, f.Keeper.Params.Set(f.Ctx, p))
}

// Node reads a node or fails the test.
func (f *Fixture) Node(tb testing.TB, n TestNode) types.EdgeNode {
	tb.Helper()
	node, err := f.Keeper.GetNode(f.Ctx, n.OpAddr)
	require.NoError(tb, err)
	return node
}

// TotalPower is the keeper's bonded power.
func (f *Fixture) TotalPower(tb testing.TB) int64 {
	tb.Helper()
	total, err := f.Keeper.TotalBondedPower(f.Ctx)
	require.NoError(tb, err)
	return total
}
