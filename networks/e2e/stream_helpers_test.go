//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
)

// devsimReport is the part of `trustedged devsim --out` the tests read.
type devsimReport struct {
	Operator string   `json:"operator"`
	Streams  []string `json:"streams"`
	Sent     uint64   `json:"sent"`
	Acked    uint64   `json:"acked"`
	Rejected uint64   `json:"rejected"`
	Samples  []struct {
		StreamID string `json:"stream_id"`
		Seq      uint64 `json:"seq"`
	} `json:"samples"`
}

// Devsim runs `trustedged devsim` (node 0's home and keyring, demo owner)
// against node gw's gateway and returns its --out report.
func (ln *Localnet) devsimCmd(ctx context.Context, gw int, out string, args ...string) *exec.Cmd {
	full := append([]string{"devsim", "--gateway", ln.Gateway(gw), "--from", "demo", "--keyring-backend", "test",
		"--chain-id", "trustedge-local", "--out", out, "--home", ln.NodeHome(0), "--node", ln.RPC(0)}, args...)
	return exec.CommandContext(ctx, ln.bin, full...)
}

func readDevsimReport(t *testing.T, path string) devsimReport {
	t.Helper()
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	var r devsimReport
	require.NoError(t, json.Unmarshal(bz, &r), string(bz))
	return r
}

// lastAcked is the highest acknowledged seq per stream in the report.
func (r devsimReport) lastAcked() map[string]uint64 {
	m := map[string]uint64{}
	for _, s := range r.Samples {
		m[s.StreamID] = max(m[s.StreamID], s.Seq)
	}
	return m
}

// httpJSON GETs url and decodes a 200 answer into out; other statuses
// come back as an error carrying the body.
func httpJSON(url string, out any, headers ...func(http.Header)) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for _, set := range headers {
		set(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, bytes.TrimSpace(body))
	}
	return json.Unmarshal(body, out)
}

// Head is a stream's last acknowledged seq on node i's gateway.
func (ln *Localnet) Head(i int, stream string) (uint64, error) {
	var h gatewaypb.HeadResponse
	err := httpJSON(ln.Gateway(i)+"/v1/streams/"+stream+"/head", &h)
	return h.LastSeq, err
}

// Proof fetches the proof of (stream, seq) from node i's gateway, signed
// by the demo owner (the owner of devsim's streams).
func (ln *Localnet) Proof(i int, stream string, seq uint64) (*gatewaypb.ProveResponse, error) {
	var h struct {
		Operator string `json:"operator"`
		ChainID  string `json:"chain_id"`
	}
	if err := httpJSON(ln.Gateway(i)+"/healthz", &h); err != nil {
		return nil, err
	}
	sign, err := ln.keySigner(0, "demo")
	if err != nil {
		return nil, err
	}
	r, err := gatewaypb.SignRead(sign, h.ChainID, h.Operator, stream, seq, time.Now())
	if err != nil {
		return nil, err
	}
	var p gatewaypb.ProveResponse
	err = httpJSON(fmt.Sprintf("%s/v1/streams/%s/readings/%d/proof", ln.Gateway(i), stream, seq), &p, r.SetHeaders)
	return &p, err
}

// keySigner signs with key name of node i's test keyring, as the CLI's
// --from does.
func (ln *Localnet) keySigner(i int, name string) (gatewaypb.SignFunc, error) {
	reg := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(reg)
	kr, err := keyring.New("trustedge", keyring.BackendTest, ln.NodeHome(i), nil, codec.NewProtoCodec(reg))
	if err != nil {
		return nil, err
	}
	return func(msg []byte) ([]byte, cryptotypes.PubKey, error) {
		return kr.Sign(name, msg, signing.SignMode_SIGN_MODE_DIRECT)
	}, nil
}

// chainEpoch is an epoch commitment as the REST API returns it.
type chainEpoch struct {
	Epoch        string `json:"epoch"`
	Root         []byte `json:"root"`
	ReadingCount string `json:"reading_count"`
	StreamCount  int    `json:"stream_count"`
	Height       string `json:"height"`
}

// Epochs lists every epoch commitment of node (operator address) via node
// i's REST API, oldest first.
func (ln *Localnet) Epochs(i int, node string) []chainEpoch {
	ln.t.Helper()
	var all []chainEpoch
	key := ""
	for {
		var res struct {
			Commits    []chainEpoch `json:"commits"`
			Pagination struct {
				NextKey []byte `json:"next_key"`
			} `json:"pagination"`
		}
		url := fmt.Sprintf("%s/trustedge/stream/v1/nodes/%s/epochs?pagination.limit=200", ln.REST(i), node)
		if key != "" {
			url += "&pagination.key=" + key
		}
		require.NoError(ln.t, httpJSON(url, &res))
		all = append(all, res.Commits...)
		if len(res.Pagination.NextKey) == 0 {
			break
		}
		key = strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(encodeB64(res.Pagination.NextKey))
	}
	// The query lists newest first.
	for l, r := 0, len(all)-1; l < r; l, r = l+1, r-1 {
		all[l], all[r] = all[r], all[l]
	}
	return all
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// verifyIngested checks what node gw's data plane did with a devsim run:
// every acknowledged reading is stored (heads cover the last acked seqs);
// everything stored gets committed; the node's epochs on chain are
// contiguous from 1 and their reading counts add up to exactly the readings
// stored (none lost, none committed twice); and each stream's batches tile
// 1..head once, each proving against the epoch root the chain holds. With
// everyReading every reading's proof is checked, otherwise each batch's
// first and last (the tiling is still exact).
func verifyIngested(t *testing.T, ln *Localnet, gw int, rep devsimReport, everyReading bool) {
	t.Helper()
	heads := map[string]uint64{}
	var stored uint64
	for _, s := range rep.Streams {
		h, err := ln.Head(gw, s)
		require.NoError(t, err)
		heads[s] = h
		stored += h
	}
	for s, last := range rep.lastAcked() {
		require.GreaterOrEqual(t, heads[s], last, "stream %s lost acknowledged readings", s)
	}

	// Wait until the node has committed everything it stored.
	require.Eventually(t, func() bool {
		for s, h := range heads {
			p, err := ln.Proof(gw, s, h)
			if err != nil || !p.Committed {
				return false
			}
		}
		return true
	}, 90*time.Second, 500*time.Millisecond, "stored readings not committed")

	epochs := ln.Epochs(0, rep.Operator)
	roots := map[uint64]chainEpoch{}
	var onChain uint64
	for i, e := range epochs {
		n, _ := strconv.ParseUint(e.Epoch, 10, 64)
		require.Equal(t, uint64(i+1), n, "epochs must be contiguous from 1")
		c, _ := strconv.ParseUint(e.ReadingCount, 10, 64)
		onChain += c
		roots[n] = e
	}
	require.Equal(t, stored, onChain, "readings committed on chain vs stored: a reading committed twice or never")

	for s, h := range heads {
		var next uint64 = 1
		for seq := uint64(1); seq <= h; {
			p, err := ln.Proof(gw, s, seq)
			require.NoError(t, err)
			require.True(t, p.Committed, "%s/%d", s, seq)
			require.NotNil(t, p.Proof)
			e, ok := roots[p.Proof.Epoch]
			require.True(t, ok, "%s/%d in epoch %d the chain does not have", s, seq, p.Proof.Epoch)
			require.NoError(t, p.Proof.ToProof().Verify(e.Root, uint64(e.StreamCount)), "%s/%d", s, seq)
			b := p.Proof.Batch
			require.Equal(t, next, b.FirstSeq, "%s: batch %d..%d leaves a gap or overlaps", s, b.FirstSeq, b.LastSeq)
			for r := seq + 1; r <= b.LastSeq; r++ {
				if !everyReading && r != b.LastSeq {
					continue
				}
				q, err := ln.Proof(gw, s, r)
				require.NoError(t, err)
				require.Equal(t, p.Proof.Epoch, q.Proof.Epoch)
				require.NoError(t, q.Proof.ToProof().Verify(e.Root, uint64(e.StreamCount)), "%s/%d", s, r)
			}
			next = b.LastSeq + 1
			seq = next
		}
		require.Equal(t, h+1, next, "%s: batches end at %d, head is %d", s, next-1, h)
	}
}
