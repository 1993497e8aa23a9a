package dataplane

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"

	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/node/gateway"
)

// Start flags of the edge data plane (also settable in app.toml under the
// same names, as every start flag is).
const (
	FlagEnable         = "dataplane.enable"
	FlagStoreDir       = "dataplane.store-dir"
	FlagOperatorKey    = "dataplane.operator-key"
	FlagCommitterKey   = "dataplane.committer-key"
	FlagOperator       = "dataplane.operator"
	FlagKeyringBackend = "dataplane.keyring-backend"
	FlagHTTPAddr       = "gateway.http-addr"
	FlagGRPCAddr       = "gateway.grpc-addr"
	FlagRatePerDevice  = "gateway.rate-per-device"
	FlagBurst          = "gateway.burst"
	FlagQuietAccepted  = "gateway.quiet-accepted"
	FlagMaxPendingR    = "gateway.max-pending-readings"
	FlagMaxPendingB    = "gateway.max-pending-batches"
	FlagMaxBodyMB      = "gateway.max-body-mb-in-flight"
	FlagOpenReads      = "gateway.open-reads"
	FlagEpochBlocks    = "stream.epoch-blocks"
	FlagCommitGas      = "stream.commit-gas"
	FlagGasPrices      = "dataplane.gas-prices"
	FlagCloseDelay     = "stream.close-delay"
	FlagPruneInterval  = "stream.prune-interval"
	FlagHeartbeatEvery = "dataplane.heartbeat-blocks"
)

// Config is the data plane's configuration.
type Config struct {
	Enable         bool
	Home           string
	StoreDir       string
	OperatorKey    string
	CommitterKey   string
	Operator       string
	KeyringBackend string
	HTTPAddr       string
	GRPCAddr       string
	RatePerDevice  float64
	Burst          int
	QuietAccepted  bool
	// MaxPendingReadings/Batches bound what is acknowledged but not yet
	// committed (0: the gateway's defaults).
	MaxPendingReadings, MaxPendingBatches uint64
	// MaxBodyBytesInFlight bounds request bodies held in memory (0: the
	// gateway's default).
	MaxBodyBytesInFlight int64
	// OpenReads serves proofs without a reader signature (gateway.Config).
	OpenReads   bool
	EpochBlocks int64
	CommitGas   uint64
	// GasPrices pays the data plane's txs (commitments, heartbeats): fee =
	// gas limit × price. Empty: no fee, for chains whose validators keep
	// minimum-gas-prices at 0.
	GasPrices     sdk.DecCoins
	CloseDelay    time.Duration
	PruneInterval time.Duration
	PollInterval  time.Duration
	// HeartbeatBlocks is how often the node reports its load (0: never).
	HeartbeatBlocks int64
}

// AddFlags registers the data plane's start flags.
func AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Bool(FlagEnable, true, "run the edge data plane (ingest gateway, stream store, epoch committer)")
	f.String(FlagStoreDir, "", "stream store directory (default <home>/streams, or <home>/data/streams where an older node keeps it); keep it out of <home>/data, which `comet unsafe-reset-all` deletes")
	f.String(FlagOperatorKey, "", "keyring key of this node's edge operator; signs MsgCommitEpoch unless --"+FlagCommitterKey+" is set (with a committer, prefer --"+FlagOperator+": the operator key then need not be on this server)")
	f.String(FlagCommitterKey, "", "keyring key of the node's committer (named with `tx edge set-committer`); signs MsgCommitEpoch so the operator key can stay elsewhere and the operator's own txs never race it")
	f.String(FlagOperator, "", "this node's operator address; needed with --"+FlagCommitterKey+" when the operator key is not in this keyring")
	f.String(FlagKeyringBackend, "test", "keyring backend holding the signing key (os|file|test)")
	f.String(FlagHTTPAddr, "127.0.0.1:8080", "device ingest HTTP/JSON listen address")
	f.String(FlagGRPCAddr, "127.0.0.1:8081", "device ingest gRPC listen address")
	f.Float64(FlagRatePerDevice, 2000, "readings per second a device may send (token bucket)")
	f.Int(FlagBurst, 20000, "readings a device may send in a burst")
	f.Bool(FlagQuietAccepted, false, "log accepted ingest requests at debug level (refusals stay at info)")
	f.Uint64(FlagMaxPendingR, gateway.DefaultMaxPendingReadings, "answer 503 to devices while this many acknowledged readings wait for the chain (commits stopped)")
	f.Uint64(FlagMaxPendingB, gateway.DefaultMaxPendingBatches, "answer 503 to devices while this many acknowledged batches wait for the chain (each costs ~80 B of memory)")
	f.Int64(FlagMaxBodyMB, gateway.DefaultMaxBodyBytesInFlight>>20, "answer 503 to devices while ingest requests in flight hold this many MiB of request bodies (a gRPC call counts as 4 MiB, the largest message, until it ends)")
	f.Bool(FlagOpenReads, false, "serve reading proofs (which carry payloads) to anyone who reaches the gateway; by default a proof request must be signed by the stream's owner or by an account x/access allows \"read\" on the stream")
	f.Int64(FlagEpochBlocks, 1, "close and commit an epoch every this many blocks")
	f.Uint64(FlagCommitGas, 400000, "gas limit of MsgCommitEpoch transactions")
	f.String(FlagGasPrices, "", "gas prices the data plane's commitments and heartbeats pay, e.g. 0.001uedge (fee = gas limit × price); needed when validators set minimum-gas-prices")
	f.Duration(FlagPruneInterval, time.Minute, "how often raw readings past their stream's retention_seconds are deleted (once their epoch is on chain)")
	f.Int64(FlagHeartbeatEvery, 30, "send the node's MsgHeartbeat (measured load) every this many blocks, signed like the epoch commitments; keep it well below the chain's heartbeat_timeout_blocks (0: never)")
	f.Duration(FlagCloseDelay, -1, "close an epoch this long after each block, so it catches the readings that arrive while the next block waits (negative: half of consensus timeout_commit)")
}

// DefaultStoreDir is <home>/streams: outside <home>/data, which CometBFT's
// `unsafe-reset-all` deletes to resync a node — the chain can be synced
// again, raw readings cannot. A node whose store is at the old default,
// <home>/data/streams, keeps using it (and should move it).
func DefaultStoreDir(home string) string {
	old := filepath.Join(home, "data", "streams")
	if _, err := os.Stat(filepath.Join(home, "streams")); os.IsNotExist(err) {
		if st, err := os.Stat(old); err == nil && st.IsDir() {
			return old
		}
	}
	return filepath.Join(home, "streams")
}

// ReadConfig reads the data plane's configuration from the server options;
// timeoutCommit is CometBFT's consensus timeout_commit (the wait between a
// block and the next proposal).
func ReadConfig(home string, opts servertypes.AppOptions, timeoutCommit time.Duration) (Config, error) {
	c := Config{
		Enable:               cast.ToBool(opts.Get(FlagEnable)),
		Home:                 home,
		StoreDir:             cast.ToString(opts.Get(FlagStoreDir)),
		OperatorKey:          cast.ToString(opts.Get(FlagOperatorKey)),
		CommitterKey:         cast.ToString(opts.Get(FlagCommitterKey)),
		Operator:             cast.ToString(opts.Get(FlagOperator)),
		KeyringBackend:       cast.ToString(opts.Get(FlagKeyringBackend)),
		HTTPAddr:             cast.ToString(opts.Get(FlagHTTPAddr)),
		GRPCAddr:             cast.ToString(opts.Get(FlagGRPCAddr)),
		RatePerDevice:        cast.ToFloat64(opts.Get(FlagRatePerDevice)),
		Burst:                cast.ToInt(opts.Get(FlagBurst)),
		QuietAccepted:        cast.ToBool(opts.Get(FlagQuietAccepted)),
		MaxPendingReadings:   cast.ToUint64(opts.Get(FlagMaxPendingR)),
		MaxPendingBatches:    cast.ToUint64(opts.Get(FlagMaxPendingB)),
		MaxBodyBytesInFlight: cast.ToInt64(opts.Get(FlagMaxBodyMB)) << 20,
		OpenReads:            cast.ToBool(opts.Get(FlagOpenReads)),
		EpochBlocks:          cast.ToInt64(opts.Get(FlagEpochBlocks)),
		CommitGas:            cast.ToUint64(opts.Get(FlagCommitGas)),
		CloseDelay:           cast.ToDuration(opts.Get(FlagCloseDelay)),
		PruneInterval:        cast.ToDuration(opts.Get(FlagPruneInterval)),
		PollInterval:         20 * time.Millisecond,
		HeartbeatBlocks:      cast.ToInt64(opts.Get(FlagHeartbeatEvery)),
	}
	if opts.Get(FlagHeartbeatEvery) == nil {
		c.HeartbeatBlocks = 30
	}
	if c.StoreDir == "" {
		c.StoreDir = DefaultStoreDir(home)
	}
	if gp := cast.ToString(opts.Get(FlagGasPrices)); gp != "" {
		prices, err := sdk.ParseDecCoins(gp)
		if err != nil {
			return c, fmt.Errorf("--%s %q: %w", FlagGasPrices, gp, err)
		}
		c.GasPrices = prices
	}
	if c.KeyringBackend == "" {
		c.KeyringBackend = "test"
	}
	if c.EpochBlocks <= 0 {
		c.EpochBlocks = 1
	}
	if c.CloseDelay < 0 || opts.Get(FlagCloseDelay) == nil {
		c.CloseDelay = AutoCloseDelay(timeoutCommit)
	}
	if c.PruneInterval <= 0 {
		c.PruneInterval = time.Minute
	}
	if c.CommitGas == 0 {
		c.CommitGas = 400000
	}
	return c, nil
}

// AutoCloseDelay is the default epoch close delay: half of timeout_commit,
// which leaves the other half for closing the epoch (~150 ms per 100k
// readings) and gossiping the tx before the next proposal.
func AutoCloseDelay(timeoutCommit time.Duration) time.Duration {
	if timeoutCommit < 200*time.Millisecond {
		return 0
	}
	return timeoutCommit / 2
}
