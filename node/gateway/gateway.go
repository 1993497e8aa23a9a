package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"cosmossdk.io/log/v2"
	"google.golang.org/grpc"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/node/store"
)

// Gateway is an edge node's device-facing ingest API. It is safe for
// concurrent use; it serializes nothing itself (the store orders appends
// per stream).
type Gateway struct {
	cfg     Config
	store   *store.Store
	chain   Chain
	chainID string
	cache   *heightCache
	limiter *deviceLimiter
	log     log.Logger
	// decoding bounds the HTTP ingest bodies decoded at once: a 4 MiB body
	// of tiny readings decodes to ~100 MB of structs before any check.
	decoding chan struct{}
	// budget bounds the request bytes held by ingest calls in flight.
	budget *bodyBudget
	// proving bounds the proofs built at once (query.go).
	proving chan struct{}
	// life: Ingest/Head/Prove hold it shared; Serve takes it exclusively
	// after stopping the servers, so it returns only once no call still
	// reads the store or the chain (the node closes both next). Calls that
	// arrive later find stopped set and answer unavailable.
	life    sync.RWMutex
	stopped bool
	// halted holds the reason given to HaltIngest (backpressure.go).
	halted atomic.Pointer[string]
	// closedUntilOpen is set from Config.StartClosed until OpenIngest.
	closedUntilOpen atomic.Bool
}

// enter admits a call unless the gateway has stopped; leave ends it.
func (g *Gateway) enter() *Error {
	g.life.RLock()
	if g.stopped {
		g.life.RUnlock()
		return newError(ReasonUnavailable, "gateway is shutting down")
	}
	return nil
}

func (g *Gateway) leave() { g.life.RUnlock() }

// maxConcurrentDecodes and maxConcurrentProofs size the decoding and
// proving semaphores. (A gRPC connection's calls are bounded by its share
// of the body budget: bodyBudget.streamsPerConn.)
const (
	maxConcurrentDecodes = 8
	maxConcurrentProofs  = 4
)

var _ gatewaypb.GatewayServer = (*Gateway)(nil)

// New builds a gateway over the node's stream store and its view of the
// chain. It serves nothing until Start or Serve (or Handler and
// NewGRPCServer, for callers running their own servers).
func New(cfg Config, st *store.Store, chain Chain) *Gateway {
	cfg = cfg.withDefaults()
	g := &Gateway{
		decoding: make(chan struct{}, maxConcurrentDecodes),
		budget:   newBodyBudget(cfg.MaxBodyBytesInFlight),
		proving:  make(chan struct{}, maxConcurrentProofs),
		cfg:      cfg,
		store:    st,
		chain:    chain,
		chainID:  chain.ChainID(),
		cache:    newHeightCache(chain),
		limiter:  newDeviceLimiter(cfg.RatePerDevice, cfg.Burst),
		log:      cfg.Logger,
	}
	g.closedUntilOpen.Store(cfg.StartClosed)
	return g
}

// shutdownTimeout bounds how long Start waits for requests in flight after
// ctx is done; an acknowledged batch is on disk before its answer is sent,
// so cutting a slow client off loses nothing.
const shutdownTimeout = 5 * time.Second

// Start listens on Config.HTTPAddr and Config.GRPCAddr (an empty address is
// skipped) and serves until ctx is done, then shuts both servers down. It
// returns nil after a shutdown caused by ctx, or the first serving error.
func (g *Gateway) Start(ctx context.Context) error {
	var httpLn, grpcLn net.Listener
	var err error
	if g.cfg.HTTPAddr != "" {
		if httpLn, err = net.Listen("tcp", g.cfg.HTTPAddr); err != nil {
			return fmt.Errorf("gateway HTTP listen on %s: %w", g.cfg.HTTPAddr, err)
		}
	}
	if g.cfg.GRPCAddr != "" {
		if grpcLn, err = net.Listen("tcp", g.cfg.GRPCAddr); err != nil {
			if httpLn != nil {
				_ = httpLn.Close()
			}
			return fmt.Errorf("gateway gRPC listen on %s: %w", g.cfg.GRPCAddr, err)
		}
	}
	return g.Serve(ctx, httpLn, grpcLn)
}

// Serve is Start on listeners the caller opened (tests use 127.0.0.1:0); a
// nil listener is not served. It closes the listeners.
func (g *Gateway) Serve(ctx context.Context, httpLn, grpcLn net.Listener) error {
	if httpLn == nil && grpcLn == nil {
		return errors.New("gateway: nothing to serve (no HTTP nor gRPC address)")
	}
	if g.cfg.Operator == "" {
		// Every stream would be refused as misdirected: fail loudly instead.
		closeAll(httpLn, grpcLn)
		return errors.New("gateway: no operator address configured (Config.Operator)")
	}
	errc := make(chan error, 2)
	var hs *http.Server
	if httpLn != nil {
		hs = &http.Server{
			Handler:           g.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			// A 4 MiB body over a slow radio link still fits; a client that
			// trickles slower than that only holds a connection.
			ReadTimeout: 2 * time.Minute,
			IdleTimeout: 2 * time.Minute,
		}
		g.log.Info("gateway HTTP listening", "addr", httpLn.Addr().String(), "operator", g.cfg.Operator)
		go func() { errc <- serveErr("HTTP", hs.Serve(httpLn)) }()
	}
	var gs *grpc.Server
	if grpcLn != nil {
		gs = g.NewGRPCServer()
		g.log.Info("gateway gRPC listening", "addr", grpcLn.Addr().String(), "operator", g.cfg.Operator)
		go func() { errc <- serveErr("gRPC", gs.Serve(grpcLn)) }()
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdown(hs, gs)
	g.life.Lock() // waits for running calls
	g.stopped = true
	g.life.Unlock()
	return err
}

func closeAll(lns ...net.Listener) {
	for _, ln := range lns {
		if ln != nil {
			_ = ln.Close()
		}
	}
}

func serveErr(what string, err error) error {
	if err == nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return fmt.Errorf("gateway %s: %w", what, err)
}

func shutdown(hs *http.Server, gs *grpc.Server) {
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if hs != nil {
		if hs.Shutdown(sctx) != nil {
			_ = hs.Close()
		}
	}
	if gs != nil {
		done := make(chan struct{})
		go func() { gs.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-sctx.Done():
			gs.Stop()
		}
	}
}

// NewGRPCServer returns a gRPC server with the Gateway service registered,
// its message limit matching the HTTP body limit.
//
// gatewaypb is gogoproto-generated, so the server always uses the SDK's
// gRPC codec (gogoproto marshalling), whatever content-subtype a client
// announces: clients built like the SDK's (ForceCodec with that codec, as
// node/device does) and stock grpc-go clients both work, and neither hits
// grpc-go's "unsupported codec" fallback.
func (g *Gateway) NewGRPCServer(opts ...grpc.ServerOption) *grpc.Server {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry()).GRPCCodec()
	opts = append([]grpc.ServerOption{
		grpc.MaxRecvMsgSize(ingest.MaxBodyBytes), grpc.ForceServerCodec(boundedCodec{cdc}),
		// One connection cannot open more calls than its share of the body
		// budget holds (each may hold a 4 MiB message); more queue.
		grpc.MaxConcurrentStreams(g.budget.streamsPerConn()),
		// Ingest calls share the body budget with HTTP (bodybudget.go).
		grpc.InTapHandle(g.budget.tap), grpc.StatsHandler(budgetStats{}),
		grpc.ChainUnaryInterceptor(releaseBudget),
	}, opts...)
	s := grpc.NewServer(opts...)
	gatewaypb.RegisterGatewayServer(s, g)
	return s
}
