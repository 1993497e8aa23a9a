package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// Handler is the HTTP/JSON API (see README.md). Bodies are the gatewaypb
// structs through encoding/json: snake_case fields, bytes as base64, zero
// values omitted.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/ingest", g.serveIngest)
	mux.HandleFunc("GET /v1/streams/{id}/head", g.serveHead)
	mux.HandleFunc("GET /v1/streams/{id}/readings/{seq}/proof", g.serveProve)
	mux.HandleFunc("GET /healthz", g.serveHealth)
	mux.HandleFunc("/", serveNoRoute)
	return mux
}

func (g *Gateway) serveIngest(w http.ResponseWriter, r *http.Request) {
	ctx := withTransport(r.Context(), "http")
	// Refuse a declared oversize body before reading a byte of it.
	if r.ContentLength > ingest.MaxBodyBytes {
		e := newError(ReasonTooLarge, "body is %d bytes, at most %d are taken", r.ContentLength, ingest.MaxBodyBytes)
		g.logIngest(ctx, nil, time.Now(), e)
		writeError(w, e)
		return
	}
	start := time.Now()
	select {
	case g.decoding <- struct{}{}:
	case <-ctx.Done():
		return // the client went away while waiting
	}
	req, e := DecodeIngest(http.MaxBytesReader(w, r.Body, ingest.MaxBodyBytes))
	<-g.decoding
	if e != nil {
		g.logIngest(ctx, nil, start, e)
		writeError(w, e)
		return
	}
	resp, err := g.Ingest(ctx, req)
	if err != nil {
		writeError(w, asError(err))
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (g *Gateway) serveHead(w http.ResponseWriter, r *http.Request) {
	resp, err := g.Head(withTransport(r.Context(), "http"), &gatewaypb.HeadRequest{StreamId: r.PathValue("id")})
	if err != nil {
		writeError(w, asError(err))
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (g *Gateway) serveProve(w http.ResponseWriter, r *http.Request) {
	ctx := withTransport(r.Context(), "http")
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil {
		e := newError(ReasonMalformed, "seq %q is not a decimal sequence number", r.PathValue("seq"))
		g.logQuery(ctx, "prove", r.PathValue("id"), 0, time.Now(), e)
		writeError(w, e)
		return
	}
	resp, err := g.Prove(ctx, &gatewaypb.ProveRequest{StreamId: r.PathValue("id"), Seq: seq})
	if err != nil {
		writeError(w, asError(err))
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// serveNoRoute answers unknown paths and methods with the JSON error body,
// so a client never has to parse anything else.
func serveNoRoute(w http.ResponseWriter, r *http.Request) {
	writeError(w, newError(ReasonNotFound, "no endpoint %s %s (see node/gateway/README.md)", r.Method, r.URL.Path))
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(e.RetryAfterSeconds, 10))
	}
	writeJSON(w, e.HTTPStatus(), e.Body())
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	// The status is sent: a failed write means the client went away, and
	// there is nobody left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
