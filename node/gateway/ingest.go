package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/store"
)

// Ingest stores a signed batch of readings and acknowledges it once it is
// on disk. It is the one ingest path: HTTP decodes JSON into the request and
// calls it, gRPC calls it directly. The checks run cheap first, and any
// failure returns an *Error and stores nothing:
//
//  1. shape: ids, 1..MaxReadingsPerBatch readings, payload sizes, first_seq;
//  2. stream: exists, open, fed by this device, homed on this node;
//  3. device active, and the stream owner allowed "write" on the stream;
//  4. first_seq is the stream's next sequence number (fast path, no lock);
//  5. the device's signature (batch, or every reading), unless its bucket
//     already cannot cover the batch (refused as rate_limited unverified);
//  6. the device's rate limit (tokens given back if the store refuses);
//  7. the store appends iff first_seq is still the stream's next number.
func (g *Gateway) Ingest(ctx context.Context, req *gatewaypb.IngestRequest) (*gatewaypb.IngestResponse, error) {
	if e := g.enter(); e != nil {
		return nil, e
	}
	defer g.leave()
	start := time.Now()
	resp, e := g.ingest(ctx, req)
	g.logIngest(ctx, req, start, e)
	if e != nil {
		return nil, e
	}
	return resp, nil
}

func (g *Gateway) ingest(ctx context.Context, req *gatewaypb.IngestRequest) (*gatewaypb.IngestResponse, *Error) {
	if e := g.admitIngest(); e != nil {
		return nil, e
	}
	if e := ValidateIngest(req); e != nil {
		return nil, e
	}
	dev, e := g.authorize(ctx, g.cache.at(), req)
	if e != nil {
		return nil, e
	}
	// A replayed or gapped batch is refused before its signatures are
	// checked and before it costs the device tokens: replaying a captured
	// batch must be cheap for the node and free for the real device. (The
	// store checks again under the stream's lock; this is only the fast path.)
	if head, err := g.store.Head(req.StreamId); err == nil && req.FirstSeq != head+1 {
		return nil, appendError(req, &store.SeqError{Head: head, Replay: req.FirstSeq <= head})
	}
	if e := g.limiter.precheck(req.DeviceId, len(req.Readings), time.Now()); e != nil {
		return nil, e
	}
	if e := g.verifySignatures(dev, req); e != nil {
		return nil, e
	}
	now := time.Now()
	res, e := g.limiter.take(req.DeviceId, len(req.Readings), now)
	if e != nil {
		return nil, e
	}

	rs := make([]store.Reading, len(req.Readings))
	for i, r := range req.Readings {
		rs[i] = store.Reading{Time: r.Time, Payload: r.Payload}
	}
	last, err := g.store.Append(req.StreamId, req.FirstSeq, rs, now.UnixNano())
	if err != nil {
		refund(res, now)
		return nil, appendError(req, err)
	}
	return &gatewaypb.IngestResponse{
		StreamId: req.StreamId,
		FirstSeq: req.FirstSeq,
		LastSeq:  last,
		AckedAt:  time.Now().UnixNano(),
	}, nil
}

// appendError turns the store's sequence refusal into replay/gap with the
// stream's head, so the device resyncs without asking.
func appendError(req *gatewaypb.IngestRequest, err error) *Error {
	var seqErr *store.SeqError
	if !errors.As(err, &seqErr) {
		return newError(ReasonUnavailable, "stream store: %v", err)
	}
	var e *Error
	if seqErr.Replay {
		e = newError(ReasonReplay, "first_seq %d of stream %q is not after its last acknowledged seq %d: readings up to %d are already stored; send from %d",
			req.FirstSeq, req.StreamId, seqErr.Head, seqErr.Head, seqErr.Head+1)
	} else {
		e = newError(ReasonGap, "first_seq %d of stream %q leaves a gap after its last acknowledged seq %d; send from %d",
			req.FirstSeq, req.StreamId, seqErr.Head, seqErr.Head+1)
	}
	e.LastSeq = seqErr.Head
	return e
}
