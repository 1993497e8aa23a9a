package gateway

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/tap"

	"github.com/trustedge/trustedge/node/ingest"
)

// Request bodies are held in memory whole before anything about them can be
// checked: an HTTP body is read before decoding, and grpc-go reads a whole
// message before the handler runs. Without a bound, clients that send most
// of a 4 MiB body and then stall (no signature needed) could pin gigabytes
// in the process that is also a validator. The body budget bounds the bytes
// held by requests in flight, across both transports:
//   - HTTP reserves the declared Content-Length (the largest body when
//     chunked) before reading it, and releases it after decoding;
//   - gRPC cannot know a message's size before reading it, so each Ingest
//     call reserves the largest message when its stream opens (a tap, which
//     can refuse the call before a byte of the message is read) and releases
//     it when the call ends (a stats handler's End event, which grpc-go
//     sends for every call that got past the tap, however it ended).
// A request that cannot get its share within budgetWait is refused as
// unavailable with Retry-After 1: the node is busy, the batch is intact.

// DefaultMaxBodyBytesInFlight is the default body budget: 64 largest
// messages at once, far above what the decode slots can work through.
const DefaultMaxBodyBytesInFlight = 256 << 20

// budgetWait is how long an HTTP request waits for budget before it is
// refused; gRPC taps must not block, so a gRPC call is refused at once.
const budgetWait = 2 * time.Second

// busyRetrySeconds is the wait a request refused for budget is told to take.
const busyRetrySeconds = 1

const ingestMethod = "/trustedge.gateway.v1.Gateway/Ingest"

type bodyBudget struct {
	sem   *semaphore.Weighted
	bytes int64
	inUse atomic.Int64 // reserved now (for /healthz)
}

func (b *bodyBudget) take(n int64) { b.inUse.Add(n) }
func (b *bodyBudget) give(n int64) { b.inUse.Add(-n); b.sem.Release(n) }

func newBodyBudget(bytes int64) *bodyBudget {
	return &bodyBudget{sem: semaphore.NewWeighted(bytes), bytes: bytes}
}

func busyError(what string, n, budget int64) *Error {
	e := newError(ReasonUnavailable, "busy: %s needs %d bytes of the %d-byte budget for request bodies in flight; retry later", what, n, budget)
	e.RetryAfterSeconds = busyRetrySeconds
	return e
}

// acquireHTTP reserves room for a body of contentLength bytes (-1: unknown,
// taken as the largest body).
func (b *bodyBudget) acquireHTTP(ctx context.Context, contentLength int64) (release func(), e *Error) {
	n := contentLength
	if n < 0 || n > ingest.MaxBodyBytes {
		n = ingest.MaxBodyBytes
	}
	n = max(n, 1)
	wctx, cancel := context.WithTimeout(ctx, budgetWait)
	defer cancel()
	if err := b.sem.Acquire(wctx, n); err != nil {
		return nil, busyError("this body", n, b.bytes)
	}
	b.take(n)
	return func() { b.give(n) }, nil
}

// budgetToken is the reservation of one gRPC Ingest call, released once.
type budgetToken struct {
	once sync.Once
	b    *bodyBudget
}

func (t *budgetToken) release() { t.once.Do(func() { t.b.give(ingest.MaxBodyBytes) }) }

type budgetTokenKey struct{}

// tap reserves the largest message for each Ingest call, or refuses it.
func (b *bodyBudget) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	if info.FullMethodName != ingestMethod {
		return ctx, nil // heads and proofs have tiny requests
	}
	if !b.sem.TryAcquire(ingest.MaxBodyBytes) {
		return ctx, busyError("an Ingest call", ingest.MaxBodyBytes, b.bytes)
	}
	b.take(ingest.MaxBodyBytes)
	return context.WithValue(ctx, budgetTokenKey{}, &budgetToken{b: b}), nil
}

// budgetStats releases a call's reservation when the call ends.
type budgetStats struct{}

func (budgetStats) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (budgetStats) HandleRPC(ctx context.Context, s stats.RPCStats) {
	if _, end := s.(*stats.End); !end {
		return
	}
	if t, ok := ctx.Value(budgetTokenKey{}).(*budgetToken); ok {
		t.release()
	}
}
func (budgetStats) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (budgetStats) HandleConn(context.Context, stats.ConnStats)                       {}
