package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/node/store"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// Head returns the last acknowledged sequence number of a stream homed on
// this node (0 before the first batch): where a restarted device continues.
func (g *Gateway) Head(ctx context.Context, req *gatewaypb.HeadRequest) (*gatewaypb.HeadResponse, error) {
	if e := g.enter(); e != nil {
		return nil, e
	}
	defer g.leave()
	start := time.Now()
	resp, e := g.head(ctx, req)
	g.logQuery(ctx, "head", req.GetStreamId(), 0, start, e)
	if e != nil {
		return nil, e
	}
	return resp, nil
}

func (g *Gateway) head(ctx context.Context, req *gatewaypb.HeadRequest) (*gatewaypb.HeadResponse, *Error) {
	if err := ingest.ValidateID("stream", req.GetStreamId()); err != nil {
		return nil, newError(ReasonMalformed, "%v", err)
	}
	if _, e := g.homeStream(ctx, g.cache.at(), req.StreamId); e != nil {
		return nil, e
	}
	last, err := g.store.Head(req.StreamId)
	if err != nil {
		return nil, newError(ReasonUnavailable, "stream store: %v", err)
	}
	return &gatewaypb.HeadResponse{StreamId: req.StreamId, LastSeq: last}, nil
}

// Prove returns a stored reading with its Merkle path to the root of the
// epoch that holds it. committed is false while that epoch is closed but
// not yet on chain; a reading in no closed epoch yet is not_found (pending).
func (g *Gateway) Prove(ctx context.Context, req *gatewaypb.ProveRequest) (*gatewaypb.ProveResponse, error) {
	if e := g.enter(); e != nil {
		return nil, e
	}
	defer g.leave()
	start := time.Now()
	resp, reader, e := g.prove(ctx, req)
	g.logQuery(ctx, "prove", req.GetStreamId(), req.GetSeq(), start, e, "reader", reader)
	if e != nil {
		return nil, e
	}
	return resp, nil
}

// prove also returns the verified reader (see authorizeRead) for the log.
func (g *Gateway) prove(ctx context.Context, req *gatewaypb.ProveRequest) (*gatewaypb.ProveResponse, string, *Error) {
	if err := ingest.ValidateID("stream", req.GetStreamId()); err != nil {
		return nil, "", newError(ReasonMalformed, "%v", err)
	}
	if req.Seq == 0 {
		return nil, "", newError(ReasonMalformed, "seq must be >= 1 (sequence numbers start at 1)")
	}
	// A closed stream's readings stay provable, so only existence and home
	// are checked, not status.
	c := g.cache.at()
	s, e := g.homeStream(ctx, c, req.StreamId)
	if e != nil {
		return nil, "", e
	}
	reader, e := g.authorizeRead(ctx, c, s, req.Seq, req.Reader)
	if e != nil {
		return nil, reader, e
	}
	// A proof re-reads and re-hashes its whole batch: bound how many run at
	// once so unauthenticated proof requests cannot starve ingest.
	select {
	case g.proving <- struct{}{}:
	case <-ctx.Done():
		return nil, reader, newError(ReasonUnavailable, "request cancelled while waiting for a proof slot")
	}
	p, ep, err := g.store.Prove(g.cfg.Operator, req.StreamId, req.Seq)
	<-g.proving
	switch {
	case errors.Is(err, store.ErrPending):
		return nil, reader, newError(ReasonPending, "reading %d of stream %q is pending: stored but in no closed epoch yet; an epoch closes every few blocks, retry then", req.Seq, req.StreamId)
	case errors.Is(err, store.ErrPruned):
		return nil, reader, newError(ReasonPruned, "reading %d of stream %q was committed on chain and then removed by the stream's retention", req.Seq, req.StreamId)
	case errors.Is(err, store.ErrNotFound):
		return nil, reader, newError(ReasonNotFound, "reading %d of stream %q is unknown: this node never acknowledged it", req.Seq, req.StreamId)
	case err != nil:
		return nil, reader, newError(ReasonUnavailable, "stream store: %v", err)
	}
	wire := streamtypes.ReadingProofFrom(p)
	return &gatewaypb.ProveResponse{
		Committed: ep.CommittedHeight > 0,
		Height:    ep.CommittedHeight,
		Proof:     &wire,
	}, reader, nil
}
