package device_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/trustedge/trustedge/node/device"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	"github.com/trustedge/trustedge/x/stream/proof"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// fakeGateway implements the gateway contract the SDK is written against
// (node/gateway's README): real HTTP and gRPC, real signature checks with
// the device's public key by x/device's rule, sequence checks (replay, gap),
// a per-stream store, and proofs built with x/stream/proof. Faults are
// scripted per Ingest call. It is a stand-in for node/gateway, which needs a
// running chain.
type fakeGateway struct {
	t        testing.TB
	chainID  string
	operator string

	mu      sync.Mutex
	streams map[string]*fakeStream
	faults  []fault
	calls   []ingestCall
	heads   int
	readers []*gatewaypb.ReaderSignature // of the proof requests, in order
}

type fakeStream struct {
	deviceID  string
	key       devicetypes.PubKey
	forbidden bool
	readings  []gatewaypb.Reading // readings[i] has seq i+1
}

// fault replaces the answer to one Ingest call.
type fault struct {
	status     int
	reason     string
	retryAfter string // Retry-After header value
	// lostAck stores the batch as usual, then breaks the connection instead
	// of answering: the device cannot know it was stored.
	lostAck bool
}

// ingestCall is what the gateway saw of one Ingest call.
type ingestCall struct {
	at        time.Time
	firstSeq  uint64
	n         int
	signature []byte
	status    int
}

func newFakeGateway(t testing.TB) *fakeGateway {
	return &fakeGateway{t: t, chainID: "trustedge-test", operator: "edge1operatorxyz", streams: map[string]*fakeStream{}}
}

// addStream registers id's device and stream (what x/device and x/stream
// would hold on chain).
func (g *fakeGateway) addStream(id device.Identity) {
	g.t.Helper()
	pk, err := id.PubKey()
	if err != nil {
		g.t.Fatal(err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.streams[id.StreamID] = &fakeStream{deviceID: id.DeviceID, key: pk}
}

func (g *fakeGateway) inject(fs ...fault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults = append(g.faults, fs...)
}

func (g *fakeGateway) setForbidden(streamID string, forbidden bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.streams[streamID].forbidden = forbidden
}

// preload stores n readings as if another session of the device had sent
// them (head moves without this client knowing).
func (g *fakeGateway) preload(streamID string, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.streams[streamID]
	for i := 0; i < n; i++ {
		s.readings = append(s.readings, gatewaypb.Reading{Time: int64(i), Payload: []byte(fmt.Sprintf(`{"old":%d}`, i))})
	}
}

// truncate drops the stream's readings after head (a gateway restored from
// an older copy): the device's next batch then leaves a gap.
func (g *fakeGateway) truncate(streamID string, head int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.streams[streamID]
	s.readings = s.readings[:head]
}

func (g *fakeGateway) stored(streamID string) []gatewaypb.Reading {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gatewaypb.Reading(nil), g.streams[streamID].readings...)
}

func (g *fakeGateway) ingestCalls() []ingestCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]ingestCall(nil), g.calls...)
}

func (g *fakeGateway) headCalls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.heads
}

func refuse(status int, reason, format string, args ...any) *device.APIError {
	return &device.APIError{Status: status, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ingest is the gateway's core: faults first, then the checks in the real
// gateway's order, then the store. lostAck tells the transport to break the
// connection instead of answering.
func (g *fakeGateway) ingest(req *gatewaypb.IngestRequest) (resp *gatewaypb.IngestResponse, apiErr *device.APIError, lostAck bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	call := ingestCall{at: time.Now(), firstSeq: req.FirstSeq, n: len(req.Readings), signature: req.Signature, status: http.StatusOK}
	defer func() {
		if apiErr != nil {
			call.status = apiErr.Status
		}
		g.calls = append(g.calls, call)
	}()
	var f *fault
	if len(g.faults) > 0 {
		f = &g.faults[0]
		g.faults = g.faults[1:]
		if !f.lostAck {
			e := refuse(f.status, f.reason, "injected")
			if f.retryAfter != "" {
				secs, _ := strconv.Atoi(f.retryAfter)
				e.RetryAfter = time.Duration(secs) * time.Second
			}
			return nil, e, false
		}
	}
	s, ok := g.streams[req.StreamId]
	switch {
	case !ok:
		return nil, refuse(http.StatusNotFound, device.ReasonNotFound, "stream %q", req.StreamId), false
	case s.deviceID != req.DeviceId || s.forbidden:
		return nil, refuse(http.StatusForbidden, device.ReasonForbidden, "device %q may not write %q", req.DeviceId, req.StreamId), false
	case len(req.Readings) == 0 || req.FirstSeq == 0:
		return nil, refuse(http.StatusBadRequest, device.ReasonMalformed, "empty batch or seq 0"), false
	}
	if !g.signatureOK(s, req) {
		return nil, refuse(http.StatusUnauthorized, device.ReasonBadSignature, "signature does not verify"), false
	}
	last := uint64(len(s.readings))
	switch {
	case req.FirstSeq <= last:
		e := refuse(http.StatusConflict, device.ReasonReplay, "first_seq %d already stored", req.FirstSeq)
		e.LastSeq = last
		return nil, e, false
	case req.FirstSeq > last+1:
		e := refuse(http.StatusConflict, device.ReasonGap, "first_seq %d, next is %d", req.FirstSeq, last+1)
		e.LastSeq = last
		return nil, e, false
	}
	for _, r := range req.Readings {
		s.readings = append(s.readings, gatewaypb.Reading{Time: r.Time, Payload: r.Payload})
	}
	resp = &gatewaypb.IngestResponse{
		StreamId: req.StreamId, FirstSeq: req.FirstSeq,
		LastSeq: uint64(len(s.readings)), AckedAt: time.Now().UnixNano(),
	}
	return resp, nil, f != nil && f.lostAck
}

// signatureOK applies the gateway's rule: the batch signature over
// BatchSignBytes, or (batch signature empty) every reading's signature over
// ReadingSignBytes, checked with x/device's PubKey.VerifySignature.
func (g *fakeGateway) signatureOK(s *fakeStream, req *gatewaypb.IngestRequest) bool {
	if len(req.Signature) > 0 {
		rs := make([]ingest.BatchReading, len(req.Readings))
		for i, r := range req.Readings {
			rs[i] = ingest.BatchReading{Time: r.Time, Payload: r.Payload}
		}
		return s.key.VerifySignature(ingest.BatchSignBytes(g.chainID, req.StreamId, req.DeviceId, req.FirstSeq, rs), req.Signature)
	}
	for i, r := range req.Readings {
		msg := ingest.ReadingSignBytes(g.chainID, req.StreamId, req.DeviceId, req.FirstSeq+uint64(i), r.Time, r.Payload)
		if !s.key.VerifySignature(msg, r.Signature) {
			return false
		}
	}
	return true
}

func (g *fakeGateway) head(streamID string) (*gatewaypb.HeadResponse, *device.APIError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.heads++
	s, ok := g.streams[streamID]
	if !ok {
		return nil, refuse(http.StatusNotFound, device.ReasonNotFound, "stream %q", streamID)
	}
	return &gatewaypb.HeadResponse{StreamId: streamID, LastSeq: uint64(len(s.readings))}, nil
}

// proveFor answers a proof request as a gateway with read authorization
// does: a signed request only (the fake keeps the signature for the test to
// check instead of verifying it).
func (g *fakeGateway) proveFor(streamID string, seq uint64, reader *gatewaypb.ReaderSignature) (*gatewaypb.ProveResponse, *device.APIError) {
	if reader == nil {
		return nil, refuse(http.StatusUnauthorized, device.ReasonUnauthenticated, "proofs are served to signed requests only")
	}
	g.mu.Lock()
	g.readers = append(g.readers, reader)
	g.mu.Unlock()
	resp, _, apiErr := g.prove(streamID, seq)
	return resp, apiErr
}

// lastReader is the signature of the last proof request.
func (g *fakeGateway) lastReader() *gatewaypb.ReaderSignature {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.readers) == 0 {
		return nil
	}
	return g.readers[len(g.readers)-1]
}

// prove builds a one-epoch commitment over every stream's stored readings
// (one batch per stream) and proves reading seq of streamID against it.
func (g *fakeGateway) prove(streamID string, seq uint64) (*gatewaypb.ProveResponse, []byte, *device.APIError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.streams[streamID]
	if !ok || seq == 0 || seq > uint64(len(s.readings)) {
		return nil, nil, refuse(http.StatusNotFound, device.ReasonNotFound, "reading %s/%d", streamID, seq)
	}
	var batches []proof.Batch
	var leaves [][]byte
	for id, st := range g.streams {
		if len(st.readings) == 0 {
			continue
		}
		ls := make([][]byte, len(st.readings))
		for i, r := range st.readings {
			ls[i] = proof.ReadingLeaf(id, uint64(i+1), r.Time, r.Payload)
		}
		if id == streamID {
			leaves = ls
		}
		batches = append(batches, proof.Batch{StreamID: id, FirstSeq: 1, LastSeq: uint64(len(ls)), Root: proof.BatchRoot(ls)})
	}
	proof.SortBatches(batches)
	_, rp, err := proof.ReadingInclusion(leaves, int(seq-1))
	if err != nil {
		g.t.Fatal(err)
	}
	root, bp, bi, err := proof.BatchInclusion(batches, streamID)
	if err != nil {
		g.t.Fatal(err)
	}
	r := s.readings[seq-1]
	p := &proof.ReadingProof{
		Node: g.operator, Epoch: 1,
		Reading:     proof.Reading{StreamID: streamID, Seq: seq, Time: r.Time, Payload: r.Payload},
		Batch:       batches[bi],
		ReadingPath: rp, BatchPath: bp, EpochRoot: root,
	}
	wire := streamtypes.ReadingProofFrom(p)
	return &gatewaypb.ProveResponse{Committed: true, Height: 7, Proof: &wire}, root, nil
}

// --- HTTP ---

func (g *fakeGateway) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/ingest", func(w http.ResponseWriter, r *http.Request) {
		var req gatewaypb.IngestRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, ingest.MaxBodyBytes)).Decode(&req); err != nil {
			writeError(w, refuse(http.StatusBadRequest, device.ReasonMalformed, "%v", err), "")
			return
		}
		resp, apiErr, lostAck := g.ingest(&req)
		if lostAck {
			breakConnection(w)
			return
		}
		if apiErr != nil {
			retryAfter := ""
			if apiErr.RetryAfter > 0 {
				retryAfter = strconv.Itoa(int(apiErr.RetryAfter / time.Second))
			}
			writeError(w, apiErr, retryAfter)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
	mux.HandleFunc("GET /v1/streams/{id}/head", func(w http.ResponseWriter, r *http.Request) {
		resp, apiErr := g.head(r.PathValue("id"))
		if apiErr != nil {
			writeError(w, apiErr, "")
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
	mux.HandleFunc("GET /v1/streams/{id}/readings/{seq}/proof", func(w http.ResponseWriter, r *http.Request) {
		seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
		if err != nil {
			writeError(w, refuse(http.StatusBadRequest, device.ReasonMalformed, "seq: %v", err), "")
			return
		}
		reader, err := gatewaypb.ReaderFromHeaders(r.Header)
		if err != nil {
			writeError(w, refuse(http.StatusBadRequest, device.ReasonMalformed, "%v", err), "")
			return
		}
		resp, apiErr := g.proveFor(r.PathValue("id"), seq, reader)
		if apiErr != nil {
			writeError(w, apiErr, "")
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "operator": g.operator, "chain_id": g.chainID, "height": 12})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *device.APIError, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	body := map[string]any{"code": e.Status, "error": e.Reason, "message": e.Message}
	if e.Status == http.StatusConflict {
		body["last_seq"] = e.LastSeq
	}
	writeJSON(w, e.Status, body)
}

// breakConnection closes the TCP connection without an answer.
func breakConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

// serveHTTP starts the gateway on a real local port and returns a client.
func (g *fakeGateway) serveHTTP() *device.Client {
	g.t.Helper()
	srv := httptest.NewServer(g.handler())
	g.t.Cleanup(srv.Close)
	c, err := device.NewClient(srv.URL, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	return c
}

// --- gRPC ---

// grpcGateway serves the fake over gRPC with the gateway's refusal
// convention: the status code of the reason, and a google.rpc.ErrorInfo in
// domain trustedge.gateway.v1 with last_seq / retry_after_seconds.
type grpcGateway struct {
	gatewaypb.UnimplementedGatewayServer
	g *fakeGateway
	// noDetails sends bare status codes (a gateway without ErrorInfo).
	noDetails bool
}

var grpcCodes = map[string]codes.Code{
	device.ReasonMalformed: codes.InvalidArgument, device.ReasonBadSignature: codes.Unauthenticated,
	device.ReasonForbidden: codes.PermissionDenied, device.ReasonMisdirected: codes.FailedPrecondition,
	device.ReasonReplay: codes.AlreadyExists, device.ReasonGap: codes.OutOfRange,
	device.ReasonTooLarge: codes.ResourceExhausted, device.ReasonRateLimited: codes.ResourceExhausted,
	device.ReasonNotFound: codes.NotFound, device.ReasonUnavailable: codes.Unavailable,
}

func (s *grpcGateway) status(e *device.APIError) error {
	c, ok := grpcCodes[e.Reason]
	if !ok {
		c = codes.Internal
	}
	st := status.New(c, e.Reason+": "+e.Message)
	if s.noDetails {
		return st.Err()
	}
	info := &errdetails.ErrorInfo{Reason: e.Reason, Domain: "trustedge.gateway.v1", Metadata: map[string]string{}}
	if e.Status == http.StatusConflict {
		info.Metadata["last_seq"] = strconv.FormatUint(e.LastSeq, 10)
	}
	if e.RetryAfter > 0 {
		info.Metadata["retry_after_seconds"] = strconv.Itoa(int(e.RetryAfter / time.Second))
	}
	withInfo, err := st.WithDetails(protoadapt.MessageV1Of(info))
	if err != nil {
		panic(err)
	}
	return withInfo.Err()
}

func (s *grpcGateway) Ingest(_ context.Context, req *gatewaypb.IngestRequest) (*gatewaypb.IngestResponse, error) {
	resp, apiErr, lostAck := s.g.ingest(req)
	if lostAck {
		return nil, status.Error(codes.Unavailable, "connection lost")
	}
	if apiErr != nil {
		return nil, s.status(apiErr)
	}
	return resp, nil
}

func (s *grpcGateway) Head(_ context.Context, req *gatewaypb.HeadRequest) (*gatewaypb.HeadResponse, error) {
	resp, apiErr := s.g.head(req.StreamId)
	if apiErr != nil {
		return nil, s.status(apiErr)
	}
	return resp, nil
}

func (s *grpcGateway) Prove(_ context.Context, req *gatewaypb.ProveRequest) (*gatewaypb.ProveResponse, error) {
	resp, apiErr := s.g.proveFor(req.StreamId, req.Seq, req.Reader)
	if apiErr != nil {
		return nil, s.status(apiErr)
	}
	return resp, nil
}

// serveGRPC starts the gateway's gRPC service on a local port.
func (g *fakeGateway) serveGRPC(noDetails bool) *device.GRPCClient {
	g.t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		g.t.Fatal(err)
	}
	// The stock codec, as node/gateway's NewGRPCServer: the client's SDK
	// codec must interoperate with it.
	srv := grpc.NewServer()
	gatewaypb.RegisterGatewayServer(srv, &grpcGateway{g: g, noDetails: noDetails})
	go func() { _ = srv.Serve(lis) }()
	g.t.Cleanup(srv.Stop)
	c, err := device.NewGRPCClient(lis.Addr().String())
	if err != nil {
		g.t.Fatal(err)
	}
	g.t.Cleanup(func() { _ = c.Close() })
	return c
}

// testReader is a reader account's signature of a proof request to g.
func testReader(t testing.TB, g *fakeGateway, streamID string, seq uint64) *gatewaypb.ReaderSignature {
	t.Helper()
	key := secp256k1.GenPrivKeyFromSecret([]byte("device-test/reader"))
	r, err := gatewaypb.SignRead(gatewaypb.PrivKeySigner(key), g.chainID, g.operator, streamID, seq, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
