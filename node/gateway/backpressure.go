package gateway

// backlogRetrySeconds is the wait a refused device is told to take when
// the backlog is full: a few blocks.
const backlogRetrySeconds = 5

// haltedRetrySeconds is the wait a halted node asks for: it needs an
// operator, so devices should not resend whole batches every few seconds.
const haltedRetrySeconds = 60

// HaltIngest makes every later ingest request fail as unavailable with
// reason, and /healthz report it. The node's data plane calls it when the
// epoch committer stops for good (the store and the chain disagree): what
// the gateway acknowledged then would never be committed, or — with a lost
// store, whose heads restart at 0 — could be a replay of batches signed
// long ago. Heads and proofs are still served.
func (g *Gateway) HaltIngest(reason string) {
	g.halted.Store(&reason)
	g.log.Error("ingest halted: batches are refused until the node is restarted", "reason", reason)
}

// openingRetrySeconds is the wait a device is told to take while ingest is
// not open yet: the committer's start-up check takes a block or two.
const openingRetrySeconds = 5

// OpenIngest opens ingest on a gateway built with Config.StartClosed. The
// data plane calls it once the epoch committer has checked the store
// against the chain: until then a lost or foreign store (heads back at 0)
// is not known to be one, and the batches it took could be replays or
// could never be committed.
func (g *Gateway) OpenIngest() {
	if g.closedUntilOpen.Swap(false) {
		g.log.Info("ingest open: the stream store matches the chain")
	}
}

// IngestHalted reports whether HaltIngest was called.
func (g *Gateway) IngestHalted() bool { return g.halted.Load() != nil }

// ingestHalted is the reason given to HaltIngest, if any.
func (g *Gateway) ingestHalted() (string, bool) {
	if r := g.halted.Load(); r != nil {
		return *r, true
	}
	return "", false
}

// admitIngest refuses a batch while ingest is halted or while the store
// holds more acknowledged-but-uncommitted readings or batches than the
// configured bounds. It runs before anything else: a node that cannot
// commit should not spend CPU on signatures it will refuse anyway.
func (g *Gateway) admitIngest() *Error {
	if reason, halted := g.ingestHalted(); halted {
		e := newError(ReasonUnavailable, "ingest halted on this node: %s", reason)
		e.RetryAfterSeconds = haltedRetrySeconds
		return e
	}
	if g.closedUntilOpen.Load() {
		e := newError(ReasonUnavailable, "ingest not open yet: the node is checking its stream store against the chain (or still catching up with it)")
		e.RetryAfterSeconds = openingRetrySeconds
		return e
	}
	readings, batches := g.store.Pending()
	if readings >= g.cfg.MaxPendingReadings || batches >= g.cfg.MaxPendingBatches {
		e := newError(ReasonUnavailable, "commit backlog: %d readings in %d batches wait for the chain (at most %d readings, %d batches); retry later",
			readings, batches, g.cfg.MaxPendingReadings, g.cfg.MaxPendingBatches)
		e.RetryAfterSeconds = backlogRetrySeconds
		return e
	}
	return nil
}
