package device_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"google.golang.org/grpc"

	"github.com/trustedge/trustedge/node/device"
	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
)

// refusingGateway answers every Prove with one gateway refusal, encoded by
// node/gateway itself (gateway.Error: its HTTP body and status, its gRPC
// status with the ErrorInfo detail).
type refusingGateway struct {
	gatewaypb.UnimplementedGatewayServer
	e *gateway.Error
}

func (s *refusingGateway) Prove(context.Context, *gatewaypb.ProveRequest) (*gatewaypb.ProveResponse, error) {
	return nil, s.e
}

// TestGRPCAndHTTPClientsAgreeOnEveryReason checks the device SDK's rule that
// "every refusal is an *APIError{Status, Reason, ...}" the same over HTTP and
// gRPC (node/device README, "Errors"). The gateway refuses proofs with
// reasons pending (404), pruned (410) and unauthenticated (401), and sends
// them over gRPC with the ErrorInfo detail. apiErrorFromGRPC
// (client_grpc.go) only knows the reasons listed in reasonStatus, which
// lacks these three: it then overwrites the gateway's reason with the gRPC
// code's name and the status with 500. A gRPC client is told "notfound"/500
// for a pending reading (it cannot tell pending from never stored) and for a
// pruned one, and IsRetryable says a pruned reading or an unsigned proof
// request is worth retrying, while the HTTP client gets 404 pending, 410
// pruned and 401 unauthenticated, none retryable.
func TestGRPCAndHTTPClientsAgreeOnEveryReason(t *testing.T) {
	ctx := context.Background()
	// Every reason node/gateway defines (errors.go).
	for _, e := range []*gateway.Error{
		{Reason: gateway.ReasonMalformed, Message: "bad body"},
		{Reason: gateway.ReasonBadSignature, Message: "signature"},
		{Reason: gateway.ReasonForbidden, Message: "no write grant"},
		{Reason: gateway.ReasonMisdirected, Message: "homed elsewhere"},
		{Reason: gateway.ReasonReplay, Message: "seq 3", LastSeq: 5},
		{Reason: gateway.ReasonGap, Message: "seq 9", LastSeq: 5},
		{Reason: gateway.ReasonTooLarge, Message: "too many readings"},
		{Reason: gateway.ReasonRateLimited, Message: "slow down", RetryAfterSeconds: 2},
		{Reason: gateway.ReasonNotFound, Message: "no such reading"},
		{Reason: gateway.ReasonUnavailable, Message: "store closed"},
		{Reason: gateway.ReasonPending, Message: "reading 7 of stream \"s.pm25\" is pending"},
		{Reason: gateway.ReasonPruned, Message: "reading 7 of stream \"s.pm25\" was pruned"},
		{Reason: gateway.ReasonTimeout, Message: "body too slow"},
		{Reason: gateway.ReasonUnauthenticated, Message: "sign the request"},
	} {
		t.Run(string(e.Reason), func(t *testing.T) {
			// HTTP: the gateway's error body and status (http.go writeError).
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if e.RetryAfterSeconds > 0 {
					w.Header().Set("Retry-After", strconv.FormatInt(e.RetryAfterSeconds, 10))
				}
				writeJSON(w, e.HTTPStatus(), e.Body())
			}))
			defer hs.Close()
			hc, err := device.NewClient(hs.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, herr := hc.Prove(ctx, "s.pm25", 7, nil)

			// gRPC: the gateway's status (errors.go GRPCStatus).
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := grpc.NewServer()
			gatewaypb.RegisterGatewayServer(srv, &refusingGateway{e: e})
			go func() { _ = srv.Serve(lis) }()
			defer srv.Stop()
			gc, err := device.NewGRPCClient(lis.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer gc.Close()
			_, gerr := gc.Prove(ctx, "s.pm25", 7, nil)

			var hAPI, gAPI *device.APIError
			if !errors.As(herr, &hAPI) || !errors.As(gerr, &gAPI) {
				t.Fatalf("not API errors: http %v, grpc %v", herr, gerr)
			}
			if hAPI.Reason != string(e.Reason) || hAPI.Status != e.HTTPStatus() {
				t.Fatalf("HTTP client: %d %s, want %d %s", hAPI.Status, hAPI.Reason, e.HTTPStatus(), e.Reason)
			}
			if gAPI.Reason != hAPI.Reason || gAPI.Status != hAPI.Status || gAPI.LastSeq != hAPI.LastSeq || gAPI.RetryAfter != hAPI.RetryAfter {
				t.Errorf("gRPC client: %+v, HTTP client: %+v (gateway sent reason %q in its ErrorInfo)", gAPI, hAPI, e.Reason)
			}
			if device.IsRetryable(ctx, gerr) != device.IsRetryable(ctx, herr) {
				t.Errorf("IsRetryable: gRPC %v, HTTP %v", device.IsRetryable(ctx, gerr), device.IsRetryable(ctx, herr))
			}
		})
	}
}
