// Package testutil builds an x/device keeper on a real in-memory store with
// fake x/access and x/edge keepers, plus the device keys, messages and store
// snapshots the keeper and types tests share. Test support only: nothing in
// the app imports it.
package testutil

import (
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdktestutil "github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/internal/moduletest"
	"github.com/trustedge/trustedge/x/device/keeper"
	"github.com/trustedge/trustedge/x/device/types"
)

// Bech32Prefix is the account prefix the app uses.
const Bech32Prefix = moduletest.Bech32Prefix

// ChainID is the chain id of the fixture context (part of rotation sign bytes).
const ChainID = "trustedge-test"

// AddressCodec, Addr and AddrStr are the shared test addresses (see
// internal/moduletest): the same seed names the same account everywhere.
var (
	AddressCodec = moduletest.AddressCodec
	Addr         = moduletest.Addr
	AddrStr      = moduletest.AddrStr
)

// MakeCodec returns a proto codec whose registry knows the std types and
// the x/device Msgs, with signing options so GetMsgV1Signers works.
func MakeCodec() (codec.Codec, codectypes.InterfaceRegistry) {
	return moduletest.NewCodec(types.RegisterInterfaces)
}

// Fixture is an x/device keeper on an in-memory IAVL store, with fake
// access and edge keepers.
type Fixture struct {
	Ctx         sdk.Context
	StoreKey    *storetypes.KVStoreKey
	Codec       codec.Codec
	AddrCodec   address.Codec
	Keeper      keeper.Keeper
	MsgServer   types.MsgServer
	QueryServer types.QueryServer
	Access      *FakeAccess
	Edge        *FakeEdge
	// Authority is the consortium authority the fake edge keeper reports.
	Authority string
}

// NewFixture builds the keeper on an empty store; the context is at height
// 1 on chain ChainID.
func NewFixture(tb testing.TB) *Fixture {
	tb.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	tctx := sdktestutil.DefaultContextWithDB(tb, key, storetypes.NewTransientStoreKey("transient_"+types.StoreKey))
	cdc, _ := MakeCodec()
	access := NewFakeAccess()
	edge := NewFakeEdge(AddressCodec(), Addr("authority"))
	k := keeper.NewKeeper(cdc, runtime.NewKVStoreService(key), AddressCodec(), access, edge)
	return &Fixture{
		Ctx:         tctx.Ctx.WithBlockHeight(1).WithChainID(ChainID).WithEventManager(sdk.NewEventManager()),
		StoreKey:    key,
		Codec:       cdc,
		AddrCodec:   AddressCodec(),
		Keeper:      k,
		MsgServer:   keeper.NewMsgServerImpl(k),
		QueryServer: keeper.NewQueryServerImpl(k),
		Access:      access,
		Edge:        edge,
		Authority:   AddrStr("authority"),
	}
}

// AllowRegister lets owner (bech32) register device id.
func (f *Fixture) AllowRegister(owner, id string) {
	f.Access.Allow(types.AccountSubject(owner), types.ActionRegister, types.DeviceResource(id))
}

// AddNode makes seed's address an edge node operator and returns it in bech32.
func (f *Fixture) AddNode(seed string) string {
	f.Edge.AddOperator(Addr(seed))
	return AddrStr(seed)
}

// SetHeight moves the context to height h with a fresh event manager.
func (f *Fixture) SetHeight(h int64) {
	f.Ctx = f.Ctx.WithBlockHeight(h).WithEventManager(sdk.NewEventManager())
}

// ResetEvents gives the context a fresh event manager.
func (f *Fixture) ResetEvents() { f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager()) }

// TypedEvents decodes every event emitted since the last ResetEvents.
func (f *Fixture) TypedEvents(tb testing.TB) []proto.Message {
	tb.Helper()
	return moduletest.TypedEvents(tb, f.Ctx)
}

// StoreSnapshot copies every key/value of the module store.
func (f *Fixture) StoreSnapshot(tb testing.TB) map[string]string {
	tb.Helper()
	return moduletest.Snapshot(f.Ctx, f.StoreKey, "")
}

// StoreBytes sums len(key)+len(value) over the module store: the logical
// state size, indexes included.
func (f *Fixture) StoreBytes(tb testing.TB) int {
	tb.Helper()
	it := f.Ctx.KVStore(f.StoreKey).Iterator(nil, nil)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n += len(it.Key()) + len(it.Value())
	}
	return n
}

// Device reads a device or fails the test.
func (f *Fixture) Device(tb testing.TB, id string) types.Device {
	tb.Helper()
	d, err := f.Keeper.GetDevice(f.Ctx, id)
	require.NoError(tb, err)
	return d
}
