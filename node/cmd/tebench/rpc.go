package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// rpcClient is a minimal CometBFT JSON-RPC (HTTP POST) client. The SDK's
// and CometBFT's clients work too, but this keeps per-call overhead low and
// lets every worker reuse keep-alive connections.
type rpcClient struct {
	url string
	hc  *http.Client
}

func newRPCClient(url string, maxConns int) *rpcClient {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		// CometBFT's RPC server closes connections idle for its ReadTimeout
		// (10 s); drop them first so a request never races that close.
		IdleConnTimeout:    5 * time.Second,
		DisableCompression: true,
	}
	return &rpcClient{url: strings.TrimRight(url, "/"), hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// rpcError is a JSON-RPC level error (e.g. "mempool is full" is returned
// this way, not as a CheckTx code).
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func (e *rpcError) Error() string {
	return fmt.Sprintf("rpc error %d: %s: %s", e.Code, e.Message, e.Data)
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

func (c *rpcClient) call(ctx context.Context, method string, params any, out any) error {
	err := c.call1(ctx, method, params, out)
	if err != nil && ctx.Err() == nil && isConnReset(err) {
		// A keep-alive connection the server had just closed: once more on a
		// fresh one. (For broadcasts this is safe: a tx the node already
		// has answers "already exists in cache", which counts as accepted.)
		err = c.call1(ctx, method, params, out)
	}
	return err
}

func isConnReset(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

func (c *rpcClient) call1(ctx context.Context, method string, params any, out any) error {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r rpcResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("%s: decoding response (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if r.Error != nil {
		return r.Error
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Result, out)
}

// jsonInt decodes CometBFT's int64-as-string (and plain numbers).
type jsonInt int64

func (j *jsonInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*j = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*j = jsonInt(v)
	return err
}

type broadcastResult struct {
	Code      uint32 `json:"code"`
	Log       string `json:"log"`
	Codespace string `json:"codespace"`
	Hash      string `json:"hash"`
}

func (c *rpcClient) broadcastTxSync(ctx context.Context, tx []byte) (*broadcastResult, error) {
	var res broadcastResult
	// []byte marshals as base64, which is how CometBFT's JSON-RPC takes txs.
	if err := c.call(ctx, "broadcast_tx_sync", map[string]any{"tx": tx}, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// appHeight is the height the application has committed (abci_info), i.e.
// the last block whose results are final and queryable.
func (c *rpcClient) appHeight(ctx context.Context) (int64, error) {
	var res struct {
		Response struct {
			LastBlockHeight jsonInt `json:"last_block_height"`
		} `json:"response"`
	}
	if err := c.call(ctx, "abci_info", map[string]any{}, &res); err != nil {
		return 0, err
	}
	return int64(res.Response.LastBlockHeight), nil
}

type blockInfo struct {
	Height int64
	Time   time.Time
	Txs    [][]byte
}

func (c *rpcClient) block(ctx context.Context, height int64) (*blockInfo, error) {
	var res struct {
		Block struct {
			Header struct {
				Height jsonInt   `json:"height"`
				Time   time.Time `json:"time"`
			} `json:"header"`
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := c.call(ctx, "block", map[string]any{"height": strconv.FormatInt(height, 10)}, &res); err != nil {
		return nil, err
	}
	if int64(res.Block.Header.Height) != height {
		return nil, fmt.Errorf("block %d: got height %d", height, res.Block.Header.Height)
	}
	return &blockInfo{Height: height, Time: res.Block.Header.Time, Txs: res.Block.Data.Txs}, nil
}

// txResult is the part of a tx's ExecTxResult the benchmark needs.
type txResult struct {
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace"`
	Log       string `json:"log"`
}

// blockResults returns the result of every tx of a block.
func (c *rpcClient) blockResults(ctx context.Context, height int64) ([]txResult, error) {
	var res struct {
		TxsResults []txResult `json:"txs_results"`
	}
	if err := c.call(ctx, "block_results", map[string]any{"height": strconv.FormatInt(height, 10)}, &res); err != nil {
		return nil, err
	}
	return res.TxsResults, nil
}

func (c *rpcClient) numUnconfirmedTxs(ctx context.Context) (int, error) {
	var res struct {
		Total jsonInt `json:"total"`
	}
	if err := c.call(ctx, "num_unconfirmed_txs", map[string]any{}, &res); err != nil {
		return 0, err
	}
	return int(res.Total), nil
}

func isMempoolFull(err error) bool {
	var re *rpcError
	return errors.As(err, &re) && (strings.Contains(re.Data, "mempool is full") || strings.Contains(re.Data, "still rechecking"))
}

func isInCache(err error) bool {
	var re *rpcError
	return errors.As(err, &re) && strings.Contains(re.Data, "tx already exists in cache")
}
