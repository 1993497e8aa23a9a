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
}

// Health reports the gateway's identity and the chain height it reads.
func (g *Gateway) Health() Health {
	return Health{Status: "ok", Operator: g.cfg.Operator, ChainID: g.chainID, Height: g.chain.Height()}
}

// serveHealth is not logged: probes would fill the log.
func (g *Gateway) serveHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, g.Health())
}
