package device

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// deliver sends one batch until it is acknowledged or refused for good.
//
//   - transient failure (network, timeout, 429, 5xx): the SAME request
//     again after a backoff (or the gateway's Retry-After), so a retry of a
//     batch that was in fact stored is recognisable as a replay;
//   - 409 replay whose head is exactly the batch's last number, after a try
//     of this same request whose answer never came (network failure,
//     timeout): that try was stored and its answer lost, so the batch is
//     acknowledged. A replay without such a try, or with the head past the
//     batch, proves nothing about this batch (the gateway compares numbers,
//     not contents: another session, or an earlier batch rejected after an
//     unanswered try, may hold those numbers);
//   - any other 409 (gap, or replay by other data): renumber from the
//     stream's head and sign again — the readings are still undelivered;
//   - any other refusal: reported to OnReject (MaybeDelivered when a try
//     went unanswered); the stream's next number does not move, the next
//     batch reuses it and resyncs if those numbers were taken.
func (b *Batcher) deliver(ctx context.Context, buffered []bufferedReading) {
	readings := readingsOf(buffered)
	n := uint64(len(readings))
	first := b.nextSeq.Load()
	req, err := NewIngestRequest(b.cfg.ChainID, b.id, first, readings, b.cfg.SignMode)
	if err != nil {
		b.reject(first, readings, false, err)
		return
	}
	start := time.Now()
	resyncs := 0
	// unanswered: a try of the current request (this numbering) got no
	// answer, so it may have been stored; maybeStored: any try did.
	unanswered, maybeStored := false, false
	reject := func(err error) { b.reject(first, readings, maybeStored, err) }
	for attempt := 1; ; attempt++ {
		last := first + n - 1
		resp, err := b.ingest(ctx, req)
		if err == nil {
			b.nextSeq.Store(last + 1)
			b.ack(Ack{
				StreamID: b.id.StreamID, FirstSeq: first, LastSeq: last, Attempts: attempt,
				Latency: time.Since(start), AckedAt: unixNanoTime(resp.AckedAt),
			}, n)
			return
		}
		apiErr, isAPI := errorsAsAPI(err)
		if !isAPI || !apiErr.FromGateway {
			// The gateway's answer, if any, never arrived: its own refusal
			// is an answer (nothing stored), a network failure, timeout or
			// a proxy's status is not.
			unanswered, maybeStored = true, true
		}
		if ctx.Err() != nil {
			reject(fmt.Errorf("not delivered: %w (last error: %v)", ctx.Err(), err))
			return
		}
		giveUp := b.cfg.MaxAttempts > 0 && attempt >= b.cfg.MaxAttempts
		switch {
		case isAPI && apiErr.Conflict():
			head, herr := b.conflictHead(ctx, apiErr, last)
			if herr != nil {
				reject(fmt.Errorf("%w; then reading the head: %v", err, herr))
				return
			}
			if apiErr.Reason == ReasonReplay && unanswered && head == last {
				b.lostAcks.Add(1)
				b.nextSeq.Store(last + 1)
				b.ack(Ack{
					StreamID: b.id.StreamID, FirstSeq: first, LastSeq: last, Attempts: attempt,
					Latency: time.Since(start), LostAck: true,
				}, n)
				return
			}
			if giveUp {
				reject(fmt.Errorf("gave up after %d attempts: %w", attempt, err))
				return
			}
			first = head + 1
			unanswered = false // a new request
			if req, err = NewIngestRequest(b.cfg.ChainID, b.id, first, readings, b.cfg.SignMode); err != nil {
				reject(err)
				return
			}
			b.resyncs.Add(1)
			resyncs++
			// One resync is normal (restart, lost state); a head that keeps
			// moving (a second writer with this key?) must not make us spin.
			if resyncs > 1 && !sleep(ctx, b.cfg.Backoff.Delay(resyncs-1)) {
				reject(fmt.Errorf("not delivered: %w (last error: %v)", ctx.Err(), err))
				return
			}
		case IsRetryable(ctx, err):
			if giveUp {
				reject(fmt.Errorf("gave up after %d attempts: %w", attempt, err))
				return
			}
			wait := b.cfg.Backoff.Delay(attempt)
			if isAPI && apiErr.RetryAfter > 0 {
				wait = retryAfterJitter(apiErr.RetryAfter)
			}
			b.retries.Add(1)
			if !sleep(ctx, wait) {
				reject(fmt.Errorf("not delivered: %w (last error: %v)", ctx.Err(), err))
				return
			}
		default:
			reject(err)
			return
		}
	}
}

// ingest is one Ingest call under the call timeout.
func (b *Batcher) ingest(ctx context.Context, req *gatewaypb.IngestRequest) (*gatewaypb.IngestResponse, error) {
	callCtx, cancel := context.WithTimeout(ctx, b.cfg.CallTimeout)
	defer cancel()
	return b.tr.Ingest(callCtx, req)
}

// conflictHead is the stream's head after a 409: the refusal's own last_seq
// when it already proves the batch stored, else a fresh Head (gRPC
// refusals may carry no last_seq, and a gap's may be stale by now).
func (b *Batcher) conflictHead(ctx context.Context, apiErr *APIError, last uint64) (uint64, error) {
	if apiErr.Reason == ReasonReplay && apiErr.LastSeq >= last {
		return apiErr.LastSeq, nil
	}
	return b.head(ctx, b.cfg.MaxAttempts)
}

// head reads the stream's last acknowledged number, retrying transient
// failures up to maxAttempts tries (0: until ctx ends).
func (b *Batcher) head(ctx context.Context, maxAttempts int) (uint64, error) {
	for attempt := 1; ; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, b.cfg.CallTimeout)
		h, err := b.tr.Head(callCtx, b.id.StreamID)
		cancel()
		if err == nil {
			return h.LastSeq, nil
		}
		if !IsRetryable(ctx, err) || (maxAttempts > 0 && attempt >= maxAttempts) {
			return 0, err
		}
		wait := b.cfg.Backoff.Delay(attempt)
		if apiErr, ok := errorsAsAPI(err); ok && apiErr.RetryAfter > 0 {
			wait = apiErr.RetryAfter
		}
		if !sleep(ctx, wait) {
			return 0, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		}
	}
}

func (b *Batcher) ack(a Ack, n uint64) {
	b.acked.Add(n)
	b.batches.Add(1)
	if b.cfg.OnAck != nil {
		b.cfg.OnAck(a)
	}
}

func (b *Batcher) reject(first uint64, readings []ingest.BatchReading, maybeStored bool, err error) {
	b.rejected.Add(uint64(len(readings)))
	if b.cfg.OnReject != nil {
		b.cfg.OnReject(Rejection{StreamID: b.id.StreamID, FirstSeq: first, Readings: readings, MaybeDelivered: maybeStored, Err: err})
	}
}

// retryAfterJitter is the gateway's Retry-After plus up to half of it
// again: every device a busy gateway turns away hears the same number, and
// must not come back in the same instant.
func retryAfterJitter(d time.Duration) time.Duration {
	return d + rand.N(d/2+1) //nolint:gosec // jitter, not security
}

// unixNanoTime is t as a time, the zero time for 0 (not sent).
func unixNanoTime(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(0, t)
}
