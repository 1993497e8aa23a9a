package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// TestProve follows a reading from ingest to an on-chain proof: pending
// (404) until its epoch closes, then proved with committed=false, then
// committed=true once the node's MsgCommitEpoch is in a block, and the
// proof verifies against the root the chain stored.
func TestProve(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("provable", devicetypes.KEY_TYPE_ED25519, e.home)
	n := e.addDevice("neighbour", devicetypes.KEY_TYPE_SECP256K1, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 10)))
	requireOK(t, e.postJSON(e.perReadingBatch(n, 1, 3)))
	prove7 := func() *httptest.ResponseRecorder { return e.proveAs(e.owner, d.Stream, 7) }

	body := requireRefused(t, prove7(), http.StatusNotFound, gateway.ReasonPending)
	require.Contains(t, body.Message, "pending")

	ep, err := e.store.CloseEpoch(1)
	require.NoError(t, err)
	resp := proveOK(t, prove7())
	require.False(t, resp.Committed)
	require.Zero(t, resp.Height)
	p := resp.Proof.ToProof()
	require.Equal(t, e.home.Operator.String(), p.Node)
	require.Equal(t, uint64(1), p.Epoch)
	require.Equal(t, uint64(7), p.Reading.Seq)
	require.Equal(t, readings(1, 10)[6].Payload, p.Reading.Payload)
	require.NoError(t, p.Verify(ep.Root, uint64(len(ep.Batches))))

	// The node commits the epoch on chain (what node/commit does).
	e.chain.DeliverTx(e.home.Operator, &streamtypes.MsgCommitEpoch{
		Sender: e.home.Operator.String(), Epoch: 1, Root: ep.Root, ReadingCount: ep.ReadingCount,
		StreamCount: uint32(len(ep.Batches)), WindowStart: ep.WindowStart, WindowEnd: ep.WindowEnd,
	})
	commit, found, err := e.view.EpochCommit(context.Background(), e.home.Operator.String(), 1)
	require.NoError(t, err)
	require.True(t, found)
	require.NoError(t, e.store.MarkCommitted(1, commit.Height))

	resp = proveOK(t, prove7())
	require.True(t, resp.Committed)
	require.Equal(t, commit.Height, resp.Height)
	require.NoError(t, resp.Proof.ToProof().Verify(commit.Root, uint64(commit.StreamCount)), "proof checks against the on-chain root")

	// A proof of a reading that was never acknowledged does not exist.
	body = requireRefused(t, e.proveAs(e.owner, d.Stream, 11), http.StatusNotFound, gateway.ReasonNotFound)
	require.Contains(t, body.Message, "unknown")
	requireRefused(t, e.get("/v1/streams/"+d.Stream+"/readings/x7/proof"), http.StatusBadRequest, gateway.ReasonMalformed)
	requireRefused(t, e.get("/v1/streams/"+d.Stream+"/readings/0/proof"), http.StatusBadRequest, gateway.ReasonMalformed)
	requireRefused(t, e.get("/v1/streams/nope/readings/1/proof"), http.StatusNotFound, gateway.ReasonNotFound)
}

func proveOK(t *testing.T, rec interface {
	Result() *http.Response
}) *gatewaypb.ProveResponse {
	t.Helper()
	res := rec.Result()
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var resp gatewaypb.ProveResponse
	require.NoError(t, json.NewDecoder(res.Body).Decode(&resp))
	require.NotNil(t, resp.Proof)
	return &resp
}
