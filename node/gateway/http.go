package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
	// A node that takes no batches now (not open yet, halted, backlog
	// full) says so before reading a byte of the body.
	if e := g.admitIngest(); e != nil {
		g.logIngest(ctx, nil, start, e)
		writeError(w, e)
		return
	}
	// Room for the body in the budget of bytes held by requests in flight
	// (bodybudget.go), before a byte is read.
	release, e := g.budget.acquireHTTP(ctx, r.RemoteAddr, r.ContentLength)
	if e != nil {
		g.logIngest(ctx, nil, start, e)
		writeError(w, e)
		return
	}
	defer release()
	// Read the whole body before taking a decode slot, against a deadline
	// that demands a minimum rate: a client that trickles its body (or
	// declares one and stalls) then holds only its own connection, for
	// seconds, instead of one of the few slots every device needs.
	_ = http.NewResponseController(w).SetReadDeadline(start.Add(bodyDeadline(r.ContentLength)))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, ingest.MaxBodyBytes))
	if err != nil {
		e := readBodyError(err)
		g.logIngest(ctx, nil, start, e)
		writeError(w, e)
		return
	}
	select {
	case g.decoding <- struct{}{}:
	case <-ctx.Done():
		return // the client went away while waiting
	}
	req, e := DecodeIngest(bytes.NewReader(body))
	<-g.decoding
	body = nil
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
	reader, err := gatewaypb.ReaderFromHeaders(r.Header)
	if err != nil {
		e := newError(ReasonMalformed, "%v", err)
		g.logQuery(ctx, "prove", r.PathValue("id"), seq, time.Now(), e)
		writeError(w, e)
		return
	}
	resp, err := g.Prove(ctx, &gatewaypb.ProveRequest{StreamId: r.PathValue("id"), Seq: seq, Reader: reader})
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

// Body read deadline: bodyGrace plus the declared length (the largest body
// when undeclared) at minBodyRate, at most maxBodyWait (the server's
// ReadTimeout). A 4 MiB body gets the full two minutes; a 100 kB one 16 s.
const (
	bodyGrace   = 10 * time.Second
	minBodyRate = 16 << 10 // bytes/s
	maxBodyWait = 2 * time.Minute
)

func bodyDeadline(contentLength int64) time.Duration {
	if contentLength < 0 || contentLength > ingest.MaxBodyBytes {
		contentLength = ingest.MaxBodyBytes
	}
	return min(bodyGrace+time.Duration(contentLength)*time.Second/minBodyRate, maxBodyWait)
}

// readBodyError names why a body could not be read: too large, too slow,
// or cut off.
func readBodyError(err error) *Error {
	var tooBig *http.MaxBytesError
	var netErr interface{ Timeout() bool }
	switch {
	case errors.As(err, &tooBig):
		return newError(ReasonTooLarge, "body is over %d bytes", tooBig.Limit)
	case errors.As(err, &netErr) && netErr.Timeout():
		return newError(ReasonTimeout, "body not received in time (at least %d bytes/s after %s are needed)", minBodyRate, bodyGrace)
	default:
		return newError(ReasonMalformed, "reading body: %v", err)
	}
}
