package gateway

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/tap"

	"github.com/trustedge/trustedge/node/ingest"
)

// Request bodies are held in memory whole before anything about them can be
// checked: an HTTP body is read before decoding, and grpc-go allocates a
// whole message as soon as its 5-byte length prefix arrives, before the
// handler runs. Without a bound, clients that send most of a 4 MiB body and
// then stall (no signature needed) could pin gigabytes in the process that
// is also a validator. The body budget bounds the bytes held by requests in
// flight, across both transports:
//   - HTTP reserves the declared Content-Length (the largest body when
//     chunked) before reading it, and releases it once answered;
//   - gRPC cannot know a message's size before reading it, so each Ingest
//     call reserves the largest message when its stream opens (a tap, which
//     can refuse the call before a byte of the message is read) and gives it
//     back when the call's context ends — which grpc-go does for every
//     stream that got past the tap, however it ended (answered, cancelled,
//     its deadline already passed on arrival, its connection dropped) — or
//     when the call's stats End event comes, whichever is first. A call
//     may take at most maxIngestCall, so a stream that opens and then sends
//     nothing holds its share for that long, not for the connection's life.
// One connection may hold at most a quarter of the budget (perConnShare),
// so a single client cannot take all of it, however many calls or bodies
// it opens. Many connections still can: the budget turns memory exhaustion
// into 503s, which network-level limits (connections per address) should
// bound in front of a gateway open to untrusted networks.
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

// maxIngestCall bounds a gRPC Ingest call (nanoseconds), as maxBodyWait
// bounds an HTTP body: a 4 MiB message at the minimum rate, plus the
// call's own work. A variable only so tests can shorten it.
var maxIngestCall atomic.Int64

func init() { maxIngestCall.Store(int64(maxBodyWait)) }

const ingestMethod = "/trustedge.gateway.v1.Gateway/Ingest"

type bodyBudget struct {
	sem          *semaphore.Weighted
	bytes        int64
	perConnShare int64
	inUse        atomic.Int64 // reserved now (for /healthz)

	mu     sync.Mutex
	byConn map[string]int64 // reserved per connection (remote address)
}

func newBodyBudget(bytes int64) *bodyBudget {
	return &bodyBudget{
		sem: semaphore.NewWeighted(bytes), bytes: bytes,
		perConnShare: max(bytes/4, 2*ingest.MaxBodyBytes),
		byConn:       map[string]int64{},
	}
}

func busyError(what string, n, budget int64) *Error {
	e := newError(ReasonUnavailable, "busy: %s needs %d bytes of the %d-byte budget for request bodies in flight; retry later", what, n, budget)
	e.RetryAfterSeconds = busyRetrySeconds
	return e
}

// connShare books n bytes for conn, or refuses past perConnShare.
func (b *bodyBudget) connShare(conn string, n int64) *Error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byConn[conn]+n > b.perConnShare {
		e := newError(ReasonUnavailable, "busy: this connection would hold %d bytes of request bodies in flight, at most %d are allowed per connection; retry later",
			b.byConn[conn]+n, b.perConnShare)
		e.RetryAfterSeconds = busyRetrySeconds
		return e
	}
	b.byConn[conn] += n
	return nil
}

func (b *bodyBudget) unshare(conn string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byConn[conn] -= n; b.byConn[conn] <= 0 {
		delete(b.byConn, conn)
	}
}

func (b *bodyBudget) give(conn string, n int64) {
	b.unshare(conn, n)
	b.inUse.Add(-n)
	b.sem.Release(n)
}

// acquireHTTP reserves room for a body of contentLength bytes (-1: unknown,
// taken as the largest body) from the connection at remoteAddr.
func (b *bodyBudget) acquireHTTP(ctx context.Context, remoteAddr string, contentLength int64) (release func(), e *Error) {
	n := contentLength
	if n < 0 || n > ingest.MaxBodyBytes {
		n = ingest.MaxBodyBytes
	}
	n = max(n, 1)
	if e := b.connShare(remoteAddr, n); e != nil {
		return nil, e
	}
	wctx, cancel := context.WithTimeout(ctx, budgetWait)
	defer cancel()
	if err := b.sem.Acquire(wctx, n); err != nil {
		b.unshare(remoteAddr, n)
		return nil, busyError("this body", n, b.bytes)
	}
	b.inUse.Add(n)
	return func() { b.give(remoteAddr, n) }, nil
}

// budgetToken is the reservation of one gRPC Ingest call, released once.
type budgetToken struct {
	once   sync.Once
	b      *bodyBudget
	conn   string
	cancel context.CancelFunc
}

func (t *budgetToken) release() {
	t.once.Do(func() {
		t.b.give(t.conn, ingest.MaxBodyBytes)
		t.cancel()
	})
}

type budgetTokenKey struct{}

// tap reserves the largest message for each Ingest call, or refuses it. It
// runs under the transport's lock, so it only tries, never waits.
func (b *bodyBudget) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	if info.FullMethodName != ingestMethod {
		return ctx, nil // heads and proofs have tiny requests
	}
	var conn string
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		conn = p.Addr.String()
	}
	if e := b.connShare(conn, ingest.MaxBodyBytes); e != nil {
		return ctx, e
	}
	if !b.sem.TryAcquire(ingest.MaxBodyBytes) {
		b.unshare(conn, ingest.MaxBodyBytes)
		return ctx, busyError("an Ingest call", ingest.MaxBodyBytes, b.bytes)
	}
	b.inUse.Add(ingest.MaxBodyBytes)
	// The call's context ends when the stream does, whatever happens to
	// it; its deadline bounds a stream that opens and sends nothing.
	cctx, cancel := context.WithTimeout(ctx, time.Duration(maxIngestCall.Load()))
	tok := &budgetToken{b: b, conn: conn, cancel: cancel}
	context.AfterFunc(cctx, tok.release)
	return context.WithValue(cctx, budgetTokenKey{}, tok), nil
}

// releaseBudget is a unary interceptor that gives an Ingest call's
// reservation back as soon as its handler returns, before the answer is
// written: the client gets its stream slot back only with the answer, so a
// client that keeps all its allowed calls busy never finds its previous
// call's share still booked. The context and the stats End are backstops
// for calls that never reach a handler.
func releaseBudget(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if t, ok := ctx.Value(budgetTokenKey{}).(*budgetToken); ok {
		defer t.release()
	}
	return handler(ctx, req)
}

// streamsPerConn is how many calls a gRPC connection may run at once: as
// many largest messages as its share of the budget holds, at most 16, so a
// client multiplexing more devices queues on the HTTP/2 stream quota
// instead of being refused for its share.
func (b *bodyBudget) streamsPerConn() uint32 {
	return uint32(min(16, max(1, b.perConnShare/ingest.MaxBodyBytes)))
}

// budgetStats gives a call's reservation back when the call ends (a
// backstop behind releaseBudget and the call's context).
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
