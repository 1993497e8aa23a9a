package device

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// GRPCClient talks to a gateway's gRPC service (trustedge.gateway.v1.Gateway).
// Refusals come back as the same *APIError the HTTP client gives.
type GRPCClient struct {
	conn *grpc.ClientConn
	gw   gatewaypb.GatewayClient
}

var _ Transport = (*GRPCClient)(nil)

// Conventions of the gateway's gRPC refusals: a google.rpc.ErrorInfo detail
// in this domain carries the reason and, in its metadata, last_seq (replay,
// gap) and retry_after_seconds (rate_limited).
const (
	grpcErrorDomain    = "trustedge.gateway.v1"
	grpcMetaLastSeq    = "last_seq"
	grpcMetaRetryAfter = "retry_after_seconds"
)

// NewGRPCClient connects (lazily, on first call) to target, for example
// 127.0.0.1:8081. Plaintext: the gateway listens on the edge network; the
// device signature, not the channel, is what authenticates a batch.
func NewGRPCClient(target string, opts ...grpc.DialOption) (*GRPCClient, error) {
	// gatewaypb is gogoproto-generated: the SDK's codec marshals it (the
	// stock grpc codec needs protobuf-go messages).
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry()).GRPCCodec()
	all := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(cdc), grpc.MaxCallSendMsgSize(ingest.MaxBodyBytes)),
	}, opts...)
	conn, err := grpc.NewClient(target, all...)
	if err != nil {
		return nil, fmt.Errorf("gateway grpc %q: %w", target, err)
	}
	return &GRPCClient{conn: conn, gw: gatewaypb.NewGatewayClient(conn)}, nil
}

// Close closes the connection.
func (c *GRPCClient) Close() error { return c.conn.Close() }

// Ingest sends one signed batch.
func (c *GRPCClient) Ingest(ctx context.Context, req *gatewaypb.IngestRequest) (*gatewaypb.IngestResponse, error) {
	resp, err := c.gw.Ingest(ctx, req)
	if err != nil {
		return nil, apiErrorFromGRPC(ctx, err)
	}
	return resp, nil
}

// Head returns the stream's last acknowledged sequence number.
func (c *GRPCClient) Head(ctx context.Context, streamID string) (*gatewaypb.HeadResponse, error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return nil, permanent(err)
	}
	resp, err := c.gw.Head(ctx, &gatewaypb.HeadRequest{StreamId: streamID})
	if err != nil {
		return nil, apiErrorFromGRPC(ctx, err)
	}
	return resp, nil
}

// Prove returns a reading with its Merkle proof; reader as Client.Prove.
func (c *GRPCClient) Prove(ctx context.Context, streamID string, seq uint64, reader *gatewaypb.ReaderSignature) (*gatewaypb.ProveResponse, error) {
	resp, err := c.gw.Prove(ctx, &gatewaypb.ProveRequest{StreamId: streamID, Seq: seq, Reader: reader})
	if err != nil {
		return nil, apiErrorFromGRPC(ctx, err)
	}
	return resp, nil
}

// grpcReasons maps status codes to reasons for refusals without an
// ErrorInfo detail (the gateway's own mapping, read backwards;
// ResourceExhausted is ambiguous and taken as the retryable one).
var grpcReasons = map[codes.Code]string{
	codes.InvalidArgument:    ReasonMalformed,
	codes.Unauthenticated:    ReasonBadSignature,
	codes.PermissionDenied:   ReasonForbidden,
	codes.FailedPrecondition: ReasonMisdirected,
	codes.AlreadyExists:      ReasonReplay,
	codes.OutOfRange:         ReasonGap,
	codes.ResourceExhausted:  ReasonRateLimited,
	codes.NotFound:           ReasonNotFound,
	codes.Unavailable:        ReasonUnavailable,
}

// reasonStatus is the HTTP status of each reason, so code above the
// transport sees one kind of error.
var reasonStatus = map[string]int{
	ReasonMalformed:    http.StatusBadRequest,
	ReasonBadSignature: http.StatusUnauthorized,
	ReasonForbidden:    http.StatusForbidden,
	ReasonMisdirected:  http.StatusMisdirectedRequest,
	ReasonReplay:       http.StatusConflict,
	ReasonGap:          http.StatusConflict,
	ReasonTooLarge:     http.StatusRequestEntityTooLarge,
	ReasonRateLimited:  http.StatusTooManyRequests,
	ReasonNotFound:     http.StatusNotFound,
	ReasonUnavailable:  http.StatusServiceUnavailable,
	// Proof refusals: without them a gRPC client would see "notfound"/500
	// (retryable) where the HTTP client sees 404 pending, 410 pruned, 401.
	ReasonPending:         http.StatusNotFound,
	ReasonPruned:          http.StatusGone,
	ReasonUnauthenticated: http.StatusUnauthorized,
	ReasonTimeout:         http.StatusRequestTimeout,
}

// apiErrorFromGRPC turns a gRPC status into an *APIError. The caller's own
// cancellation stays a context error; a deadline inside the call or an
// unknown failure becomes a retryable 5xx. (Unavailable, which grpc-go also
// uses for connection failures, is a 503 and so retryable too.)
func apiErrorFromGRPC(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	e := &APIError{Message: st.Message()}
	for _, d := range st.Details() {
		info, isInfo := d.(*errdetails.ErrorInfo)
		if !isInfo || info.Domain != grpcErrorDomain {
			continue
		}
		e.Reason, e.FromGateway = info.Reason, true
		e.LastSeq, _ = strconv.ParseUint(info.Metadata[grpcMetaLastSeq], 10, 64)
		if secs, perr := strconv.ParseInt(info.Metadata[grpcMetaRetryAfter], 10, 64); perr == nil && secs > 0 {
			e.RetryAfter = time.Duration(min(secs, 3600)) * time.Second
		}
		break
	}
	if e.Reason == "" {
		e.Reason = grpcReasons[st.Code()]
	}
	e.Message = strings.TrimPrefix(e.Message, e.Reason+": ")
	switch s, known := reasonStatus[e.Reason]; {
	case known:
		e.Status = s
	case st.Code() == codes.DeadlineExceeded:
		e.Status, e.Reason = http.StatusGatewayTimeout, ReasonTimeout
	default:
		e.Status, e.Reason = http.StatusInternalServerError, strings.ToLower(st.Code().String())
	}
	return e
}
