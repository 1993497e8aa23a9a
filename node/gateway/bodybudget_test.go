package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// stallBody opens a connection that declares a body of n bytes, sends one
// byte of it and stalls; closing the returned conn ends it.
func stallBody(t *testing.T, addr string, n int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	_, err = fmt.Fprintf(c, "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", n)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestBodyBudget: bodies that declare a size and stall (no signature,
// nothing checkable yet) hold at most the configured budget of memory:
// past it, further requests on both transports are refused as busy (503,
// Retry-After 1; gRPC Unavailable with the same reason) and store nothing.
// When the stalled clients go away the budget comes back, including the
// share of gRPC calls that failed or were refused.
func TestBodyBudget(t *testing.T) {
	e := newEnv(t, func(c *gateway.Config) { c.MaxBodyBytesInFlight = 2 * ingest.MaxBodyBytes })
	d := e.addDevice("dev-budget", devicetypes.KEY_TYPE_ED25519, e.home)
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	client := e.grpcClient()
	ctx := context.Background()

	a := stallBody(t, srv.Listener.Addr().String(), ingest.MaxBodyBytes)
	b := stallBody(t, srv.Listener.Addr().String(), ingest.MaxBodyBytes)
	require.Eventually(t, func() bool { return e.gw.Health().BodyBytesInFlight == 2*ingest.MaxBodyBytes },
		10*time.Second, 5*time.Millisecond, "the stalled bodies reserve their declared length")

	bz, err := json.Marshal(e.signedBatch(d, d.Key, 1, 3))
	require.NoError(t, err)
	cl := &http.Client{Timeout: 10 * time.Second}
	start := time.Now()
	resp, err := cl.Post(srv.URL+"/v1/ingest", "application/json", bytes.NewReader(bz))
	require.NoError(t, err)
	var body gateway.ErrorBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	_ = resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, gateway.ReasonUnavailable, body.Error)
	require.Contains(t, body.Message, "budget for request bodies in flight")
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	require.GreaterOrEqual(t, time.Since(start), time.Second, "an HTTP request waits a little for room")

	_, err = client.Ingest(ctx, e.signedBatch(d, d.Key, 1, 3))
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	ge, ok := gateway.ErrorFromGRPC(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, gateway.ReasonUnavailable, ge.Reason)
	require.Equal(t, int64(1), ge.RetryAfterSeconds)
	require.Equal(t, uint64(0), e.head(d.Stream), "nothing stored")

	// Heads and proofs are not ingest: they pass.
	_, err = client.Head(ctx, &gatewaypb.HeadRequest{StreamId: d.Stream})
	require.NoError(t, err)

	// One stalled client leaves: room for one body again.
	_ = a.Close()
	require.Eventually(t, func() bool {
		_, err := client.Ingest(ctx, e.signedBatch(d, d.Key, 1, 3))
		return err == nil
	}, 5*time.Second, 50*time.Millisecond)
	require.Equal(t, uint64(3), e.head(d.Stream))
	// A gRPC call that fails after its message was read (a replay here)
	// and one the server refuses to decode give their room back too: the
	// next call still fits beside the remaining stalled body.
	_, err = client.Ingest(ctx, e.signedBatch(d, d.Key, 1, 3))
	require.Equal(t, codes.AlreadyExists, status.Code(err), "%v", err)
	_, err = client.Ingest(ctx, &gatewaypb.IngestRequest{})
	require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
	_, err = client.Ingest(ctx, e.signedBatch(d, d.Key, 4, 3))
	require.NoError(t, err)

	_ = b.Close()
	require.Eventually(t, func() bool { return e.gw.Health().BodyBytesInFlight == 0 }, 10*time.Second, 5*time.Millisecond,
		"every reservation is given back, the failed and refused gRPC calls' included")
	resp, err = cl.Post(srv.URL+"/v1/ingest", "application/json", bytes.NewReader(mustJSON(t, e.signedBatch(d, d.Key, 7, 3))))
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, uint64(9), e.head(d.Stream))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	bz, err := json.Marshal(v)
	require.NoError(t, err)
	return bz
}

// rawIngestHeaders opens an h2c connection to addr and opens n Ingest
// streams on it (HEADERS only, no message), with grpc-timeout if set: a
// client that reserves room and sends nothing.
func rawIngestHeaders(t *testing.T, addr string, n int, timeout string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.Write([]byte(http2.ClientPreface))
	require.NoError(t, err)
	fr := http2.NewFramer(c, c)
	require.NoError(t, fr.WriteSettings())
	go func() { // drain what the server sends
		for {
			if _, err := fr.ReadFrame(); err != nil {
				return
			}
		}
	}()
	for i := range n {
		var hb bytes.Buffer
		enc := hpack.NewEncoder(&hb)
		hdrs := [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/trustedge.gateway.v1.Gateway/Ingest"},
			{":authority", "x"}, {"content-type", "application/grpc"}, {"te", "trailers"}}
		if timeout != "" {
			hdrs = append(hdrs, [2]string{"grpc-timeout", timeout})
		}
		for _, kv := range hdrs {
			require.NoError(t, enc.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]}))
		}
		require.NoError(t, fr.WriteHeaders(http2.HeadersFrameParam{StreamID: uint32(2*i + 1), BlockFragment: hb.Bytes(), EndHeaders: true}))
	}
	return c
}

// grpcAddr serves the env's gateway over gRPC and returns its address.
func grpcAddr(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.gw.Serve(ctx, nil, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func dialGateway(t *testing.T, addr string) gatewaypb.GatewayClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return gatewaypb.NewGatewayClient(conn)
}

func inFlight(e *env) func() int64 { return func() int64 { return e.gw.Health().BodyBytesInFlight } }

// Every way an Ingest stream can end gives its reservation back: a
// deadline already passed when it arrived (grpc-go aborts such a stream
// before any handler runs), the client leaving mid-call, and a stream
// that sends nothing past the call limit.
func TestBodyBudgetReleasedHoweverTheCallEnds(t *testing.T) {
	e := newEnv(t, func(c *gateway.Config) { c.MaxBodyBytesInFlight = 2 * ingest.MaxBodyBytes })
	d := e.addDevice("dev-ends", devicetypes.KEY_TYPE_ED25519, e.home)
	addr := grpcAddr(t, e)
	client := dialGateway(t, addr)
	zero := func() bool { return inFlight(e)() == 0 }

	// Deadline 1 ns: expired on arrival.
	rawIngestHeaders(t, addr, 2, "1n")
	require.Eventually(t, zero, 5*time.Second, 5*time.Millisecond)
	_, err := client.Ingest(context.Background(), e.signedBatch(d, d.Key, 1, 3))
	require.NoError(t, err)

	// Two silent streams fill the budget until their client leaves.
	c := rawIngestHeaders(t, addr, 2, "100S")
	require.Eventually(t, func() bool { return inFlight(e)() == 2*ingest.MaxBodyBytes }, 5*time.Second, 5*time.Millisecond)
	_, err = client.Ingest(context.Background(), e.signedBatch(d, d.Key, 4, 3))
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	_ = c.Close()
	require.Eventually(t, zero, 5*time.Second, 5*time.Millisecond)

	// A silent stream that stays open is cut at the call limit.
	defer gateway.SetMaxIngestCall(300 * time.Millisecond)()
	rawIngestHeaders(t, addr, 2, "")
	require.Eventually(t, func() bool { return inFlight(e)() > 0 }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, zero, 5*time.Second, 5*time.Millisecond, "a silent stream holds its share past the call limit")
	_, err = client.Ingest(context.Background(), e.signedBatch(d, d.Key, 4, 3))
	require.NoError(t, err)
	require.Equal(t, uint64(6), e.head(d.Stream))
}

// One connection holds at most a quarter of the budget, however many
// silent streams it opens: devices on other connections still get in.
func TestBodyBudgetPerConnectionShare(t *testing.T) {
	e := newEnv(t) // default budget: 256 MiB, 64 MiB per connection
	d := e.addDevice("dev-share", devicetypes.KEY_TYPE_ED25519, e.home)
	addr := grpcAddr(t, e)
	rawIngestHeaders(t, addr, 64, "") // 16 open (the stream limit), the rest refused
	require.Eventually(t, func() bool { return inFlight(e)() == gateway.DefaultMaxBodyBytesInFlight/4 }, 5*time.Second, 5*time.Millisecond)
	_, err := dialGateway(t, addr).Ingest(context.Background(), e.signedBatch(d, d.Key, 1, 3))
	require.NoError(t, err)
	require.Equal(t, uint64(3), e.head(d.Stream))
}

// A client multiplexing more calls than its connection may run queues on
// the stream quota and is never refused for its share: a call's share is
// given back before its answer frees the stream slot.
func TestBodyBudgetBusyConnectionQueues(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("dev-busy", devicetypes.KEY_TYPE_ED25519, e.home)
	client := dialGateway(t, grpcAddr(t, e))
	_, err := client.Ingest(context.Background(), e.signedBatch(d, d.Key, 1, 1))
	require.NoError(t, err)
	replay := e.signedBatch(d, d.Key, 1, 1) // a cheap AlreadyExists, many times
	var refused, other atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 400 {
				_, err := client.Ingest(context.Background(), replay)
				switch status.Code(err) {
				case codes.AlreadyExists:
				case codes.Unavailable:
					refused.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.Zero(t, refused.Load(), "calls refused for the connection's share")
	require.Zero(t, other.Load())
	require.Eventually(t, func() bool { return inFlight(e)() == 0 }, 5*time.Second, 5*time.Millisecond)
}
