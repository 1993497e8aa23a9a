package gateway

import (
	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/ingest"
)

// Defaults of Config.
const (
	// DefaultRatePerDevice is the sustained readings/s one device may send.
	DefaultRatePerDevice = 2000
	// DefaultBurst is how many readings a device may send at once after
	// being quiet; it must hold the largest batch (ingest.MaxReadingsPerBatch).
	DefaultBurst = 20000
	// DefaultMaxPendingReadings and DefaultMaxPendingBatches bound what the
	// node acknowledges before the chain commits it. An epoch closes every
	// block, so normally a few blocks' worth waits; the bounds only bite
	// when commits stop (the chain halts, the node is jailed), and then the
	// gateway answers 503 instead of growing the store's in-memory list of
	// pending batches (~80 B each) without end. Two full epochs at the
	// default max_readings_per_epoch; a million batches is ~80 MB.
	DefaultMaxPendingReadings = 20_000_000
	DefaultMaxPendingBatches  = 1_000_000
)

// Config configures a Gateway.
type Config struct {
	// HTTPAddr and GRPCAddr are the listen addresses of Start; an empty
	// address is not served.
	HTTPAddr, GRPCAddr string
	// Operator is this node's operator address (bech32): the gateway takes
	// only streams whose home node it is, and proves readings of its epochs.
	Operator string
	// RatePerDevice is the token bucket's rate in readings/s (default 2000);
	// Burst its size in readings (default 20000).
	RatePerDevice float64
	Burst         int
	// Logger gets one line per request (default: no logging).
	Logger log.Logger
	// QuietAccepted logs accepted requests at Debug instead of Info (for
	// gateways taking thousands of batches per second); refusals are
	// always Info.
	QuietAccepted bool
	// MaxPendingReadings and MaxPendingBatches: past either, ingest answers
	// unavailable (503) until the chain commits the backlog (defaults
	// DefaultMaxPendingReadings, DefaultMaxPendingBatches).
	MaxPendingReadings, MaxPendingBatches uint64
	// MaxBodyBytesInFlight bounds the request bytes held in memory by
	// ingest calls in flight on both transports (default
	// DefaultMaxBodyBytesInFlight; see bodybudget.go). Past it, ingest
	// answers unavailable (503, Retry-After 1).
	MaxBodyBytesInFlight int64
	// StartClosed refuses ingest (503, Retry-After 5; /healthz status
	// "starting") until OpenIngest; heads and proofs are served. The data
	// plane opens it once its committer has checked the store against the
	// chain.
	StartClosed bool
	// OpenReads serves proofs (which carry reading payloads) to anyone
	// who reaches the gateway. Off by default: a proof request must be
	// signed by the stream's owner or by an account x/access allows
	// "read" on "stream/<id>" (readauth.go). For gateways that only
	// trusted networks reach.
	OpenReads bool
}

func (c Config) withDefaults() Config {
	if c.RatePerDevice <= 0 {
		c.RatePerDevice = DefaultRatePerDevice
	}
	if c.Burst <= 0 {
		c.Burst = DefaultBurst
	}
	if c.MaxPendingReadings == 0 {
		c.MaxPendingReadings = DefaultMaxPendingReadings
	}
	if c.MaxPendingBatches == 0 {
		c.MaxPendingBatches = DefaultMaxPendingBatches
	}
	if c.MaxBodyBytesInFlight <= 0 {
		c.MaxBodyBytesInFlight = DefaultMaxBodyBytesInFlight
	}
	// One largest body must always fit, or such a body could never pass.
	c.MaxBodyBytesInFlight = max(c.MaxBodyBytesInFlight, ingest.MaxBodyBytes)
	if c.Logger == nil {
		c.Logger = log.NewNopLogger()
	}
	return c
}
