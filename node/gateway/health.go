package gateway

import (
	"net/http"
)

// Health is the body of GET /healthz. Device simulators read the operator
// (the home node to register devices on) and the chain id (part of what a
// device signs) from it.
type Health struct {
	Status   string `json:"status"`
	Operator string `json:"operator"`
	ChainID  string `json:"chain_id"`
	// Height is the last committed block height.
	Height int64 `json:"height"`
	// PendingReadings and PendingBatches are acknowledged but not yet in
	// an epoch (see Config.MaxPendingReadings).
	PendingReadings uint64 `json:"pending_readings"`
	PendingBatches  uint64 `json:"pending_batches"`
	// BodyBytesInFlight is the part of the request-body budget ingest
	// calls hold now (Config.MaxBodyBytesInFlight).
	BodyBytesInFlight int64 `json:"body_bytes_in_flight"`
	// HaltedReason is set, and Status is "ingest_halted", once the node
	// stopped taking batches (HaltIngest). Status is "starting" while
	// ingest is not open yet (Config.StartClosed).
	HaltedReason string `json:"halted_reason,omitempty"`
}

// Health reports the gateway's identity, the chain height it reads and
// whether it takes batches.
func (g *Gateway) Health() Health {
	readings, batches := g.store.Pending()
	h := Health{Status: "ok", Operator: g.cfg.Operator, ChainID: g.chainID, Height: g.chain.Height(),
		PendingReadings: readings, PendingBatches: batches, BodyBytesInFlight: g.budget.inUse.Load()}
	if reason, halted := g.ingestHalted(); halted {
		h.Status, h.HaltedReason = "ingest_halted", reason
	} else if g.closedUntilOpen.Load() {
		h.Status = "starting"
	}
	return h
}

// serveHealth is not logged: probes would fill the log.
func (g *Gateway) serveHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, g.Health())
}
