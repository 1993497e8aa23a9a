//go:build e2e

// Package e2e runs the real trustedged binary: a localnet started by
// scripts/localnet.sh, driven through the CLI and CometBFT's RPC.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Localnet is a running scripts/localnet.sh network.
type Localnet struct {
	t      *testing.T
	root   string // repo root
	bin    string // trustedged binary
	home   string // LOCALNET_HOME
	offset int    // PORT_OFFSET
	n      int
	env    []string // extra environment for scripts/localnet.sh
}

// repoRoot finds the repository root from this package's directory.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	root, err := filepath.Abs(filepath.Join(dir, "..", ".."))
	require.NoError(t, err)
	return root
}

// StartLocalnet starts n validators with ports shifted by offset and
// registers a cleanup that stops them. Offsets are multiples of 500 up to
// 5000 (each test its own): every port then stays below the kernel's
// ephemeral range (32768+), where an outgoing connection could hold it, and
// no two tests (nor a user's 4-node localnet at offset 0) share a port. env adds to the script's environment
// (the device simulator is off unless env has LOCALNET_DEVSIM=1).
func StartLocalnet(t *testing.T, n, offset int, env ...string) *Localnet {
	t.Helper()
	root := repoRoot(t)
	bin := os.Getenv("TRUSTEDGED")
	if bin == "" {
		bin = filepath.Join(root, "build", "trustedged")
	}
	_, err := os.Stat(bin)
	require.NoError(t, err, "build the binary first (make build) or set TRUSTEDGED")
	ln := &Localnet{t: t, root: root, bin: bin, home: t.TempDir(), offset: offset, n: n, env: env}
	t.Cleanup(func() {
		if out, err := ln.script("stop"); err != nil {
			t.Logf("localnet stop: %v\n%s", err, out)
		}
		if t.Failed() {
			for i := 0; i < ln.n; i++ {
				logs, _ := os.ReadFile(filepath.Join(ln.NodeHome(i), "trustedged.log"))
				t.Logf("--- node%d log tail ---\n%s", i, tail(string(logs), 40))
			}
		}
	})
	out, err := ln.script("start", strconv.Itoa(n))
	require.NoError(t, err, "localnet start:\n%s", out)
	return ln
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

func (ln *Localnet) script(args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(ln.root, "scripts", "localnet.sh"), args...)
	cmd.Env = append(os.Environ(),
		"LOCALNET_HOME="+ln.home,
		"PORT_OFFSET="+strconv.Itoa(ln.offset),
		"TRUSTEDGED="+ln.bin,
		"BLOCK_TIME=500ms",
		"LOCALNET_DEVSIM=0",
	)
	cmd.Env = append(cmd.Env, ln.env...) // later entries win
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// NodeHome is node i's home directory.
func (ln *Localnet) NodeHome(i int) string { return filepath.Join(ln.home, fmt.Sprintf("node%d", i)) }

// RPC is node i's CometBFT RPC address.
func (ln *Localnet) RPC(i int) string {
	return fmt.Sprintf("tcp://127.0.0.1:%d", ln.offset+26657+100*i)
}

// Gateway is node i's device ingest gateway (HTTP).
func (ln *Localnet) Gateway(i int) string {
	return fmt.Sprintf("http://127.0.0.1:%d", ln.offset+8080+100*i)
}

// REST is node i's REST (grpc-gateway) base URL.
func (ln *Localnet) REST(i int) string {
	return fmt.Sprintf("http://127.0.0.1:%d", ln.offset+1317+100*i)
}

func (ln *Localnet) rpcURL(i int, path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", ln.offset+26657+100*i, path)
}

// CLI runs trustedged with args against node 0's home and RPC.
func (ln *Localnet) CLI(args ...string) (string, error) { return ln.CLIOn(0, args...) }

// CLIOn runs trustedged with node 0's home (its keyring) against node i's RPC.
func (ln *Localnet) CLIOn(i int, args ...string) (string, error) {
	full := append(args, "--home", ln.NodeHome(0), "--node", ln.RPC(i))
	cmd := exec.Command(ln.bin, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), fmt.Errorf("trustedged %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// rpcGet decodes a CometBFT RPC JSON result into out.
func (ln *Localnet) rpcGet(i int, path string, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ln.rpcURL(i, path), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return err
	}
	if len(env.Error) > 0 && string(env.Error) != "null" {
		return fmt.Errorf("rpc %s: %s", path, env.Error)
	}
	return json.Unmarshal(env.Result, out)
}

// Height is node i's latest block height, or an error if it does not answer.
func (ln *Localnet) Height(i int) (int64, error) {
	var st struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if err := ln.rpcGet(i, "/status", &st); err != nil {
		return 0, err
	}
	return strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
}

// WaitHeight waits until node i reaches height h.
func (ln *Localnet) WaitHeight(i int, h int64, timeout time.Duration) {
	ln.t.Helper()
	require.Eventually(ln.t, func() bool {
		got, err := ln.Height(i)
		return err == nil && got >= h
	}, timeout, 200*time.Millisecond, "node%d did not reach height %d", i, h)
}

// Validator is one entry of CometBFT's /validators.
type Validator struct {
	Address     string `json:"address"`
	VotingPower string `json:"voting_power"`
}

// Validators returns CometBFT's validator set on node i at its latest height.
func (ln *Localnet) Validators(i int) ([]Validator, error) {
	var res struct {
		Validators []Validator `json:"validators"`
	}
	err := ln.rpcGet(i, "/validators?per_page=100", &res)
	return res.Validators, err
}

// BlockHeader returns the (block hash, app hash) node i has for height h.
func (ln *Localnet) BlockHeader(i int, h int64) (blockHash, appHash string, err error) {
	var res struct {
		BlockID struct {
			Hash string `json:"hash"`
		} `json:"block_id"`
		Block struct {
			Header struct {
				AppHash string `json:"app_hash"`
			} `json:"header"`
		} `json:"block"`
	}
	if err := ln.rpcGet(i, fmt.Sprintf("/block?height=%d", h), &res); err != nil {
		return "", "", err
	}
	return res.BlockID.Hash, res.Block.Header.AppHash, nil
}

// Kill sends SIGKILL to node i (no clean shutdown) and waits for it to die.
func (ln *Localnet) Kill(i int) {
	ln.t.Helper()
	pidFile := filepath.Join(ln.NodeHome(i), "trustedged.pid")
	bz, err := os.ReadFile(pidFile)
	require.NoError(ln.t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(bz)))
	require.NoError(ln.t, err)
	require.NoError(ln.t, syscall.Kill(pid, syscall.SIGKILL))
	require.Eventually(ln.t, func() bool { return syscall.Kill(pid, 0) != nil }, 10*time.Second, 100*time.Millisecond)
}

// Restart restarts every stopped node (localnet.sh start reuses the homes).
func (ln *Localnet) Restart() {
	ln.t.Helper()
	out, err := ln.script("start")
	require.NoError(ln.t, err, "localnet restart:\n%s", out)
}

// TxResult is the outcome of a committed transaction.
type TxResult struct {
	Hash      string
	Height    int64
	Code      uint32
	Codespace string
	RawLog    string
}

// Tx signs and broadcasts a tx with the CLI (sync mode) and waits until it
// is in a block. A CheckTx rejection comes back with Height 0.
func (ln *Localnet) Tx(args ...string) TxResult {
	ln.t.Helper()
	full := append(append([]string{"tx"}, args...), "--yes", "--output", "json", "--keyring-backend", "test",
		"--chain-id", "trustedge-local", "--broadcast-mode", "sync")
	out, err := ln.CLI(full...)
	require.NoError(ln.t, err, out)
	var br struct {
		TxHash    string `json:"txhash"`
		Code      uint32 `json:"code"`
		Codespace string `json:"codespace"`
		RawLog    string `json:"raw_log"`
	}
	require.NoError(ln.t, json.Unmarshal([]byte(lastJSONLine(out)), &br), out)
	if br.Code != 0 {
		return TxResult{Hash: br.TxHash, Code: br.Code, Codespace: br.Codespace, RawLog: br.RawLog}
	}
	var res TxResult
	require.Eventually(ln.t, func() bool {
		out, err := ln.CLI("query", "tx", br.TxHash, "--output", "json")
		if err != nil {
			return false
		}
		var q struct {
			Height    string `json:"height"`
			Code      uint32 `json:"code"`
			Codespace string `json:"codespace"`
			RawLog    string `json:"raw_log"`
		}
		if json.Unmarshal([]byte(out), &q) != nil {
			return false
		}
		h, _ := strconv.ParseInt(q.Height, 10, 64)
		res = TxResult{Hash: br.TxHash, Height: h, Code: q.Code, Codespace: q.Codespace, RawLog: q.RawLog}
		return true
	}, 30*time.Second, 250*time.Millisecond, "tx %s not committed", br.TxHash)
	return res
}

func lastJSONLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "{") {
			return lines[i]
		}
	}
	return out
}

// KeyAddress returns the address of a key in node i's test keyring.
func (ln *Localnet) KeyAddress(i int, name string) string {
	ln.t.Helper()
	cmd := exec.Command(ln.bin, "keys", "show", name, "-a", "--keyring-backend", "test", "--home", ln.NodeHome(i))
	out, err := cmd.CombinedOutput()
	require.NoError(ln.t, err, string(out))
	return strings.TrimSpace(string(out))
}
