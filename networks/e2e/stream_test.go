//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStreamIngestAndProve is the product path on the real binary: devsim
// registers devices and streams and streams signed readings into node0's
// gateway for ~20 s; then, for a random sample of acknowledged readings,
// `trustedged query stream prove` verifies each one on every validator's
// RPC, bound to the same epoch root and block height everywhere.
func TestStreamIngestAndProve(t *testing.T) {
	ln := StartLocalnet(t, 4, 4000)
	out := filepath.Join(t.TempDir(), "devsim.json")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := ln.devsimCmd(ctx, 0, out, "--devices", "6", "--rate", "300", "--duration", "20s", "--prefix", "e2e")
	var devsimOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &devsimOut, &devsimOut
	require.NoError(t, cmd.Start())

	// While devsim streams, node0's data plane commits an epoch every block,
	// signed by its committer (committer0); node0's operator meanwhile sends
	// its own txs from the CLI, and none of them loses a race for the
	// operator's account sequence.
	for i := range 5 {
		res := ln.Tx("edge", "heartbeat", "--load", fmt.Sprintf(`{"active_tasks":%d}`, i), "--from", "node0")
		require.Zero(t, res.Code, "heartbeat %d while committing: %s", i, res.RawLog)
		require.Positive(t, res.Height)
	}
	err := cmd.Wait()
	bz := devsimOut.Bytes()
	require.NoError(t, err, "devsim:\n%s", tail(string(bz), 30))
	summary := lastLineWith(string(bz), "devsim devices=")
	require.Contains(t, summary, "rejected=0", string(bz))

	rep := readDevsimReport(t, out)
	require.Len(t, rep.Streams, 6)
	require.Zero(t, rep.Rejected)
	require.Equal(t, rep.Sent, rep.Acked, "every reading sent must be acknowledged")
	require.Positive(t, rep.Acked, "devsim streamed readings")
	require.Equal(t, ln.KeyAddress(0, "node0"), rep.Operator, "devsim streams into node0")

	// The epochs are recorded under node0 and were signed by committer0: its
	// account sequence counts at least one tx per committed epoch.
	epochs := ln.Epochs(0, rep.Operator)
	require.NotEmpty(t, epochs)
	acct, err := ln.CLI("query", "auth", "account", ln.KeyAddress(0, "committer0"), "--output", "json")
	require.NoError(t, err, acct)
	require.Contains(t, acct, "{", "account query printed no JSON")
	var account struct {
		Account struct {
			Value struct {
				Sequence string `json:"sequence"`
			} `json:"value"`
		} `json:"account"`
	}
	require.NoError(t, json.Unmarshal([]byte(acct[strings.Index(acct, "{"):]), &account), acct)
	committerSeq, err := strconv.ParseUint(account.Account.Value.Sequence, 10, 64)
	require.NoError(t, err, acct)
	lastEpoch, err := strconv.ParseUint(epochs[len(epochs)-1].Epoch, 10, 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, committerSeq, lastEpoch, "committer0 signed the epochs")

	// Every node's data plane reports its measured load on its own (node1
	// got no CLI heartbeat): a heartbeat height and the process's memory.
	nodeOut, err := ln.CLI("query", "edge", "node", ln.KeyAddress(1, "node1"), "--output", "json")
	require.NoError(t, err, nodeOut)
	require.Contains(t, nodeOut, "{", "node query printed no JSON")
	var nodeRes struct {
		Node struct {
			LastHeartbeatHeight string `json:"last_heartbeat_height"`
			LastLoad            struct {
				MemoryMib string `json:"memory_mib"`
			} `json:"last_load"`
		} `json:"node"`
	}
	require.NoError(t, json.Unmarshal([]byte(nodeOut[strings.Index(nodeOut, "{"):]), &nodeRes), nodeOut)
	hbHeight, _ := strconv.ParseInt(nodeRes.Node.LastHeartbeatHeight, 10, 64)
	memMib, _ := strconv.ParseUint(nodeRes.Node.LastLoad.MemoryMib, 10, 64)
	require.Positive(t, hbHeight, nodeOut)
	require.Positive(t, memMib, nodeOut)

	// Every acknowledged reading is stored: heads cover the last acked seqs.
	for stream, last := range rep.lastAcked() {
		head, err := ln.Head(0, stream)
		require.NoError(t, err)
		require.GreaterOrEqual(t, head, last, stream)
	}

	seed := uint64(time.Now().UnixNano())
	t.Logf("sample seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	samples := rep.Samples
	rng.Shuffle(len(samples), func(i, j int) { samples[i], samples[j] = samples[j], samples[i] })
	samples = samples[:min(len(samples), 5)]
	for _, s := range samples {
		var first proveOut
		for i := 0; i < 4; i++ {
			out, err := ln.CLIOn(i, "query", "stream", "prove", s.StreamID, strconv.FormatUint(s.Seq, 10),
				"--from", "demo", "--gateway", ln.Gateway(0), "--wait", "20s", "--output", "json")
			require.NoError(t, err, "prove %s/%d on node%d: %s", s.StreamID, s.Seq, i, out)
			var p proveOut
			require.NoError(t, json.Unmarshal([]byte(lastJSONLine(out)), &p), out)
			require.Equal(t, s.StreamID, p.StreamID)
			require.Equal(t, s.Seq, p.Seq)
			require.Equal(t, rep.Operator, p.Node)
			require.Positive(t, p.Height)
			require.Len(t, p.Root, 64)
			require.Contains(t, p.ChainRPC, strconv.Itoa(ln.offset+26657+100*i), "checked on node%d's RPC", i)
			if i == 0 {
				first = p
				continue
			}
			require.Equal(t, first.Root, p.Root, "node%d binds the reading to another root", i)
			require.Equal(t, first.Height, p.Height)
			require.Equal(t, first.Epoch, p.Epoch)
		}
	}

	// A reading that was never sent cannot be proved.
	stream := rep.Streams[0]
	head, err := ln.Head(0, stream)
	require.NoError(t, err)
	out2, err := ln.CLI("query", "stream", "prove", stream, strconv.FormatUint(head+1000, 10),
		"--from", "demo", "--gateway", ln.Gateway(0), "--wait", "1s")
	require.Error(t, err)
	require.Contains(t, out2, "not_found")

	// Proofs carry payloads: unsigned, or signed by an account that neither
	// owns the stream nor holds "read" on it, the gateway refuses.
	s := rep.Samples[0]
	out2, err = ln.CLI("query", "stream", "prove", s.StreamID, strconv.FormatUint(s.Seq, 10), "--gateway", ln.Gateway(0), "--wait", "1s")
	require.Error(t, err)
	require.Contains(t, out2, "401 Unauthorized: unauthenticated")
	out2, err = ln.CLI("query", "stream", "prove", s.StreamID, strconv.FormatUint(s.Seq, 10), "--from", "node0",
		"--gateway", ln.Gateway(0), "--wait", "1s")
	require.Error(t, err)
	require.Contains(t, out2, "403 Forbidden: forbidden")
	require.Contains(t, out2, `"read" on "stream/`+s.StreamID+`"`)
}

// proveOut is `query stream prove -o json`.
type proveOut struct {
	StreamID string `json:"stream_id"`
	Seq      uint64 `json:"seq"`
	Node     string `json:"node"`
	Epoch    uint64 `json:"epoch"`
	Height   int64  `json:"height"`
	Root     string `json:"root"`
	ChainRPC string `json:"chain_rpc"`
}

func lastLineWith(out, prefix string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			return lines[i]
		}
	}
	return ""
}
