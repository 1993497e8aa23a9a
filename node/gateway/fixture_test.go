package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app/apptesting"
	"github.com/trustedge/trustedge/node/chainview"
	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/node/store"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// env is a gateway on a real in-process chain (app/apptesting, 4 edge
// nodes) read through node/chainview, over a real pebble stream store. The
// gateway is node 0's; node 1 is another edge node (misdirected streams).
type env struct {
	t     testing.TB
	chain *apptesting.Chain
	view  *chainview.View
	store *store.Store
	gw    *gateway.Gateway
	h     http.Handler

	home, other *apptesting.Node
	owner       *apptesting.Account
	authority   *apptesting.Account
}

func newEnv(t testing.TB, edit ...func(*gateway.Config)) *env {
	t.Helper()
	c := apptesting.Setup(t, apptesting.DefaultConfig())
	c.NextBlock()
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })

	e := &env{
		t: t, chain: c, view: chainview.New(c.App), store: st,
		home: c.Genesis.Nodes[0], other: c.Genesis.Nodes[1],
		owner: c.Genesis.Accounts[0], authority: c.Genesis.Authority,
	}
	cfg := gateway.Config{Operator: e.home.Operator.String(), Logger: log.NewNopLogger()}
	for _, f := range edit {
		f(&cfg)
	}
	e.gw = gateway.New(cfg, st, e.view)
	e.h = e.gw.Handler()
	return e
}

// device is a registered device with its stream.
type device struct {
	ID, Stream string
	Key        devtestutil.DeviceKey
}

// addDevice registers a device with a key of type kt homed on node home,
// creates its stream and grants the owner "create" and "write" on the
// stream, through real txs in one block.
func (e *env) addDevice(id string, kt devicetypes.KeyType, home *apptesting.Node) device {
	e.t.Helper()
	d := device{ID: id, Stream: id + ".pm25", Key: devtestutil.NewDeviceKey(kt, "gateway-test/"+id)}
	pk := d.Key.PubKey()
	e.chain.DeliverTxs([]*apptesting.Account{e.authority, e.owner}, [][]sdk.Msg{
		{&accesstypes.MsgGrant{
			Granter: e.authority.String(), Subject: accesstypes.AccountSubject(e.owner.String()),
			Resource: gateway.StreamResource(d.Stream), Actions: []string{accesstypes.ActionCreate, accesstypes.ActionWrite},
		}},
		{
			&devicetypes.MsgRegisterDevice{
				Owner: e.owner.String(), DeviceId: id, KeyType: pk.Type, Pubkey: pk.Key,
				Kind: devicetypes.DEVICE_KIND_COLLECTOR, Protocols: []devicetypes.Protocol{devicetypes.PROTOCOL_WIFI},
				HomeNode: home.Operator.String(),
			},
			&streamtypes.MsgCreateStream{
				Owner: e.owner.String(), StreamId: d.Stream, DeviceId: id, Schema: "pm25.v1", Unit: "ug/m3", Replication: 1,
			},
		},
	})
	return d
}

// suspend suspends a device (owner's tx, next block).
func (e *env) suspend(d device) {
	e.t.Helper()
	e.chain.DeliverTx(e.owner, &devicetypes.MsgSuspendDevice{Signer: e.owner.String(), DeviceId: d.ID, Reason: "test"})
}

// closeStream closes a device's stream (owner's tx, next block).
func (e *env) closeStream(d device) {
	e.t.Helper()
	e.chain.DeliverTx(e.owner, &streamtypes.MsgCloseStream{Signer: e.owner.String(), StreamId: d.Stream})
}

// revokeWrite revokes every grant through which the owner may write on
// the device's stream (the test's own grant and any wildcard genesis gave),
// in one block.
func (e *env) revokeWrite(d device) {
	e.t.Helper()
	ctx := e.chain.Context()
	k := e.chain.App.AccessKeeper
	subject := accesstypes.AccountSubject(e.owner.String())
	it, err := k.Grants.Indexes.BySubject.MatchExact(ctx, subject)
	require.NoError(e.t, err)
	ids, err := it.PrimaryKeys()
	require.NoError(e.t, err)
	var msgs []sdk.Msg
	for _, id := range ids {
		g, err := k.Grants.Get(ctx, id)
		require.NoError(e.t, err)
		if accesstypes.Matches(g.Resource, gateway.StreamResource(d.Stream)) && accesstypes.Allows(g.Actions, accesstypes.ActionWrite) {
			msgs = append(msgs, &accesstypes.MsgRevoke{Sender: e.authority.String(), GrantId: id})
		}
	}
	require.NotEmpty(e.t, msgs, "the owner had no write grant to revoke")
	e.chain.DeliverTx(e.authority, msgs...)
}

// readings makes n readings with distinct payloads, starting at seq first
// (payloads name their seq, so a test can tell batches apart).
func readings(first uint64, n int) []gatewaypb.Reading {
	rs := make([]gatewaypb.Reading, n)
	for i := range rs {
		seq := first + uint64(i)
		rs[i] = gatewaypb.Reading{Time: 1_767_225_600_000_000_000 + int64(seq)*1e9, Payload: []byte(fmt.Sprintf(`{"pm25":%d}`, seq%150))}
	}
	return rs
}

func batchReadings(rs []gatewaypb.Reading) []ingest.BatchReading {
	out := make([]ingest.BatchReading, len(rs))
	for i, r := range rs {
		out[i] = ingest.BatchReading{Time: r.Time, Payload: r.Payload}
	}
	return out
}

// signedBatch is a batch of n readings from first, signed as a whole by key
// as device d.
func (e *env) signedBatch(d device, key devtestutil.DeviceKey, first uint64, n int) *gatewaypb.IngestRequest {
	rs := readings(first, n)
	msg := ingest.BatchSignBytes(e.chain.ChainID, d.Stream, d.ID, first, batchReadings(rs))
	return &gatewaypb.IngestRequest{StreamId: d.Stream, DeviceId: d.ID, FirstSeq: first, Readings: rs, Signature: key.Sign(msg)}
}

// perReadingBatch signs every reading on its own instead of the batch.
func (e *env) perReadingBatch(d device, first uint64, n int) *gatewaypb.IngestRequest {
	rs := readings(first, n)
	for i := range rs {
		rs[i].Signature = d.Key.Sign(ingest.ReadingSignBytes(e.chain.ChainID, d.Stream, d.ID, first+uint64(i), rs[i].Time, rs[i].Payload))
	}
	return &gatewaypb.IngestRequest{StreamId: d.Stream, DeviceId: d.ID, FirstSeq: first, Readings: rs}
}

// post sends body to POST /v1/ingest through the gateway's handler.
func (e *env) post(body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/v1/ingest", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *env) postJSON(req *gatewaypb.IngestRequest) *httptest.ResponseRecorder {
	bz, err := json.Marshal(req)
	require.NoError(e.t, err)
	return e.post(bz)
}

// get is GET path, with headers set by each of set.
func (e *env) get(path string, set ...func(http.Header)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, f := range set {
		f(req.Header)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// readerSig is acct's signature of a proof request to this gateway.
func (e *env) readerSig(acct *apptesting.Account, stream string, seq uint64, at time.Time) *gatewaypb.ReaderSignature {
	e.t.Helper()
	r, err := gatewaypb.SignRead(gatewaypb.PrivKeySigner(acct.PrivKey), e.chain.ChainID, e.home.Operator.String(), stream, seq, at)
	require.NoError(e.t, err)
	return r
}

// proofPath is the HTTP path of a reading's proof.
func proofPath(stream string, seq uint64) string {
	return fmt.Sprintf("/v1/streams/%s/readings/%d/proof", stream, seq)
}

// getSigned is GET path with r in the reader headers.
func (e *env) getSigned(path string, r *gatewaypb.ReaderSignature) *httptest.ResponseRecorder {
	return e.get(path, r.SetHeaders)
}

// proveAs asks for the proof of (stream, seq), signed by acct now.
func (e *env) proveAs(acct *apptesting.Account, stream string, seq uint64) *httptest.ResponseRecorder {
	return e.getSigned(proofPath(stream, seq), e.readerSig(acct, stream, seq, time.Now()))
}

// head is the stream's last acknowledged seq in the store.
func (e *env) head(stream string) uint64 {
	e.t.Helper()
	h, err := e.store.Head(stream)
	require.NoError(e.t, err)
	return h
}

// requireOK decodes a 200 IngestResponse.
func requireOK(t testing.TB, rec *httptest.ResponseRecorder) *gatewaypb.IngestResponse {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var resp gatewaypb.IngestResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	return &resp
}

// requireRefused checks the status code and the error body's reason and
// returns the body.
func requireRefused(t testing.TB, rec *httptest.ResponseRecorder, code int, reason gateway.Reason) gateway.ErrorBody {
	t.Helper()
	require.Equal(t, code, rec.Code, rec.Body.String())
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var body gateway.ErrorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	require.Equal(t, code, body.Code)
	require.Equal(t, reason, body.Error)
	require.NotEmpty(t, body.Message)
	return body
}
