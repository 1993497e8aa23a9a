package gateway_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/trustedge/trustedge/node/gateway"
)

// TestErrorCodes pins the reason -> HTTP status -> gRPC code table: devices
// branch on it, so a change is an API change.
func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		reason gateway.Reason
		http   int
		grpc   codes.Code
	}{
		{gateway.ReasonMalformed, http.StatusBadRequest, codes.InvalidArgument},
		{gateway.ReasonBadSignature, http.StatusUnauthorized, codes.Unauthenticated},
		{gateway.ReasonForbidden, http.StatusForbidden, codes.PermissionDenied},
		{gateway.ReasonMisdirected, http.StatusMisdirectedRequest, codes.FailedPrecondition},
		{gateway.ReasonReplay, http.StatusConflict, codes.AlreadyExists},
		{gateway.ReasonGap, http.StatusConflict, codes.OutOfRange},
		{gateway.ReasonTooLarge, http.StatusRequestEntityTooLarge, codes.ResourceExhausted},
		{gateway.ReasonRateLimited, http.StatusTooManyRequests, codes.ResourceExhausted},
		{gateway.ReasonNotFound, http.StatusNotFound, codes.NotFound},
		{gateway.ReasonPending, http.StatusNotFound, codes.NotFound},
		{gateway.ReasonPruned, http.StatusGone, codes.NotFound},
		{gateway.ReasonUnavailable, http.StatusServiceUnavailable, codes.Unavailable},
	} {
		e := &gateway.Error{Reason: tc.reason, Message: "why"}
		require.Equal(t, tc.http, e.HTTPStatus(), tc.reason)
		st, ok := status.FromError(e)
		require.True(t, ok)
		require.Equal(t, tc.grpc, st.Code(), tc.reason)
		require.Equal(t, string(tc.reason)+": why", st.Message())
	}
	unknown := &gateway.Error{Reason: "nonsense"}
	require.Equal(t, http.StatusInternalServerError, unknown.HTTPStatus())
	require.Equal(t, codes.Internal, status.Code(unknown))
}

func TestErrorBody(t *testing.T) {
	bz, err := json.Marshal((&gateway.Error{Reason: gateway.ReasonForbidden, Message: "device \"d\" is suspended"}).Body())
	require.NoError(t, err)
	require.JSONEq(t, `{"code":403,"error":"forbidden","message":"device \"d\" is suspended"}`, string(bz))

	// last_seq is present for 409 even when 0 (a stream with nothing stored).
	bz, err = json.Marshal((&gateway.Error{Reason: gateway.ReasonGap, Message: "gap", LastSeq: 0}).Body())
	require.NoError(t, err)
	require.JSONEq(t, `{"code":409,"error":"gap","message":"gap","last_seq":0}`, string(bz))
}

// TestErrorFromGRPC: a refusal survives the trip through a gRPC status
// with its reason, last_seq and retry-after.
func TestErrorFromGRPC(t *testing.T) {
	for _, in := range []*gateway.Error{
		{Reason: gateway.ReasonReplay, Message: "already stored", LastSeq: 41},
		{Reason: gateway.ReasonGap, Message: "gap", LastSeq: 0},
		{Reason: gateway.ReasonRateLimited, Message: "slow down", RetryAfterSeconds: 3},
		{Reason: gateway.ReasonMisdirected, Message: "go elsewhere"},
	} {
		// What a client sees: a status error rebuilt from the wire form.
		wire := status.FromProto(status.Convert(in).Proto()).Err()
		out, ok := gateway.ErrorFromGRPC(wire)
		require.True(t, ok, in.Reason)
		require.Equal(t, in, out)
	}
	_, ok := gateway.ErrorFromGRPC(errors.New("connection refused"))
	require.False(t, ok)
	_, ok = gateway.ErrorFromGRPC(status.Error(codes.Unavailable, "transport is closing"))
	require.False(t, ok, "a status without the gateway's ErrorInfo is not a gateway refusal")
}
