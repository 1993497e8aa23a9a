package commit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cosmossdk.io/log/v2"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/trustedge/trustedge/node/store"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// Chain is the committer's read view of the chain (node/chainview
// implements it over the in-process app).
type Chain interface {
	// Height is the last committed block height.
	Height() int64
	// LastEpoch is node's last committed epoch, 0 if none.
	LastEpoch(ctx context.Context, node string) (uint64, error)
	// EpochCommit is node's commitment of epoch, found=false if none.
	EpochCommit(ctx context.Context, node string, epoch uint64) (streamtypes.EpochCommit, bool, error)
}

// Broadcaster submits transactions.
type Broadcaster interface {
	// Broadcast signs and submits a tx with msg; it returns once CheckTx
	// accepted it.
	Broadcast(ctx context.Context, msg sdk.Msg) (txHash string, err error)
}

// Config configures a Committer.
type Config struct {
	// Operator is the node's operator address (bech32): the chain records
	// the node's epochs under it.
	Operator string
	// Sender is the MsgCommitEpoch signer (bech32): the node's committer
	// (x/edge MsgSetCommitter) or, when empty, the operator itself.
	Sender string
	// EveryBlocks closes an epoch at every height that is a multiple of it
	// (default 1: every block).
	EveryBlocks int64
	// ResendAfterBlocks re-broadcasts the in-flight epoch when the chain has
	// not included it this many blocks after the last broadcast (default 3);
	// the wait doubles with each resend of the same epoch, up to 96 blocks
	// (or ResendAfterBlocks if that is more).
	ResendAfterBlocks int64
	// PollInterval is how often the chain height is read (default 20ms).
	PollInterval time.Duration
	// CloseDelay is how long after a new block the epoch is closed (0:
	// at once). A commitment tx can only enter the next block, which is
	// proposed timeout_commit after this one: closing late in that wait,
	// not at its start, puts the readings acknowledged meanwhile into the
	// same block and cuts the reading-to-finality latency. Keep it below
	// timeout_commit minus the time a close takes (see dataplane).
	CloseDelay time.Duration
	// CatchingUp, if set, reports whether the node is still syncing blocks
	// (CometBFT's sync_info.catching_up). Run checks the store against the
	// chain only once it is not: a node behind the chain would compare the
	// store with stale epochs (a lost store then looks in step).
	CatchingUp func(ctx context.Context) (bool, error)
	// OnResumed, if set, is called once the store has been checked against
	// the chain, before the first epoch is closed; the data plane opens
	// ingest then.
	OnResumed func()
	// MaxReadingsPerEpoch is where epochs are cut (0: the chain's default
	// max_readings_per_epoch); the chain's current param lowers it when the
	// chain exposes it. Epochs hold whole Appends, so one Append above the
	// cap still makes an epoch of its own: only the chain's param decides
	// whether the chain takes it.
	MaxReadingsPerEpoch uint64
}

// Defaults.
const (
	DefaultEveryBlocks       = 1
	DefaultResendAfterBlocks = 3
	DefaultPollInterval      = 20 * time.Millisecond
	// maxBackoff bounds the wait between failed broadcasts and between
	// failed chain reads.
	maxBackoff = 5 * time.Second
	// maxResendAfterBlocks bounds the doubling wait between resends of an
	// epoch the chain does not include (Committer.resendAfter).
	maxResendAfterBlocks = 96
)

func (c Config) withDefaults() Config {
	if c.Sender == "" {
		c.Sender = c.Operator
	}
	if c.EveryBlocks == 0 {
		c.EveryBlocks = DefaultEveryBlocks
	}
	if c.ResendAfterBlocks == 0 {
		c.ResendAfterBlocks = DefaultResendAfterBlocks
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.MaxReadingsPerEpoch == 0 {
		c.MaxReadingsPerEpoch = streamtypes.DefaultMaxReadingsPerEpoch
	}
	return c
}

// Validate checks a config after defaults.
func (c Config) Validate() error {
	// Any prefix: the chain's is set globally by the app, not known here.
	if _, _, err := bech32.DecodeAndConvert(c.Operator); err != nil || c.Operator == "" {
		return fmt.Errorf("operator %q: %w", c.Operator, err)
	}
	if _, _, err := bech32.DecodeAndConvert(c.Sender); err != nil {
		return fmt.Errorf("sender %q: %w", c.Sender, err)
	}
	if c.CloseDelay < 0 {
		return fmt.Errorf("close_delay %s must not be negative", c.CloseDelay)
	}
	if c.EveryBlocks < 1 || c.ResendAfterBlocks < 1 || c.PollInterval <= 0 {
		return fmt.Errorf("every_blocks %d, resend_after_blocks %d, poll_interval %s: all must be positive",
			c.EveryBlocks, c.ResendAfterBlocks, c.PollInterval)
	}
	return nil
}

// ErrStoreMismatch: the store's epochs and the chain's disagree in a way
// the committer cannot repair (the store was lost, replaced or belongs to
// another node).
var ErrStoreMismatch = errors.New("stream store and chain disagree")

// ErrRootMismatch: the chain committed one of the store's epoch numbers
// for this operator with a different root or counts (another process
// commits for the operator). The epoch is left uncommitted in the store.
var ErrRootMismatch = errors.New("chain holds a different epoch root than the store")

// ErrEpochRefused: the chain can never take the epoch in flight (it holds
// more readings than x/stream's max_readings_per_epoch now allows).
var ErrEpochRefused = errors.New("chain refuses the epoch for good")

// errChainRead marks a failed chain query, the one error the committer
// retries (with backoff, at start and while an epoch is in flight): the
// chain may not serve yet, or its RPC may be down for a while. Any other
// error stops the committer.
var errChainRead = errors.New("reading chain")

// New builds a committer of st's epochs; Run starts it. It panics on an
// invalid config or nil dependency, which is a wiring bug.
func New(cfg Config, st *store.Store, chain Chain, b Broadcaster, logger log.Logger) *Committer {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("commit.New: %v", err))
	}
	if st == nil || chain == nil || b == nil {
		panic("commit.New: store, chain and broadcaster are required")
	}
	if logger == nil {
		logger = log.NewNopLogger()
	}
	return &Committer{cfg: cfg, store: st, chain: chain, b: b, log: logger.With("module", "commit")}
}
