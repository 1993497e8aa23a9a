package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/gateway"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

func TestHealth(t *testing.T) {
	e := newEnv(t)
	rec := e.get("/healthz")
	require.Equal(t, http.StatusOK, rec.Code)
	require.JSONEq(t, fmt.Sprintf(`{"status":"ok","operator":%q,"chain_id":%q,"height":%d,"pending_readings":0,"pending_batches":0,"body_bytes_in_flight":0}`,
		e.home.Operator.String(), e.chain.ChainID, e.chain.Height()), rec.Body.String())
}

func TestHeadRefuses(t *testing.T) {
	e := newEnv(t)
	away := e.addDevice("away", devicetypes.KEY_TYPE_ED25519, e.other)
	requireRefused(t, e.get("/v1/streams/nope/head"), http.StatusNotFound, gateway.ReasonNotFound)
	requireRefused(t, e.get("/v1/streams/"+away.Stream+"/head"), http.StatusMisdirectedRequest, gateway.ReasonMisdirected)
	requireRefused(t, e.get("/v1/streams/bad%20id/head"), http.StatusBadRequest, gateway.ReasonMalformed)
}

// TestNoRoute: wrong paths and methods still get the JSON error body.
func TestNoRoute(t *testing.T) {
	e := newEnv(t)
	body := requireRefused(t, e.get("/v1/nothing"), http.StatusNotFound, gateway.ReasonNotFound)
	require.Contains(t, body.Message, "GET /v1/nothing")
	requireRefused(t, e.get("/v1/ingest"), http.StatusNotFound, gateway.ReasonNotFound)
}

// TestRequestLog: each request is one log line with the fields an operator
// needs, all at Info (every interaction is in the log).
func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, func(c *gateway.Config) {
		c.Logger = log.NewLogger(&buf, log.OutputJSONOption(), log.LevelOption(zerolog.InfoLevel))
	})
	d := e.addDevice("logged", devicetypes.KEY_TYPE_ED25519, e.home)

	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 3)))
	requireRefused(t, e.postJSON(e.signedBatch(d, d.Key, 1, 3)), http.StatusConflict, gateway.ReasonReplay)
	requireRefused(t, e.post([]byte(`{`)), http.StatusBadRequest, gateway.ReasonMalformed)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3, buf.String())
	var ok, replay, malformed map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &ok))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &replay))
	require.NoError(t, json.Unmarshal([]byte(lines[2]), &malformed))

	require.Equal(t, "info", ok["level"])
	require.Equal(t, "ingest", ok["message"])
	require.Equal(t, d.Stream, ok["stream"])
	require.Equal(t, d.ID, ok["device"])
	require.EqualValues(t, 1, ok["first_seq"])
	require.EqualValues(t, 3, ok["n"])
	require.EqualValues(t, 200, ok["status"])
	require.Equal(t, "http", ok["transport"])
	require.Contains(t, ok, "duration")

	require.Equal(t, "info", replay["level"])
	require.EqualValues(t, 409, replay["status"])
	require.Equal(t, "replay", replay["reason"])
	require.Contains(t, replay["detail"], "send from 4")

	require.Equal(t, "info", malformed["level"])
	require.Equal(t, "malformed", malformed["reason"])
	require.EqualValues(t, 0, malformed["n"])
}

// TestRequestLogQuietAccepted: a busy gateway moves successes to Debug;
// refusals stay at Info.
func TestRequestLogQuietAccepted(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, func(c *gateway.Config) {
		c.Logger = log.NewLogger(&buf, log.OutputJSONOption(), log.LevelOption(zerolog.InfoLevel))
		c.QuietAccepted = true
	})
	d := e.addDevice("quiet", devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 3)))
	requireRefused(t, e.postJSON(e.signedBatch(d, d.Key, 1, 3)), http.StatusConflict, gateway.ReasonReplay)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 1, buf.String())
	require.Contains(t, lines[0], `"reason":"replay"`)
}

// TestServe runs both servers on real sockets, then stops them with ctx.
func TestServe(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("served", devicetypes.KEY_TYPE_ED25519, e.home)
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	grpcLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.gw.Serve(ctx, httpLn, grpcLn) }()

	bz, err := json.Marshal(e.signedBatch(d, d.Key, 1, 4))
	require.NoError(t, err)
	res, err := http.Post("http://"+httpLn.Addr().String()+"/v1/ingest", "application/json", bytes.NewReader(bz))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, res.Body.Close())
	require.Equal(t, uint64(4), e.head(d.Stream))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after ctx was done")
	}
	_, err = http.Get("http://" + httpLn.Addr().String() + "/healthz")
	require.Error(t, err, "the HTTP server is closed")
}

// TestStartListenError: Start reports an address it cannot listen on.
func TestStartListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	e := newEnv(t, func(c *gateway.Config) { c.HTTPAddr = ln.Addr().String() })
	err = e.gw.Start(context.Background())
	require.ErrorContains(t, err, "gateway HTTP listen on "+ln.Addr().String())
}

// TestServeNeedsOperator: a gateway without an operator address would call
// every stream misdirected; it refuses to start instead.
func TestServeNeedsOperator(t *testing.T) {
	e := newEnv(t)
	gw := gateway.New(gateway.Config{}, e.store, e.view)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.ErrorContains(t, gw.Serve(context.Background(), ln, nil), "no operator address")
	_, err = ln.Accept()
	require.Error(t, err, "the listener was closed")
	require.ErrorContains(t, gw.Serve(context.Background(), nil, nil), "nothing to serve")
}
