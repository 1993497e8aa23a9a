package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
)

// Reason is the machine-readable cause of a refusal: the "error" field of an
// HTTP error body and the prefix of a gRPC status message.
type Reason string

// Reasons a request is refused. Devices branch on these, so they are part of
// the API: add new ones, never rename.
const (
	ReasonMalformed    Reason = "malformed"
	ReasonBadSignature Reason = "bad_signature"
	ReasonForbidden    Reason = "forbidden"
	ReasonMisdirected  Reason = "misdirected"
	ReasonReplay       Reason = "replay"
	ReasonGap          Reason = "gap"
	ReasonTooLarge     Reason = "too_large"
	ReasonRateLimited  Reason = "rate_limited"
	ReasonNotFound     Reason = "not_found"
	ReasonUnavailable  Reason = "unavailable"
	// ReasonPending: the reading is stored but in no closed epoch yet
	// (404 / NotFound like not_found; clients waiting for a proof retry).
	ReasonPending Reason = "pending"
	// ReasonPruned: the reading's epoch is on chain but retention removed
	// the reading itself (410 / NotFound).
	ReasonPruned Reason = "pruned"
	// ReasonTimeout: the HTTP body did not arrive at the minimum rate
	// (408; nothing stored, the device resends).
	ReasonTimeout Reason = "timeout"
	// ReasonUnauthenticated: a proof request without a reader signature on
	// a gateway that serves proofs to permitted readers only (401).
	ReasonUnauthenticated Reason = "unauthenticated"
)

// reasonCodes maps each reason to its HTTP status and gRPC code, so the two
// transports can never disagree.
var reasonCodes = map[Reason]struct {
	http int
	grpc codes.Code
}{
	ReasonMalformed:       {http.StatusBadRequest, codes.InvalidArgument},
	ReasonBadSignature:    {http.StatusUnauthorized, codes.Unauthenticated},
	ReasonForbidden:       {http.StatusForbidden, codes.PermissionDenied},
	ReasonMisdirected:     {http.StatusMisdirectedRequest, codes.FailedPrecondition},
	ReasonReplay:          {http.StatusConflict, codes.AlreadyExists},
	ReasonGap:             {http.StatusConflict, codes.OutOfRange},
	ReasonTooLarge:        {http.StatusRequestEntityTooLarge, codes.ResourceExhausted},
	ReasonRateLimited:     {http.StatusTooManyRequests, codes.ResourceExhausted},
	ReasonNotFound:        {http.StatusNotFound, codes.NotFound},
	ReasonPending:         {http.StatusNotFound, codes.NotFound},
	ReasonPruned:          {http.StatusGone, codes.NotFound},
	ReasonUnavailable:     {http.StatusServiceUnavailable, codes.Unavailable},
	ReasonTimeout:         {http.StatusRequestTimeout, codes.DeadlineExceeded},
	ReasonUnauthenticated: {http.StatusUnauthorized, codes.Unauthenticated},
}

// Error is a refused request. It is the error every Gateway method returns,
// and it carries everything both transports need: gRPC reads its status
// through GRPCStatus, HTTP writes Body.
type Error struct {
	Reason  Reason
	Message string
	// LastSeq is the stream's last acknowledged sequence number, set for
	// replay and gap so the device can resync without another round trip.
	LastSeq uint64
	// RetryAfterSeconds is set for rate_limited (the Retry-After header).
	RetryAfterSeconds int64
}

func newError(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Message: fmt.Sprintf(format, args...)}
}

// Error implements error.
func (e *Error) Error() string { return string(e.Reason) + ": " + e.Message }

// HTTPStatus is the HTTP status code of the refusal.
func (e *Error) HTTPStatus() int {
	if c, ok := reasonCodes[e.Reason]; ok {
		return c.http
	}
	return http.StatusInternalServerError
}

// ErrorDomain is the ErrorInfo domain of gateway refusals over gRPC.
const ErrorDomain = "trustedge.gateway.v1"

// ErrorInfo metadata keys (gRPC has no body: the resync point and the wait
// travel here).
const (
	metaLastSeq    = "last_seq"
	metaRetryAfter = "retry_after_seconds"
)

// GRPCStatus lets grpc-go (status.FromError) send the right code. The
// message is the HTTP message prefixed with the reason; an ErrorInfo detail
// carries the reason, last_seq (replay, gap) and retry_after_seconds
// (rate_limited) for clients (see ErrorFromGRPC).
func (e *Error) GRPCStatus() *status.Status {
	c, ok := reasonCodes[e.Reason]
	if !ok {
		return status.New(codes.Internal, e.Error())
	}
	st := status.New(c.grpc, e.Error())
	info := &errdetails.ErrorInfo{Reason: string(e.Reason), Domain: ErrorDomain, Metadata: map[string]string{}}
	if e.Reason == ReasonReplay || e.Reason == ReasonGap {
		info.Metadata[metaLastSeq] = strconv.FormatUint(e.LastSeq, 10)
	}
	if e.RetryAfterSeconds > 0 {
		info.Metadata[metaRetryAfter] = strconv.FormatInt(e.RetryAfterSeconds, 10)
	}
	if withInfo, err := st.WithDetails(protoadapt.MessageV1Of(info)); err == nil {
		return withInfo
	}
	return st
}

// ErrorFromGRPC turns an error returned by a gateway gRPC client back into
// an *Error (reason, message, last_seq, retry-after). ok is false when err
// is not a gateway refusal (transport errors, other servers).
func ErrorFromGRPC(err error) (*Error, bool) {
	st, isStatus := status.FromError(err)
	if !isStatus || st.Code() == codes.OK {
		return nil, false
	}
	for _, d := range st.Details() {
		info, isInfo := d.(*errdetails.ErrorInfo)
		if !isInfo || info.Domain != ErrorDomain {
			continue
		}
		e := &Error{Reason: Reason(info.Reason), Message: strings.TrimPrefix(st.Message(), info.Reason+": ")}
		e.LastSeq, _ = strconv.ParseUint(info.Metadata[metaLastSeq], 10, 64)
		e.RetryAfterSeconds, _ = strconv.ParseInt(info.Metadata[metaRetryAfter], 10, 64)
		return e, true
	}
	return nil, false
}

// ErrorBody is the JSON body of every non-2xx HTTP answer.
type ErrorBody struct {
	Code    int    `json:"code"`
	Error   Reason `json:"error"`
	Message string `json:"message"`
	// LastSeq is present only for 409 (replay, gap).
	LastSeq *uint64 `json:"last_seq,omitempty"`
}

// Body is the HTTP error body of e.
func (e *Error) Body() ErrorBody {
	b := ErrorBody{Code: e.HTTPStatus(), Error: e.Reason, Message: e.Message}
	if e.Reason == ReasonReplay || e.Reason == ReasonGap {
		ls := e.LastSeq
		b.LastSeq = &ls
	}
	return b
}

// asError returns err as an *Error; every Gateway method returns one, and
// anything else is a bug reported as unavailable rather than a panic.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return newError(ReasonUnavailable, "internal error: %v", err)
}
