package gateway_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// grpcClient serves the env's gateway over gRPC on 127.0.0.1:0 and returns
// a stock grpc-go client (plus any dial options); both stop when the test
// ends.
func (e *env) grpcClient(opts ...grpc.DialOption) gatewaypb.GatewayClient {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(e.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.gw.Serve(ctx, nil, ln) }()
	opts = append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)
	conn, err := grpc.NewClient(ln.Addr().String(), opts...)
	require.NoError(e.t, err)
	e.t.Cleanup(func() {
		_ = conn.Close()
		cancel()
		require.NoError(e.t, <-done)
	})
	return gatewaypb.NewGatewayClient(conn)
}

// TestGRPC: the same checks over gRPC, with the status codes of the
// contract and the resync point recoverable from the error.
func TestGRPC(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("grpc-dev", devicetypes.KEY_TYPE_SECP256K1, e.home)
	away := e.addDevice("grpc-away", devicetypes.KEY_TYPE_ED25519, e.other)
	c := e.grpcClient()
	ctx := context.Background()

	resp, err := c.Ingest(ctx, e.signedBatch(d, d.Key, 1, 50))
	require.NoError(t, err)
	require.Equal(t, &gatewaypb.IngestResponse{StreamId: d.Stream, FirstSeq: 1, LastSeq: 50, AckedAt: resp.AckedAt}, resp)
	resp, err = c.Ingest(ctx, e.perReadingBatch(d, 51, 5))
	require.NoError(t, err)
	require.Equal(t, uint64(55), resp.LastSeq)

	head, err := c.Head(ctx, &gatewaypb.HeadRequest{StreamId: d.Stream})
	require.NoError(t, err)
	require.Equal(t, uint64(55), head.LastSeq)

	forged := e.signedBatch(d, d.Key, 56, 5)
	forged.Signature[0] ^= 1
	tooBig := e.signedBatch(d, d.Key, 56, 1)
	tooBig.Readings[0].Payload = make([]byte, 1025)

	for _, tc := range []struct {
		name    string
		req     *gatewaypb.IngestRequest
		code    codes.Code
		reason  gateway.Reason
		lastSeq uint64
	}{
		{"replay", e.signedBatch(d, d.Key, 1, 5), codes.AlreadyExists, gateway.ReasonReplay, 55},
		{"gap", e.signedBatch(d, d.Key, 60, 5), codes.OutOfRange, gateway.ReasonGap, 55},
		{"bad signature", forged, codes.Unauthenticated, gateway.ReasonBadSignature, 0},
		{"misdirected", e.signedBatch(away, away.Key, 1, 5), codes.FailedPrecondition, gateway.ReasonMisdirected, 0},
		{"too large", tooBig, codes.ResourceExhausted, gateway.ReasonTooLarge, 0},
		// 200,000 empty readings: decoded only up to 10,001, then refused.
		{"too many tiny readings", &gatewaypb.IngestRequest{StreamId: d.Stream, DeviceId: d.ID, FirstSeq: 56,
			Readings: make([]gatewaypb.Reading, 200_000)}, codes.ResourceExhausted, gateway.ReasonTooLarge, 0},
		{"malformed", &gatewaypb.IngestRequest{StreamId: d.Stream}, codes.InvalidArgument, gateway.ReasonMalformed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Ingest(ctx, tc.req)
			require.Equal(t, tc.code, status.Code(err), err)
			ge, ok := gateway.ErrorFromGRPC(err)
			require.True(t, ok)
			require.Equal(t, tc.reason, ge.Reason)
			require.Equal(t, tc.lastSeq, ge.LastSeq)
			require.Equal(t, uint64(55), e.head(d.Stream), "nothing stored")
		})
	}

	_, err = c.Prove(ctx, &gatewaypb.ProveRequest{StreamId: d.Stream, Seq: 3, Reader: e.readerSig(e.owner, d.Stream, 3, time.Now())})
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Contains(t, status.Convert(err).Message(), "pending")
}

// TestGRPCWithSDKCodec: a client that forces the SDK's gRPC codec (as
// node/device's client does, announcing its own content-subtype) talks to
// the gateway like a stock client.
func TestGRPCWithSDKCodec(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("sdk-codec", devicetypes.KEY_TYPE_ED25519, e.home)
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry()).GRPCCodec()
	c := e.grpcClient(grpc.WithDefaultCallOptions(grpc.ForceCodec(cdc)))
	ctx := context.Background()

	resp, err := c.Ingest(ctx, e.perReadingBatch(d, 1, 3))
	require.NoError(t, err)
	require.Equal(t, uint64(3), resp.LastSeq)
	_, err = c.Ingest(ctx, e.signedBatch(d, d.Key, 2, 3))
	ge, ok := gateway.ErrorFromGRPC(err)
	require.True(t, ok, err)
	require.Equal(t, gateway.ReasonReplay, ge.Reason)
	require.Equal(t, uint64(3), ge.LastSeq)
	require.Equal(t, uint64(3), e.head(d.Stream))
}
