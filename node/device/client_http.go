package device

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// Transport is what the Batcher needs from a gateway: Client (HTTP/JSON)
// and GRPCClient both provide it.
type Transport interface {
	Ingest(ctx context.Context, req *gatewaypb.IngestRequest) (*gatewaypb.IngestResponse, error)
	Head(ctx context.Context, streamID string) (*gatewaypb.HeadResponse, error)
}

// Health is the gateway's /healthz answer: the node's operator address (the
// home node devices register with), the chain id devices sign for, and the
// node's latest height.
type Health struct {
	Status   string `json:"status"`
	Operator string `json:"operator"`
	ChainID  string `json:"chain_id"`
	Height   int64  `json:"height"`
}

// Client talks HTTP/JSON to one gateway. It is safe for concurrent use;
// many devices can share one Client (and its connection pool).
type Client struct {
	base *url.URL
	hc   *http.Client
}

var _ Transport = (*Client)(nil)

// DefaultHTTPTimeout bounds one HTTP call, so a hung gateway turns into a
// retry instead of a stuck device.
const DefaultHTTPTimeout = 10 * time.Second

// maxResponseBytes bounds what is read of an answer: enough for any proof.
const maxResponseBytes = 8 << 20

// NewClient returns a client for the gateway at baseURL (for example
// http://127.0.0.1:8080). hc may be nil: the default keeps enough idle
// connections per host for a proxy serving many devices.
func NewClient(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("gateway url %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("gateway url %q: want http(s)://host:port", baseURL)
	}
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// The default (2) makes every concurrent device beyond the second
		// open and close a connection per batch.
		tr.MaxIdleConnsPerHost = 256
		hc = &http.Client{Transport: tr, Timeout: DefaultHTTPTimeout}
	}
	return &Client{base: u, hc: hc}, nil
}

// Ingest sends one signed batch. A refusal is an *APIError.
func (c *Client) Ingest(ctx context.Context, req *gatewaypb.IngestRequest) (*gatewaypb.IngestResponse, error) {
	var out gatewaypb.IngestResponse
	if err := c.do(ctx, http.MethodPost, "/v1/ingest", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Head returns the stream's last acknowledged sequence number (0: none yet).
func (c *Client) Head(ctx context.Context, streamID string) (*gatewaypb.HeadResponse, error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return nil, permanent(err)
	}
	var out gatewaypb.HeadResponse
	if err := c.do(ctx, http.MethodGet, "/v1/streams/"+ingest.PathSegment(streamID)+"/head", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Prove returns reading seq of the stream with its Merkle proof; Committed
// is false until the epoch holding it is on chain. reader is the request's
// signature by an account allowed to read the stream
// (gatewaypb.SignRead); nil only for gateways with open reads.
func (c *Client) Prove(ctx context.Context, streamID string, seq uint64, reader *gatewaypb.ReaderSignature) (*gatewaypb.ProveResponse, error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return nil, permanent(err)
	}
	var out gatewaypb.ProveResponse
	path := "/v1/streams/" + ingest.PathSegment(streamID) + "/readings/" + strconv.FormatUint(seq, 10) + "/proof"
	if err := c.do(ctx, http.MethodGet, path, nil, &out, reader.SetHeaders); err != nil {
		return nil, err
	}
	return &out, nil
}

// Health reads /healthz.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var out Health
	if err := c.do(ctx, http.MethodGet, "/healthz", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// do runs one call: body (if any) as JSON, a 2xx answer decoded into out,
// anything else turned into an *APIError.
func (c *Client) do(ctx context.Context, method, path string, body, out any, headers ...func(http.Header)) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return permanent(fmt.Errorf("encode request: %w", err))
		}
		if len(b) > ingest.MaxBodyBytes {
			return permanent(fmt.Errorf("request of %d bytes, the gateway takes at most %d: send smaller batches", len(b), ingest.MaxBodyBytes))
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return permanent(err)
	}
	req.Header.Set("Accept", "application/json")
	for _, set := range headers {
		set(req.Header)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiErrorFromHTTP(resp, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		// Retryable: the gateway may have stored the batch; a retry of the
		// same batch then comes back as a replay and counts as the ack.
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// errorBody is the gateway's JSON error body.
type errorBody struct {
	Code    int    `json:"code"`
	Error   string `json:"error"`
	Message string `json:"message"`
	LastSeq uint64 `json:"last_seq"`
}

// apiErrorFromHTTP reads a refusal. A body that is not the gateway's (a
// proxy's HTML page) still gives a usable error: the reason then comes from
// the status.
func apiErrorFromHTTP(resp *http.Response, raw []byte) *APIError {
	e := &APIError{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	var b errorBody
	if err := json.Unmarshal(raw, &b); err == nil && b.Error != "" {
		e.Reason, e.Message, e.LastSeq, e.FromGateway = b.Error, b.Message, b.LastSeq, true
		return e
	}
	e.Reason = reasonForStatus(resp.StatusCode)
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	e.Message = msg
	return e
}

// reasonForStatus is the gateway's reason for a status, for answers that
// carry none.
func reasonForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return ReasonMalformed
	case http.StatusUnauthorized:
		return ReasonBadSignature
	case http.StatusForbidden:
		return ReasonForbidden
	case http.StatusNotFound:
		return ReasonNotFound
	case http.StatusMisdirectedRequest:
		return ReasonMisdirected
	case http.StatusRequestEntityTooLarge:
		return ReasonTooLarge
	case http.StatusTooManyRequests:
		return ReasonRateLimited
	case http.StatusServiceUnavailable:
		return ReasonUnavailable
	default:
		return strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), time.Hour)
	}
	return 0
}
