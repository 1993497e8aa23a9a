package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
)

// transportKey marks a request's context with the transport that carried
// it ("http"; gRPC requests carry no mark), for the request log.
type transportKey struct{}

func withTransport(ctx context.Context, t string) context.Context {
	return context.WithValue(ctx, transportKey{}, t)
}

func transportOf(ctx context.Context) string {
	if t, ok := ctx.Value(transportKey{}).(string); ok {
		return t
	}
	return "grpc"
}

// logIngest writes the one line an ingest request gets: every interaction
// is in the node's log at Info (the audit trail an operator greps), unless
// Config.QuietAccepted moves successes to Debug for very busy gateways.
func (g *Gateway) logIngest(ctx context.Context, req *gatewaypb.IngestRequest, start time.Time, e *Error) {
	kv := []any{
		"transport", transportOf(ctx),
		"stream", req.GetStreamId(),
		"device", req.GetDeviceId(),
		"first_seq", req.GetFirstSeq(),
		"n", len(req.GetReadings()),
	}
	g.logResult("ingest", kv, start, e)
}

// logQuery writes the one line a head or prove request gets.
func (g *Gateway) logQuery(ctx context.Context, op, stream string, seq uint64, start time.Time, e *Error, extra ...any) {
	kv := []any{"transport", transportOf(ctx), "stream", stream}
	if seq != 0 {
		kv = append(kv, "seq", seq)
	}
	kv = append(kv, extra...)
	g.logResult(op, kv, start, e)
}

func (g *Gateway) logResult(op string, kv []any, start time.Time, e *Error) {
	kv = append(kv, "duration", time.Since(start))
	if e == nil {
		if g.cfg.QuietAccepted {
			g.log.Debug(op, append(kv, "status", http.StatusOK)...)
		} else {
			g.log.Info(op, append(kv, "status", http.StatusOK)...)
		}
		return
	}
	g.log.Info(op, append(kv, "status", e.HTTPStatus(), "reason", string(e.Reason), "detail", e.Message)...)
}
