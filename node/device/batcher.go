package device

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trustedge/trustedge/node/ingest"
)

// Batcher defaults.
const (
	DefaultMaxBatch      = 100
	DefaultFlushInterval = 200 * time.Millisecond
	DefaultCallTimeout   = 15 * time.Second
	// startHeadAttempts bounds the Head calls Start makes when MaxAttempts
	// is unlimited, so a device pointed at a dead gateway fails at start.
	startHeadAttempts = 8
)

// ErrClosed is returned by Add once Close was called or the Batcher stopped.
var ErrClosed = errors.New("batcher is closed")

// Config tunes a Batcher. Zero values take the defaults.
type Config struct {
	// ChainID is part of what the device signs. Required.
	ChainID string
	// MaxBatch cuts a batch at this many readings (default 100).
	MaxBatch int
	// FlushInterval cuts a batch when its oldest reading is this old
	// (default 200ms): the bound on how long a reading waits for company.
	FlushInterval time.Duration
	// MaxBuffered readings may wait to be sent (default 100 batches); Add
	// blocks beyond that, so a device that outpaces its gateway slows down
	// instead of growing without bound.
	MaxBuffered int
	// SignMode: one signature per batch (default) or per reading.
	SignMode SignMode
	// Backoff between retries of a batch (default DefaultBackoff). A
	// Retry-After from the gateway replaces it.
	Backoff Backoff
	// MaxAttempts bounds the tries of one batch; 0 retries until the
	// Batcher is closed or its context ends (the batch is then reported to
	// OnReject, never dropped).
	MaxAttempts int
	// CallTimeout bounds one gateway call (default 15s).
	CallTimeout time.Duration
	// OnAck is called once per delivered batch, OnReject once per batch the
	// gateway refused for good (or that could not be delivered before the
	// Batcher stopped). Both run on the Batcher's goroutine: keep them short.
	OnAck    func(Ack)
	OnReject func(Rejection)
}

// Ack is a batch the gateway stored.
type Ack struct {
	StreamID string
	FirstSeq uint64
	LastSeq  uint64
	// Attempts is how many times the batch was sent (1 = first try).
	Attempts int
	// Latency is from the first send to the acknowledgement, retries and
	// resyncs included: what the device waited for durability.
	Latency time.Duration
	// LostAck: an earlier try was stored but its answer was lost; a replay
	// refusal covering the batch acknowledged it.
	LostAck bool
	// AckedAt is the gateway's time of durability (zero for a LostAck).
	AckedAt time.Time
}

// Rejection is a batch that will not be delivered, and why.
type Rejection struct {
	StreamID string
	// FirstSeq is the number the batch had when it was last sent (0 if it
	// was never sent).
	FirstSeq uint64
	Readings []ingest.BatchReading
	// MaybeDelivered: a send of the batch got no answer (network failure,
	// timeout, Close's deadline), so the gateway may have stored it. An app
	// that resends rejected readings may then store them twice; the
	// stream's head (Client.Head) tells whether FirstSeq.. was taken.
	MaybeDelivered bool
	Err            error
}

// Stats are a Batcher's counters (readings unless said otherwise).
type Stats struct {
	Added, Acked, Rejected uint64
	Batches                uint64 // batches acknowledged
	Retries                uint64 // sends repeated after a transient failure
	Resyncs                uint64 // renumberings after a sequence conflict
	LostAcks               uint64 // batches acknowledged by a covering replay
}

// Pending is the readings added but neither acknowledged nor rejected yet.
func (s Stats) Pending() uint64 { return s.Added - s.Acked - s.Rejected }

// Batcher turns a device's readings into signed batches and delivers them in
// order, exactly once, to the gateway: Add buffers, a goroutine cuts a
// batch at MaxBatch readings or when its oldest is FlushInterval old, signs
// it for the stream's next sequence number and sends it until it is
// acknowledged or refused for good. One batch is in flight at a time (each
// must start at the stream's next number).
type Batcher struct {
	tr  Transport
	id  Identity
	cfg Config

	// The intake queue (batcher_queue.go). mu guards queue, queueBytes and
	// intakeDone; Add appends under it and closeIntake sets intakeDone
	// under it, so once intake is closed the queue's content is final.
	mu         sync.Mutex
	queue      []bufferedReading
	queueBytes int
	intakeDone bool
	intakeOnce sync.Once
	// ready (capacity 1) wakes the delivery loop: a first reading to time,
	// a full batch, or intake closed. space (capacity 1) wakes a blocked Add.
	ready         chan struct{}
	space         chan struct{}
	intakeClosing chan struct{} // closed with intakeDone: blocked Adds give up

	started atomic.Bool
	// life is the delivery loop's context: Start links it to its ctx,
	// Close cancels it when its own ctx ends first.
	life   context.Context
	cancel context.CancelFunc
	// unlink drops Start's link from its ctx to cancel once the Batcher
	// stops, so a long-lived ctx does not keep one registration (and this
	// Batcher) per Batcher that ever ran on it. A no-op until Start.
	unlink func() bool
	done   chan struct{}

	// nextSeq is the number the next batch starts at. Only the run
	// goroutine writes it; atomic so NextSeq can read it meanwhile.
	nextSeq atomic.Uint64

	added, acked, rejected, batches, retries, resyncs, lostAcks atomic.Uint64
}

// NewBatcher checks the identity and the configuration and fills defaults.
func NewBatcher(tr Transport, id Identity, cfg Config) (*Batcher, error) {
	if tr == nil {
		return nil, errors.New("transport is nil")
	}
	if err := id.Validate(); err != nil {
		return nil, err
	}
	if cfg.ChainID == "" {
		return nil, errors.New("chain id is empty")
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.MaxBatch < 0 || cfg.MaxBatch > ingest.MaxReadingsPerBatch {
		return nil, fmt.Errorf("max batch %d: must be 1..%d", cfg.MaxBatch, ingest.MaxReadingsPerBatch)
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.FlushInterval < 0 {
		return nil, fmt.Errorf("flush interval %s is negative", cfg.FlushInterval)
	}
	if cfg.MaxBuffered == 0 {
		cfg.MaxBuffered = 100 * cfg.MaxBatch
	}
	if cfg.MaxBuffered < cfg.MaxBatch {
		return nil, fmt.Errorf("max buffered %d is below max batch %d", cfg.MaxBuffered, cfg.MaxBatch)
	}
	if cfg.SignMode != BatchSignature && cfg.SignMode != ReadingSignatures {
		return nil, fmt.Errorf("unknown sign mode %d", int(cfg.SignMode))
	}
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Backoff.Initial <= 0 || cfg.Backoff.Max < cfg.Backoff.Initial {
		return nil, fmt.Errorf("backoff %s..%s: want 0 < initial <= max", cfg.Backoff.Initial, cfg.Backoff.Max)
	}
	if cfg.MaxAttempts < 0 {
		return nil, fmt.Errorf("max attempts %d is negative", cfg.MaxAttempts)
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.CallTimeout < 0 {
		return nil, fmt.Errorf("call timeout %s is negative", cfg.CallTimeout)
	}
	life, cancel := context.WithCancel(context.Background())
	return &Batcher{
		life:          life,
		cancel:        cancel,
		unlink:        func() bool { return false },
		tr:            tr,
		id:            id,
		cfg:           cfg,
		ready:         make(chan struct{}, 1),
		space:         make(chan struct{}, 1),
		intakeClosing: make(chan struct{}),
		done:          make(chan struct{}),
	}, nil
}

// Identity is the device and stream this Batcher writes.
func (b *Batcher) Identity() Identity { return b.id }

// Start reads the stream's head, so a restarted device continues after the
// last acknowledged reading, then starts delivering. ctx bounds the
// Batcher's life: when it ends, what is not delivered is reported to
// OnReject. If Start fails the Batcher is closed and anything already added
// is reported the same way.
func (b *Batcher) Start(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("batcher already started")
	}
	b.unlink = context.AfterFunc(ctx, b.cancel)
	attempts := b.cfg.MaxAttempts
	if attempts == 0 {
		attempts = startHeadAttempts
	}
	last, err := b.head(b.life, attempts)
	if err != nil {
		err = fmt.Errorf("stream %s: read head: %w", b.id.StreamID, err)
		b.stop(err, nil)
		return err
	}
	b.nextSeq.Store(last + 1)
	go b.run(b.life)
	return nil
}

// NextSeq is the sequence number the next batch will start at (0 before
// Start has read the stream's head).
func (b *Batcher) NextSeq() uint64 { return b.nextSeq.Load() }

// Close stops intake, delivers what is buffered and waits for it. If ctx
// ends first, delivery is abandoned and the rest is reported to OnReject.
// A Batcher that was never started reports its buffer to OnReject.
func (b *Batcher) Close(ctx context.Context) error {
	b.closeIntake()
	if b.started.CompareAndSwap(false, true) {
		b.stop(errors.New("closed before Start"), nil)
		return nil
	}
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		b.cancel()
		<-b.done
		return ctx.Err()
	}
}

// Done is closed when the Batcher has stopped.
func (b *Batcher) Done() <-chan struct{} { return b.done }

// Stats returns the counters so far.
func (b *Batcher) Stats() Stats {
	return Stats{
		Added: b.added.Load(), Acked: b.acked.Load(), Rejected: b.rejected.Load(),
		Batches: b.batches.Load(), Retries: b.retries.Load(), Resyncs: b.resyncs.Load(), LostAcks: b.lostAcks.Load(),
	}
}

// run is the delivery loop: cut a batch, deliver it, until intake is
// over and the queue empty, or ctx ends.
func (b *Batcher) run(ctx context.Context) {
	for {
		batch, last := b.collect(ctx)
		if ctx.Err() != nil {
			b.stop(ctx.Err(), batch)
			return
		}
		if len(batch) > 0 {
			b.deliver(ctx, batch)
		}
		if last {
			b.stop(nil, nil)
			return
		}
	}
}

// stop ends the Batcher: with err set (context ended, Start failed) the
// batch in hand and everything queued are reported as rejected.
func (b *Batcher) stop(err error, batch []bufferedReading) {
	defer close(b.done)
	defer b.cancel()
	defer b.unlink()
	b.closeIntake()
	if err == nil {
		return
	}
	if len(batch) > 0 {
		b.reject(0, readingsOf(batch), false, err)
	}
	// Intake is closed: the queue's content is final.
	for {
		b.mu.Lock()
		rest := b.takeLocked()
		b.mu.Unlock()
		if len(rest) == 0 {
			return
		}
		b.reject(0, readingsOf(rest), false, err)
	}
}

func readingsOf(batch []bufferedReading) []ingest.BatchReading {
	out := make([]ingest.BatchReading, len(batch))
	for i, r := range batch {
		out[i] = r.r
	}
	return out
}
