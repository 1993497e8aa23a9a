package keeper_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdktestutil "github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/keeper"
	"github.com/trustedge/trustedge/x/access/types"
)

// t0 is the block time every fixture starts at.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeEdge is the x/edge side: one authority address.
type fakeEdge struct {
	ac        address.Codec
	authority []byte
}

func (e fakeEdge) IsAuthority(_ context.Context, addr string) (bool, error) {
	bz, err := e.ac.StringToBytes(addr)
	if err != nil {
		return false, err
	}
	return bytes.Equal(bz, e.authority), nil
}

type fixture struct {
	tb  testing.TB
	key *storetypes.KVStoreKey
	cms storetypes.CommitMultiStore
	ctx sdk.Context
	ac  address.Codec
	cdc codec.Codec
	k   keeper.Keeper
	msg types.MsgServer
	q   types.QueryServer
	// authority is the consortium authority (bech32 "edge1…").
	authority string
}

// newFixture is a keeper on a real IAVL store, after InitGenesis with the
// default genesis (as the app runs it), at height 10 and time t0.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := newBareFixture(tb)
	require.NoError(tb, f.k.InitGenesis(f.ctx, types.DefaultGenesis()))
	return f
}

// newBareFixture is newFixture before InitGenesis: an empty store.
func newBareFixture(tb testing.TB) *fixture {
	tb.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	tctx := sdktestutil.DefaultContextWithDB(tb, key, storetypes.NewTransientStoreKey("transient_access"))
	reg := codectypes.NewInterfaceRegistry()
	types.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)
	ac := addresscodec.NewBech32Codec("edge")
	f := &fixture{tb: tb, key: key, cms: tctx.CMS, ac: ac, cdc: cdc}
	authBz := addrBytes("authority")
	f.authority = f.addr("authority")
	f.k = keeper.NewKeeper(cdc, runtime.NewKVStoreService(key), ac, fakeEdge{ac: ac, authority: authBz})
	f.msg = keeper.NewMsgServerImpl(f.k)
	f.q = keeper.NewQueryServerImpl(f.k)
	f.ctx = tctx.Ctx.WithBlockTime(t0).WithBlockHeight(10).WithEventManager(sdk.NewEventManager())
	return f
}

func addrBytes(seed string) sdk.AccAddress {
	h := sha256.Sum256([]byte(seed))
	return sdk.AccAddress(h[:20])
}

// addr is the edge1… address derived from seed, through the codec.
func (f *fixture) addr(seed string) string {
	s, err := f.ac.BytesToString(addrBytes(seed))
	require.NoError(f.tb, err)
	return s
}

// acct is the canonical account subject of seed's address.
func (f *fixture) acct(seed string) string { return types.AccountSubject(f.addr(seed)) }

// commit commits the store and continues on a cache of it, as a block
// does: reads then come from the committed tree through a cache.
func (f *fixture) commit() {
	f.cms.Commit()
	f.ctx = f.ctx.WithMultiStore(f.cms.CacheMultiStore())
}

// resetEvents starts a fresh event manager.
func (f *fixture) resetEvents() { f.ctx = f.ctx.WithEventManager(sdk.NewEventManager()) }

// at moves to block time t (and the next height) with fresh events.
func (f *fixture) at(t time.Time) {
	f.ctx = f.ctx.WithBlockTime(t).WithBlockHeight(f.ctx.BlockHeight() + 1)
	f.resetEvents()
}

// --- msg helpers -----------------------------------------------------------

func (f *fixture) createRole(sender, name string, actions ...string) error {
	_, err := f.msg.CreateRole(f.ctx, &types.MsgCreateRole{Sender: sender, Name: name, Actions: actions})
	return err
}

func (f *fixture) mustCreateRole(sender, name string, actions ...string) {
	f.tb.Helper()
	require.NoError(f.tb, f.createRole(sender, name, actions...))
}

func (f *fixture) addMember(sender, role, member string) error {
	_, err := f.msg.AddRoleMember(f.ctx, &types.MsgAddRoleMember{Sender: sender, Role: role, Member: member})
	return err
}

func (f *fixture) mustAddMember(role, member string) {
	f.tb.Helper()
	require.NoError(f.tb, f.addMember(f.authority, role, member))
}

func (f *fixture) grant(granter, subject, resource string, exp *time.Time, actions ...string) (uint64, error) {
	res, err := f.msg.Grant(f.ctx, &types.MsgGrant{
		Granter: granter, Subject: subject, Resource: resource, Actions: actions, ExpiresAt: exp,
	})
	if err != nil {
		return 0, err
	}
	return res.GrantId, nil
}

// mustGrant grants as the authority.
func (f *fixture) mustGrant(subject, resource string, exp *time.Time, actions ...string) uint64 {
	f.tb.Helper()
	id, err := f.grant(f.authority, subject, resource, exp, actions...)
	require.NoError(f.tb, err)
	return id
}

func (f *fixture) setAdmin(ns, admin string, enabled bool) error {
	_, err := f.msg.SetNamespaceAdmin(f.ctx, &types.MsgSetNamespaceAdmin{
		Authority: f.authority, Namespace: ns, Admin: admin, Enabled: enabled,
	})
	return err
}

func (f *fixture) mustSetAdmin(ns, admin string) {
	f.tb.Helper()
	require.NoError(f.tb, f.setAdmin(ns, admin, true))
}

// --- state helpers ---------------------------------------------------------

// dump is every key/value of the module store.
func (f *fixture) dump() map[string]string {
	out := map[string]string{}
	it := f.ctx.KVStore(f.key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out[string(it.Key())] = string(it.Value())
	}
	return out
}

// rejects runs call and requires it to fail with want, leaving the store
// and the events as they were.
func (f *fixture) rejects(t *testing.T, want error, call func() error) {
	t.Helper()
	f.resetEvents()
	before := f.dump()
	err := call()
	require.ErrorIs(t, err, want)
	require.Empty(t, f.ctx.EventManager().Events(), "no events on rejection")
	require.Equal(t, before, f.dump(), "state unchanged on rejection")
}

func (f *fixture) bySubject(subject string) []uint64 {
	it, err := f.k.Grants.Indexes.BySubject.MatchExact(f.ctx, subject)
	require.NoError(f.tb, err)
	ids, err := it.PrimaryKeys()
	require.NoError(f.tb, err)
	return ids
}

func (f *fixture) byResource(pattern string) []uint64 {
	it, err := f.k.Grants.Indexes.ByResource.MatchExact(f.ctx, pattern)
	require.NoError(f.tb, err)
	ids, err := it.PrimaryKeys()
	require.NoError(f.tb, err)
	return ids
}

func (f *fixture) expiryQueue() []collections.Pair[time.Time, uint64] {
	it, err := f.k.ExpiryQueue.Iterate(f.ctx, nil)
	require.NoError(f.tb, err)
	keys, err := it.Keys()
	require.NoError(f.tb, err)
	return keys
}

func (f *fixture) grantIDs() []uint64 {
	it, err := f.k.Grants.Iterate(f.ctx, nil)
	require.NoError(f.tb, err)
	ids, err := it.Keys()
	require.NoError(f.tb, err)
	return ids
}

// membersOf lists (role, member) and checks the reverse set agrees.
func (f *fixture) membersOf(role string) []string {
	var out []string
	require.NoError(f.tb, f.k.RoleMembers.Walk(f.ctx, collections.NewPrefixedPairRange[string, string](role),
		func(k collections.Pair[string, string]) (bool, error) {
			out = append(out, k.K2())
			has, err := f.k.MemberRoles.Has(f.ctx, collections.Join(k.K2(), role))
			require.True(f.tb, has, "reverse entry of %v", k)
			return false, err
		}))
	return out
}

func (f *fixture) rolesOfMember(member string) []string {
	var out []string
	require.NoError(f.tb, f.k.MemberRoles.Walk(f.ctx, collections.NewPrefixedPairRange[string, string](member),
		func(k collections.Pair[string, string]) (bool, error) {
			out = append(out, k.K2())
			return false, nil
		}))
	return out
}

// --- event helpers ---------------------------------------------------------

// events returns the typed events of type T emitted since the last reset,
// parsed back from their attributes.
func eventsOf[T proto.Message](f *fixture) []T {
	var out []T
	var zero T
	name := proto.MessageName(zero)
	for _, ev := range f.ctx.EventManager().Events().ToABCIEvents() {
		if ev.Type != name {
			continue
		}
		msg, err := sdk.ParseTypedEvent(ev)
		require.NoError(f.tb, err)
		out = append(out, msg.(T))
	}
	return out
}

// onlyEvent requires exactly one event, of type T, and returns it with its
// raw attributes.
func onlyEvent[T proto.Message](f *fixture) (T, map[string]string) {
	f.tb.Helper()
	evs := f.ctx.EventManager().Events().ToABCIEvents()
	require.Len(f.tb, evs, 1, "events: %v", evs)
	var zero T
	require.Equal(f.tb, "trustedge.access.v1."+eventName(zero), evs[0].Type)
	got := eventsOf[T](f)
	return got[0], attrs(evs[0])
}

func eventName(m proto.Message) string {
	name := proto.MessageName(m)
	return name[len("trustedge.access.v1."):]
}

func attrs(ev abci.Event) map[string]string {
	out := map[string]string{}
	for _, a := range ev.Attributes {
		out[a.Key] = a.Value
	}
	return out
}

func ptime(t time.Time) *time.Time { return &t }
