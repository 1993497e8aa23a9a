package device_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trustedge/trustedge/node/device"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

func TestClientIngestHeadProveHealth(t *testing.T) {
	ctx := context.Background()
	g := newFakeGateway(t)
	id := testIdentity(t, "dev-http", devicetypes.KEY_TYPE_SECP256K1)
	g.addStream(id)
	c := g.serveHTTP()

	h, err := c.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if *h != (device.Health{Status: "ok", Operator: g.operator, ChainID: g.chainID, Height: 12}) {
		t.Fatalf("health = %+v", h)
	}

	req, err := device.NewIngestRequest(g.chainID, id, 1, testReadings(4), device.BatchSignature)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Ingest(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StreamId != id.StreamID || resp.FirstSeq != 1 || resp.LastSeq != 4 || resp.AckedAt == 0 {
		t.Fatalf("ingest answer %+v", resp)
	}
	head, err := c.Head(ctx, id.StreamID)
	if err != nil || head.LastSeq != 4 || head.StreamId != id.StreamID {
		t.Fatalf("head = %+v, %v", head, err)
	}

	// A proof needs a reader signature; it reaches the gateway intact.
	_, err = c.Prove(ctx, id.StreamID, 3, nil)
	var unauth *device.APIError
	if !errors.As(err, &unauth) || unauth.Status != http.StatusUnauthorized || unauth.Reason != device.ReasonUnauthenticated {
		t.Fatalf("unsigned proof request: %v", err)
	}
	reader := testReader(t, g, id.StreamID, 3)
	// A proof survives the JSON round trip and verifies against the root.
	pr, err := c.Prove(ctx, id.StreamID, 3, reader)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.lastReader(); !reflect.DeepEqual(got, reader) {
		t.Fatalf("gateway saw reader %v, sent %v", got, reader)
	}
	_, root, _ := g.prove(id.StreamID, 3)
	if !pr.Committed || pr.Height != 7 || pr.Proof == nil {
		t.Fatalf("prove = %+v", pr)
	}
	p := pr.Proof.ToProof()
	if p.Reading.Seq != 3 || string(p.Reading.Payload) != string(req.Readings[2].Payload) {
		t.Fatalf("proved reading %+v", p.Reading)
	}
	if err := p.Verify(root, 1); err != nil {
		t.Fatalf("proof from the gateway does not verify: %v", err)
	}

	// Replaying the batch is refused with the stream's head.
	_, err = c.Ingest(ctx, req)
	var apiErr *device.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || apiErr.Reason != device.ReasonReplay || apiErr.LastSeq != 4 {
		t.Fatalf("replay: %#v", err)
	}
	if apiErr.Temporary() || !apiErr.Conflict() || device.IsRetryable(ctx, err) {
		t.Fatal("a replay is neither temporary nor retryable as is")
	}
	if len(g.stored(id.StreamID)) != 4 {
		t.Fatal("the replay changed the store")
	}
	_, err = c.Prove(ctx, id.StreamID, 5, testReader(t, g, id.StreamID, 5))
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Reason != device.ReasonNotFound {
		t.Fatalf("prove past head: %v", err)
	}
}

func TestClientRejectsBadInputWithoutCalling(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://x", "http://"} {
		if _, err := device.NewClient(u, nil); err == nil {
			t.Errorf("NewClient(%q) accepted", u)
		}
	}
	g := newFakeGateway(t)
	c := g.serveHTTP()
	if _, err := c.Head(context.Background(), "bad/id"); err == nil || device.IsRetryable(context.Background(), err) {
		t.Fatalf("bad stream id: %v (must fail for good)", err)
	}
	if g.headCalls() != 0 {
		t.Fatal("a bad id reached the gateway")
	}
}

// Answers that are not the gateway's JSON (a proxy in between) still give
// a typed error; Retry-After is read in both of its forms.
func TestClientErrorsFromForeignAnswers(t *testing.T) {
	ctx := context.Background()
	retryAt := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/streams/s.html/head":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		case "/v1/streams/s.date/head":
			w.Header().Set("Retry-After", retryAt)
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/v1/streams/s.secs/head":
			w.Header().Set("Retry-After", "2")
			writeError(w, refuse(http.StatusTooManyRequests, device.ReasonRateLimited, "slow down"), "2")
		case "/v1/streams/s.garbage/head":
			_, _ = w.Write([]byte("{not json"))
		}
	}))
	defer srv.Close()
	c, err := device.NewClient(srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	var apiErr *device.APIError

	_, err = c.Head(ctx, "s.html")
	if !errors.As(err, &apiErr) || apiErr.Status != 502 || apiErr.Reason != "bad_gateway" || apiErr.Message != "<html>bad gateway</html>" {
		t.Fatalf("html 502: %#v", err)
	}
	if !device.IsRetryable(ctx, err) {
		t.Fatal("502 must be retryable")
	}

	_, err = c.Head(ctx, "s.date")
	if !errors.As(err, &apiErr) || apiErr.Reason != device.ReasonUnavailable || apiErr.RetryAfter < time.Second || apiErr.RetryAfter > 3*time.Second {
		t.Fatalf("503 with date: %#v", err)
	}

	_, err = c.Head(ctx, "s.secs")
	if !errors.As(err, &apiErr) || apiErr.Reason != device.ReasonRateLimited || apiErr.Message != "slow down" || apiErr.RetryAfter != 2*time.Second {
		t.Fatalf("429: %#v", err)
	}
	if !strings.Contains(err.Error(), "429 rate_limited") {
		t.Fatalf("message %q", err)
	}

	_, err = c.Head(ctx, "s.garbage")
	if err == nil || errors.As(err, &apiErr) || !device.IsRetryable(ctx, err) {
		t.Fatalf("undecodable 200: %v (a transport failure, retryable)", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Head(cancelled, "s.secs")
	if err == nil || device.IsRetryable(cancelled, err) {
		t.Fatalf("cancelled call: %v (never retryable)", err)
	}
}
