package device

import (
	"bytes"
	"context"
	"time"

	"github.com/trustedge/trustedge/node/ingest"
)

// The intake queue: Add appends, the delivery loop cuts batches from the
// front. A slice under a mutex rather than a channel: memory follows the
// actual backlog, not MaxBuffered (a proxy may run a Batcher per device).

type bufferedReading struct {
	r     ingest.BatchReading
	added time.Time
}

// Add buffers one reading taken at t. It copies payload. It blocks while
// MaxBuffered readings wait, and fails with ErrClosed after Close or once
// the Batcher stopped; a payload over the gateway's limit is refused.
func (b *Batcher) Add(t time.Time, payload []byte) error {
	return b.AddContext(context.Background(), t, payload)
}

// AddContext is Add that gives up when ctx ends while the buffer is full
// (the gateway answers 503 for a long time, say): it then returns ctx's
// error and the reading is not buffered, so a sensor loop can decide what
// to drop instead of blocking.
func (b *Batcher) AddContext(ctx context.Context, t time.Time, payload []byte) error {
	if err := CheckPayload(payload); err != nil {
		return err
	}
	r := bufferedReading{r: ingest.BatchReading{Time: t.UnixNano(), Payload: bytes.Clone(payload)}, added: time.Now()}
	size := estimateJSONBytes(r.r, b.cfg.SignMode)
	for {
		b.mu.Lock()
		if b.intakeDone {
			b.mu.Unlock()
			return ErrClosed
		}
		if n := len(b.queue); n < b.cfg.MaxBuffered {
			b.queue = append(b.queue, r)
			b.queueBytes += size
			// Counted before the delivery loop can see it: Pending never
			// goes negative.
			b.added.Add(1)
			full := n+1 >= b.cfg.MaxBatch || b.queueBytes >= maxBatchBytes
			b.mu.Unlock()
			if n == 0 || full {
				notify(b.ready)
			}
			if n+1 < b.cfg.MaxBuffered {
				notify(b.space) // room left: pass it on to another waiting Add
			}
			return nil
		}
		b.mu.Unlock()
		select {
		case <-b.space:
		case <-b.intakeClosing:
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// closeIntake ends Add for good; afterwards the queue only drains.
func (b *Batcher) closeIntake() {
	b.intakeOnce.Do(func() {
		b.mu.Lock()
		b.intakeDone = true
		b.mu.Unlock()
		close(b.intakeClosing)
		notify(b.ready)
	})
}

// collect waits for the next batch and takes it from the queue: MaxBatch
// readings (or the byte budget), or fewer once the oldest is FlushInterval
// old, or whatever is left once intake is over. last reports that intake is
// over and the queue is now empty. It returns early, empty, when ctx ends.
func (b *Batcher) collect(ctx context.Context) (batch []bufferedReading, last bool) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		b.mu.Lock()
		n, over := len(b.queue), b.intakeDone
		var wait time.Duration
		if n > 0 {
			wait = time.Until(b.queue[0].added.Add(b.cfg.FlushInterval))
		}
		if n > 0 && (over || wait <= 0 || n >= b.cfg.MaxBatch || b.queueBytes >= maxBatchBytes) {
			batch = b.takeLocked()
			last = over && len(b.queue) == 0
			b.mu.Unlock()
			notify(b.space)
			return batch, last
		}
		b.mu.Unlock()
		if n == 0 && over {
			return nil, true
		}
		var timeout <-chan time.Time
		if n > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			timeout = timer.C
		}
		select {
		case <-b.ready:
		case <-timeout:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// takeLocked removes the next batch from the front of the queue: up to
// MaxBatch readings within the byte budget (always at least one).
func (b *Batcher) takeLocked() []bufferedReading {
	k, size := 0, 0
	for k < len(b.queue) && k < b.cfg.MaxBatch {
		s := estimateJSONBytes(b.queue[k].r, b.cfg.SignMode)
		if k > 0 && size+s > maxBatchBytes {
			break
		}
		size += s
		k++
	}
	batch := make([]bufferedReading, k)
	copy(batch, b.queue)
	n := copy(b.queue, b.queue[k:])
	clear(b.queue[n:]) // drop the payload references
	b.queue = b.queue[:n]
	b.queueBytes -= size
	return batch
}

// maxBatchBytes keeps a batch's JSON well under the gateway's body limit
// whatever MaxBatch says, so large payloads split instead of being refused.
const maxBatchBytes = ingest.MaxBodyBytes / 2

// estimateJSONBytes is an upper bound of a reading's share of the request
// JSON: base64 payload and signature plus field names and numbers.
func estimateJSONBytes(r ingest.BatchReading, mode SignMode) int {
	n := 64 + (len(r.Payload)+2)/3*4
	if mode == ReadingSignatures {
		n += 112
	}
	return n
}

// notify sends a wake-up on a capacity-1 channel without blocking: one
// pending wake-up is enough, the woken side re-checks the state.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
