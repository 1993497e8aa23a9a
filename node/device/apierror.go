package device

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Reasons the gateway gives for a refusal (the "error" field of an HTTP
// error body, the ErrorInfo reason over gRPC). They are the gateway's API;
// the Batcher branches on them.
const (
	ReasonMalformed    = "malformed"
	ReasonBadSignature = "bad_signature"
	ReasonForbidden    = "forbidden"
	ReasonMisdirected  = "misdirected"
	ReasonReplay       = "replay"
	ReasonGap          = "gap"
	ReasonTooLarge     = "too_large"
	ReasonRateLimited  = "rate_limited"
	ReasonNotFound     = "not_found"
	ReasonPending      = "pending" // proof asked before the reading's epoch closed
	ReasonPruned       = "pruned"  // committed, then removed by the stream's retention
	ReasonUnavailable  = "unavailable"
	// ReasonUnauthenticated: a proof asked without a reader signature of
	// a gateway that serves proofs to permitted readers only.
	ReasonUnauthenticated = "unauthenticated"
	// ReasonTimeout: the gateway gave up on a body that arrived too
	// slowly (nothing stored; resend).
	ReasonTimeout = "timeout"
)

// APIError is a request the gateway answered with a refusal.
type APIError struct {
	// Status is the HTTP status (for gRPC: the status the reason maps to).
	Status  int
	Reason  string
	Message string
	// LastSeq is the stream's last acknowledged sequence number; the gateway
	// sets it for 409 (replay, gap).
	LastSeq uint64
	// RetryAfter is how long the gateway asked to wait (429, maybe 503).
	RetryAfter time.Duration
	// FromGateway: the refusal came from the gateway itself (its JSON error
	// body, or a gRPC ErrorInfo of its domain), so the request was answered
	// and this try stored nothing. Without it (a proxy's or load
	// balancer's status, a gRPC transport failure) the outcome is unknown.
	FromGateway bool
}

// Error implements error.
func (e *APIError) Error() string {
	s := fmt.Sprintf("gateway refused (%d %s)", e.Status, e.Reason)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Status == http.StatusConflict {
		s += fmt.Sprintf(" (last_seq %d)", e.LastSeq)
	}
	return s
}

// Temporary reports whether the same request may succeed later: rate
// limits, timeouts and server-side failures. Everything else in 4xx is the
// request's fault and will be refused again.
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// Conflict reports a sequence conflict (409 replay or gap): the batch is
// fine but numbered wrong for the stream's current head.
func (e *APIError) Conflict() bool { return e.Status == http.StatusConflict }

// IsRetryable reports whether a failed call should be retried unchanged:
// a temporary refusal, or a transport failure (connection refused or reset,
// timeout, a 2xx body cut short). A cancelled or expired caller context is
// not: the caller gave up.
func IsRetryable(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	if apiErr, ok := errorsAsAPI(err); ok {
		return apiErr.Temporary()
	}
	var permanent *permanentError
	return !errors.As(err, &permanent)
}

// permanentError marks a local failure that retrying cannot fix (a request
// that cannot be encoded, an unusable gateway URL).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err: err} }

// errorsAsAPI is errors.As for *APIError.
func errorsAsAPI(err error) (*APIError, bool) {
	var apiErr *APIError
	ok := errors.As(err, &apiErr)
	return apiErr, ok
}
