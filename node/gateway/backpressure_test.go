package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/gateway"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// TestIngestBacklogBound: past the configured number of acknowledged but
// uncommitted batches (commits stopped), ingest answers 503 with a
// Retry-After and stores nothing; once an epoch takes the backlog, the
// same batch is accepted.
func TestIngestBacklogBound(t *testing.T) {
	e := newEnv(t, func(c *gateway.Config) { c.MaxPendingBatches = 2 })
	d := e.addDevice("dev-bp", devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 3)))
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 4, 3)))

	rec := e.postJSON(e.signedBatch(d, d.Key, 7, 3))
	body := requireRefused(t, rec, http.StatusServiceUnavailable, gateway.ReasonUnavailable)
	require.Contains(t, body.Message, "commit backlog: 6 readings in 2 batches")
	require.Equal(t, "5", rec.Header().Get("Retry-After"))
	require.Equal(t, uint64(6), e.head(d.Stream), "nothing stored")
	h := health(t, e)
	require.Equal(t, uint64(6), h.PendingReadings)
	require.Equal(t, uint64(2), h.PendingBatches)

	_, err := e.store.CloseEpoch(1)
	require.NoError(t, err)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 7, 3)))
	require.Equal(t, uint64(9), e.head(d.Stream))
}

// TestHaltIngest: once halted (the node's committer stopped for good),
// every batch is refused as unavailable with the reason, nothing is
// stored, heads are still served and /healthz says so.
func TestHaltIngest(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("dev-halt", devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 2)))

	e.gw.HaltIngest("epoch committer stopped: stream store and chain disagree")
	rec := e.postJSON(e.signedBatch(d, d.Key, 3, 2))
	body := requireRefused(t, rec, http.StatusServiceUnavailable, gateway.ReasonUnavailable)
	require.Contains(t, body.Message, "ingest halted on this node: epoch committer stopped")
	require.Equal(t, "60", rec.Header().Get("Retry-After"))
	require.Equal(t, uint64(2), e.head(d.Stream))
	require.Equal(t, http.StatusOK, e.get("/v1/streams/"+d.Stream+"/head").Code)
	h := health(t, e)
	require.Equal(t, "ingest_halted", h.Status)
	require.Contains(t, h.HaltedReason, "stream store and chain disagree")
}

func health(t *testing.T, e *env) gateway.Health {
	t.Helper()
	rec := e.get("/healthz")
	require.Equal(t, http.StatusOK, rec.Code)
	var h gateway.Health
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &h))
	return h
}

// TestSlowBodiesHoldNoDecodeSlot: clients that declare a body and stall
// (more of them than there are decode slots) do not keep a device's batch
// from being decoded: bodies are read before a slot is taken.
func TestSlowBodiesHoldNoDecodeSlot(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("dev-slow", devicetypes.KEY_TYPE_ED25519, e.home)
	srv := httptest.NewServer(e.h)
	defer srv.Close()

	var stalled []net.Conn
	defer func() {
		for _, c := range stalled {
			_ = c.Close()
		}
	}()
	for range 16 {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		_, err = fmt.Fprintf(c, "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		require.NoError(t, err)
		stalled = append(stalled, c)
	}
	require.Eventually(t, func() bool { return e.gw.Health().BodyBytesInFlight == 16*100000 },
		10*time.Second, 5*time.Millisecond, "the server is reading all 16 stalled bodies")

	bz, err := json.Marshal(e.signedBatch(d, d.Key, 1, 3))
	require.NoError(t, err)
	cl := &http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Post(srv.URL+"/v1/ingest", "application/json", bytes.NewReader(bz))
	require.NoError(t, err, "a device's batch must not wait for stalled bodies")
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, uint64(3), e.head(d.Stream))
}

// TestSlowBodyCutOff: a body that does not arrive at the minimum rate is
// refused once its deadline passes (here a declared 1-byte-short body
// that never completes), with a message saying so.
func TestSlowBodyCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 10 s body grace")
	}
	e := newEnv(t)
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	start := time.Now()
	_, err = fmt.Fprintf(c, "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{")
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(30*time.Second)))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	require.NoError(t, err)
	waited := time.Since(start)
	reply := string(buf[:n])
	require.True(t, strings.HasPrefix(reply, "HTTP/1.1 408"), reply)
	require.Contains(t, reply, `"error":"timeout"`)
	require.Contains(t, reply, "body not received in time")
	require.GreaterOrEqual(t, waited, 9*time.Second)
	require.Less(t, waited, 20*time.Second)
}
