// Package testutil builds an x/stream keeper together with the real x/edge,
// x/access and x/device keepers on one multistore, plus the streams,
// commitments and store snapshots the keeper tests share. Test support only:
// nothing in the app imports it.
package testutil

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/core/address"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/internal/moduletest"
	"github.com/trustedge/trustedge/node/appdb"
	accesskeeper "github.com/trustedge/trustedge/x/access/keeper"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devicekeeper "github.com/trustedge/trustedge/x/device/keeper"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	edgekeeper "github.com/trustedge/trustedge/x/edge/keeper"
	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	"github.com/trustedge/trustedge/x/stream/keeper"
	"github.com/trustedge/trustedge/x/stream/types"
)

// Bech32Prefix is the account prefix the app uses.
const Bech32Prefix = moduletest.Bech32Prefix

// ChainID is the chain id of the fixture context.
const ChainID = "trustedge-test"

// GenesisTime is the block time of the fixture's first block; x/access
// compares grant expiries with block time.
var GenesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// AddressCodec, Addr and AddrStr are the shared test addresses (see
// internal/moduletest): the same seed names the same account as in the
// x/edge and x/device test helpers.
var (
	AddressCodec = moduletest.AddressCodec
	Addr         = moduletest.Addr
	AddrStr      = moduletest.AddrStr
)

// MakeCodec returns a proto codec whose registry knows the std types and
// the Msgs of x/edge, x/access, x/device and x/stream.
func MakeCodec() codec.Codec {
	cdc, _ := moduletest.NewCodec(edgetypes.RegisterInterfaces, accesstypes.RegisterInterfaces,
		devicetypes.RegisterInterfaces, types.RegisterInterfaces)
	return cdc
}

// Fixture is the x/stream keeper with the real x/edge, x/access and
// x/device keepers on one IAVL multistore.
type Fixture struct {
	Ctx       sdk.Context
	CMS       storetypes.CommitMultiStore
	Keys      map[string]*storetypes.KVStoreKey
	Codec     codec.Codec
	AddrCodec address.Codec

	Keeper      keeper.Keeper
	MsgServer   types.MsgServer
	QueryServer types.QueryServer

	Edge       edgekeeper.Keeper
	Access     accesskeeper.Keeper
	AccessMsgs accesstypes.MsgServer
	Devices    devicekeeper.Keeper
	DeviceMsgs devicetypes.MsgServer
	// Authority is the consortium authority set in the x/edge genesis.
	Authority string
}

// NewFixture builds the keepers on an in-memory database and runs their
// genesis: x/edge with the authority and no nodes (AddNode adds them),
// x/access and x/stream with defaults. The context is at height 1.
func NewFixture(tb testing.TB) *Fixture { return NewFixtureWithDB(tb, dbm.NewMemDB()) }

// NewDiskFixture is NewFixture on pebble in a temp dir (benchmarks: the
// storage stack a node runs).
func NewDiskFixture(tb testing.TB) *Fixture {
	tb.Helper()
	db, err := appdb.Open(appdb.Name, tb.TempDir())
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	return NewFixtureWithDB(tb, db)
}

// NewFixtureWithDB is NewFixture on db.
func NewFixtureWithDB(tb testing.TB, db dbm.DB) *Fixture {
	tb.Helper()
	keys := storetypes.NewKVStoreKeys(edgetypes.StoreKey, accesstypes.StoreKey, devicetypes.StoreKey, types.StoreKey)
	cms := store.NewCommitMultiStore(db, log.NewNopLogger())
	for _, k := range keys {
		cms.MountStoreWithDB(k, storetypes.StoreTypeIAVL, nil)
	}
	require.NoError(tb, cms.LoadLatestVersion())

	cdc := MakeCodec()
	ac := AddressCodec()
	edge := edgekeeper.NewKeeper(cdc, runtime.NewKVStoreService(keys[edgetypes.StoreKey]), ac)
	access := accesskeeper.NewKeeper(cdc, runtime.NewKVStoreService(keys[accesstypes.StoreKey]), ac, edge)
	devices := devicekeeper.NewKeeper(cdc, runtime.NewKVStoreService(keys[devicetypes.StoreKey]), ac, access, edge)
	k := keeper.NewKeeper(cdc, runtime.NewKVStoreService(keys[types.StoreKey]), ac, devices, access, edge)

	header := cmtproto.Header{ChainID: ChainID, Height: 1, Time: GenesisTime}
	f := &Fixture{
		Ctx:         sdk.NewContext(cms.CacheMultiStore(), header, false, log.NewNopLogger()),
		CMS:         cms,
		Keys:        keys,
		Codec:       cdc,
		AddrCodec:   ac,
		Keeper:      k,
		MsgServer:   keeper.NewMsgServerImpl(k),
		QueryServer: keeper.NewQueryServerImpl(k),
		Edge:        edge,
		Access:      access,
		AccessMsgs:  accesskeeper.NewMsgServerImpl(access),
		Devices:     devices,
		DeviceMsgs:  devicekeeper.NewMsgServerImpl(devices),
		Authority:   AddrStr("authority"),
	}
	_, err := edge.InitGenesis(f.Ctx, &edgetypes.GenesisState{Authority: f.Authority, Params: edgetypes.DefaultParams()})
	require.NoError(tb, err)
	require.NoError(tb, access.InitGenesis(f.Ctx, accesstypes.DefaultGenesis()))
	require.NoError(tb, k.InitGenesis(f.Ctx, types.DefaultGenesis()))
	f.Commit()
	return f
}

// Commit writes the context's cache to the multistore and commits a
// version, as the end of a block does; the context moves to the next
// height on a fresh cache with a fresh event manager.
func (f *Fixture) Commit() {
	f.Ctx.MultiStore().(storetypes.CacheMultiStore).Write()
	f.CMS.Commit()
	h := f.Ctx.BlockHeader()
	h.Height++
	h.Time = h.Time.Add(5 * time.Second)
	f.Ctx = sdk.NewContext(f.CMS.CacheMultiStore(), h, false, log.NewNopLogger())
}

// Branch returns a copy of f on a cache of its context: writes through
// the copy are dropped unless written back (fuzz iterations share a base).
func (f *Fixture) Branch() *Fixture {
	g := *f
	g.Ctx, _ = f.Ctx.CacheContext()
	g.Ctx = g.Ctx.WithEventManager(sdk.NewEventManager())
	return &g
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

// StoreSnapshot copies every key/value of the four module stores, so a
// rejected call can be shown to have changed nothing anywhere.
func (f *Fixture) StoreSnapshot(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for name, key := range f.Keys {
		moduletest.AddSnapshot(out, f.Ctx, key, name+"/")
	}
	return out
}

// StreamStoreSnapshot copies the x/stream store only (genesis round trips).
func (f *Fixture) StreamStoreSnapshot(tb testing.TB) map[string]string {
	tb.Helper()
	return moduletest.Snapshot(f.Ctx, f.Keys[types.StoreKey], "")
}

// AddNode registers an ACTIVE edge node run by seed's address (written to
// x/edge state directly: the power rules of MsgRegisterNode are x/edge's
// business) and returns the operator in bech32.
func (f *Fixture) AddNode(tb testing.TB, seed string) string {
	tb.Helper()
	n := edgetestutil.NewTestNode(tb, seed)
	require.NoError(tb, f.Edge.Nodes.Set(f.Ctx, n.OpAddr, n.EdgeNode(10)))
	return n.Operator
}

// SetNodeStatus changes an edge node's status (e.g. JAILED).
func (f *Fixture) SetNodeStatus(tb testing.TB, operator string, status edgetypes.NodeStatus) {
	tb.Helper()
	bz, err := f.AddrCodec.StringToBytes(operator)
	require.NoError(tb, err)
	n, err := f.Edge.Nodes.Get(f.Ctx, bz)
	require.NoError(tb, err)
	n.Status = status
	require.NoError(tb, f.Edge.Nodes.Set(f.Ctx, bz, n))
}

// RemoveNode takes an edge node out of the registry.
func (f *Fixture) RemoveNode(tb testing.TB, operator string) {
	tb.Helper()
	bz, err := f.AddrCodec.StringToBytes(operator)
	require.NoError(tb, err)
	n, err := f.Edge.Nodes.Get(f.Ctx, bz)
	require.NoError(tb, err)
	if n.Committer != "" { // as x/edge RemoveNode does
		c, err := f.AddrCodec.StringToBytes(n.Committer)
		require.NoError(tb, err)
		require.NoError(tb, f.Edge.Committers.Remove(f.Ctx, c))
	}
	require.NoError(tb, f.Edge.Nodes.Remove(f.Ctx, bz))
}

// SetCommitter has operator name (or, with "", clear) its node's committer
// through the x/edge msg server.
func (f *Fixture) SetCommitter(tb testing.TB, operator, committer string) {
	tb.Helper()
	_, err := edgekeeper.NewMsgServerImpl(f.Edge).SetCommitter(f.Ctx, &edgetypes.MsgSetCommitter{Operator: operator, Committer: committer})
	require.NoError(tb, err)
}

// Grant has the authority grant subject actions on resource through the
// x/access msg server, and returns the grant id.
func (f *Fixture) Grant(tb testing.TB, subject, resource string, actions ...string) uint64 {
	tb.Helper()
	res, err := f.AccessMsgs.Grant(f.Ctx, &accesstypes.MsgGrant{
		Granter: f.Authority, Subject: subject, Resource: resource, Actions: actions,
	})
	require.NoError(tb, err)
	return res.GrantId
}

// Revoke withdraws a grant.
func (f *Fixture) Revoke(tb testing.TB, id uint64) {
	tb.Helper()
	_, err := f.AccessMsgs.Revoke(f.Ctx, &accesstypes.MsgRevoke{Sender: f.Authority, GrantId: id})
	require.NoError(tb, err)
}

// AllowCreate lets account (bech32) create stream id.
func (f *Fixture) AllowCreate(tb testing.TB, account, id string) uint64 {
	tb.Helper()
	return f.Grant(tb, types.AccountSubject(account), types.StreamResource(id), types.ActionCreate)
}

// AllowWrite lets account (bech32) record readings on stream id.
func (f *Fixture) AllowWrite(tb testing.TB, account, id string) uint64 {
	tb.Helper()
	return f.Grant(tb, types.AccountSubject(account), types.StreamResource(id), types.ActionWrite)
}

// RegisterDevice registers an ACTIVE device owned by owner on node through
// the x/device msg server (with the x/access grant it needs).
func (f *Fixture) RegisterDevice(tb testing.TB, id, owner, node string) devtestutil.TestDevice {
	tb.Helper()
	d := devtestutil.NewTestDevice(id, owner, node)
	f.Grant(tb, devicetypes.AccountSubject(owner), devicetypes.DeviceResource(id), devicetypes.ActionRegister)
	_, err := f.DeviceMsgs.RegisterDevice(f.Ctx, d.RegisterMsg())
	require.NoError(tb, err)
	return d
}

// SuspendDevice suspends a device as its owner.
func (f *Fixture) SuspendDevice(tb testing.TB, id, owner string) {
	tb.Helper()
	_, err := f.DeviceMsgs.SuspendDevice(f.Ctx, &devicetypes.MsgSuspendDevice{Signer: owner, DeviceId: id})
	require.NoError(tb, err)
}

// CreateMsg is a valid MsgCreateStream for stream id of device by owner.
func CreateMsg(owner, id, deviceID string) *types.MsgCreateStream {
	return &types.MsgCreateStream{
		Owner: owner, StreamId: id, DeviceId: deviceID, Schema: "pm25.v1", Unit: "ug/m3",
		RetentionSeconds: 86_400, Replication: 2,
	}
}

// CreateStream allows owner to create stream id and creates it for
// deviceID, requiring success.
func (f *Fixture) CreateStream(tb testing.TB, owner, id, deviceID string) types.Stream {
	tb.Helper()
	f.AllowCreate(tb, owner, id)
	_, err := f.MsgServer.CreateStream(f.Ctx, CreateMsg(owner, id, deviceID))
	require.NoError(tb, err)
	return f.Stream(tb, id)
}

// Root is a deterministic 32-byte root for tests.
func Root(seed string) []byte {
	h := sha256.Sum256([]byte(seed))
	return h[:]
}

// CommitMsg is a valid MsgCommitEpoch sent by operator (or a committer) for
// epoch.
func CommitMsg(sender string, epoch uint64) *types.MsgCommitEpoch {
	start := GenesisTime.UnixNano() + int64(epoch)*int64(time.Second)
	return &types.MsgCommitEpoch{
		Sender: sender, Epoch: epoch, Root: Root(fmt.Sprintf("%s/%d", sender, epoch)),
		ReadingCount: 100, StreamCount: 3, WindowStart: start, WindowEnd: start + int64(time.Second) - 1,
	}
}

// CommitEpochs commits epochs from..to of operator, requiring success.
func (f *Fixture) CommitEpochs(tb testing.TB, operator string, from, to uint64) {
	tb.Helper()
	for e := from; e <= to; e++ {
		_, err := f.MsgServer.CommitEpoch(f.Ctx, CommitMsg(operator, e))
		require.NoError(tb, err, "epoch %d", e)
	}
}

// Stream reads a stream or fails the test.
func (f *Fixture) Stream(tb testing.TB, id string) types.Stream {
	tb.Helper()
	s, err := f.Keeper.GetStream(f.Ctx, id)
	require.NoError(tb, err)
	return s
}
