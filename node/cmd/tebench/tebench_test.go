package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * time.Millisecond // 100..1, unsorted
	}
	cases := []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single p50", ms(7), 50, 7 * time.Millisecond},
		{"single p99", ms(7), 99, 7 * time.Millisecond},
		{"two p50 is the lower", ms(20, 10), 50, 10 * time.Millisecond},
		{"two p99 is the upper", ms(10, 20), 99, 20 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is max", hundred, 100, 100 * time.Millisecond},
		{"p0 is min", hundred, 0, 1 * time.Millisecond},
		{"p99 of 10 is max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p90 of 10", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 90, 9 * time.Millisecond},
	}
	for _, c := range cases {
		before := append([]time.Duration(nil), c.samples...)
		if got := percentile(c.samples, c.p); got != c.want {
			t.Errorf("%s: percentile(p=%v) = %v, want %v", c.name, c.p, got, c.want)
		}
		for i := range before {
			if before[i] != c.samples[i] {
				t.Fatalf("%s: percentile reordered its input", c.name)
			}
		}
	}
}

func TestSummarize(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	from, to := t0.Add(10*time.Second), t0.Add(20*time.Second)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	commits := []commitRec{
		{submit: at(8), commit: at(9), code: 0, checked: true},       // before the window: ignored
		{submit: at(9.5), commit: at(10.5), code: 0, checked: true},  // counted for throughput, not latency
		{submit: at(11), commit: at(12), code: 0, checked: true},     // both
		{submit: at(12), commit: at(12.5), code: 0, checked: true},   // both
		{submit: at(13), commit: at(14), code: 5, checked: true},     // failed: neither
		{submit: at(19.5), commit: at(21.5), code: 0, checked: true}, // latency only (committed after the window)
		{submit: at(11), commit: at(12)},                             // result never read: neither
	}
	blocks := []blockRec{
		{hdrTime: at(8.9), obs: at(9)},
		{hdrTime: at(10.4), obs: at(10.5)},
		{hdrTime: at(11.9), obs: at(12)},
		{hdrTime: at(13.4), obs: at(13.5)},
		{hdrTime: at(21.4), obs: at(21.5)},
	}
	s := summarize(from, to, at(25), commits, blocks, nil)
	if s.committedOK != 3 || s.failed != 1 {
		t.Fatalf("committedOK=%d failed=%d, want 3 and 1", s.committedOK, s.failed)
	}
	if s.txPerS != 0.3 {
		t.Errorf("txPerS = %v, want 0.3", s.txPerS)
	}
	if s.blocks != 3 || s.blockTime != 1500*time.Millisecond {
		t.Errorf("blocks=%d blockTime=%v, want 3 and 1.5s", s.blocks, s.blockTime)
	}
	if s.samples != 3 || s.p50 != time.Second || s.p99 != 2*time.Second {
		t.Errorf("samples=%d p50=%v p99=%v, want 3, 1s, 2s", s.samples, s.p50, s.p99)
	}
	if got, want := s.finalLine(), "chain tx_per_s=0 block_time_ms=1500 p50_commit_ms=1000 p99_commit_ms=2000"; got != want {
		t.Errorf("finalLine = %q, want %q", got, want)
	}
	// A tx accepted at 15 s and never committed counts as 10 s (its age at 25 s).
	s = summarize(from, to, at(25), commits, blocks, []time.Time{at(15)})
	if s.uncommitted != 1 || s.samples != 4 || s.p99 != 10*time.Second || s.p50 != time.Second {
		t.Errorf("with an uncommitted tx: uncommitted=%d samples=%d p50=%v p99=%v", s.uncommitted, s.samples, s.p50, s.p99)
	}
}

func TestBenchKeysDeterministic(t *testing.T) {
	a, b := benchAccounts(5), benchAccounts(5)
	seen := map[string]bool{}
	for i := range a {
		if !bytes.Equal(a[i].priv.Bytes(), b[i].priv.Bytes()) || a[i].addrStr != b[i].addrStr {
			t.Fatalf("bench key %d differs between derivations", i)
		}
		if seen[a[i].addrStr] {
			t.Fatalf("bench key %d repeats an address", i)
		}
		seen[a[i].addrStr] = true
		if a[i].addrStr[:5] != app.Bech32Prefix+"1" {
			t.Fatalf("address %s lacks the %s prefix", a[i].addrStr, app.Bech32Prefix)
		}
	}
	// Pinned: key 0 is sha256("trustedge-bench/0"). A change here changes
	// every funded genesis account, so it must be deliberate.
	if got, want := a[0].addrStr, "edge1sfklvs3szjkm2r26u462pnz4ldf8u9jen83fg3"; got != want {
		t.Errorf("bench account 0 = %s, want %s", got, want)
	}
	if !validScalar(benchPrivKey(0).Key) || validScalar(secpN[:]) || validScalar(make([]byte, 32)) {
		t.Error("validScalar is wrong")
	}
}

func TestBulkAccountsJSON(t *testing.T) {
	var buf bytes.Buffer
	coins := mustCoins(t, "1000uedge")
	if err := writeBulkAccounts(&buf, 3, coins); err != nil {
		t.Fatal(err)
	}
	// The shape cosmos-sdk's bulk-add-genesis-account decodes.
	var got []struct {
		Address string `json:"address"`
		Coins   []struct {
			Denom  string `json:"denom"`
			Amount string `json:"amount"`
		} `json:"coins"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	accs := benchAccounts(3)
	if len(got) != 3 {
		t.Fatalf("%d entries, want 3", len(got))
	}
	for i, g := range got {
		if g.Address != accs[i].addrStr || len(g.Coins) != 1 || g.Coins[0].Denom != "uedge" || g.Coins[0].Amount != "1000" {
			t.Errorf("entry %d = %+v", i, g)
		}
	}
}

// TestSignRoundTrip signs a bank send and a heartbeat, decodes them with the
// app's TxConfig and checks messages, signer info and the DIRECT signature.
func TestSignRoundTrip(t *testing.T) {
	enc := appEncoding()
	s := &signer{txConfig: enc.txConfig, chainID: "trustedge-test", gas: 123_456}
	accs := benchAccounts(2)
	from, to := accs[0], accs[1]
	from.accNum, from.seq = 7, 42
	op := benchAccounts(3)[2]
	op.accNum, op.seq = 3, 0

	for _, tc := range []struct {
		acc *account
		msg sdk.Msg
	}{
		{from, bankSendMsg(from, to)},
		{op, heartbeatMsg(op, 9)},
	} {
		acc := tc.acc
		msg := tc.msg
		bz, err := s.sign(acc, 0, msg)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := enc.txConfig.TxDecoder()(bz)
		if err != nil {
			t.Fatalf("app TxDecoder: %v", err)
		}
		msgs := decoded.GetMsgs()
		if len(msgs) != 1 || msgs[0].String() != msg.String() {
			t.Fatalf("decoded msgs %v, want [%v]", msgs, msg)
		}
		sigTx, ok := decoded.(authsigning.SigVerifiableTx)
		if !ok {
			t.Fatalf("decoded tx %T is not SigVerifiableTx", decoded)
		}
		if gtx, ok := decoded.(interface{ GetGas() uint64 }); !ok || gtx.GetGas() != 123_456 {
			t.Errorf("gas limit not kept")
		}
		signers, err := sigTx.GetSigners()
		if err != nil || len(signers) != 1 || !bytes.Equal(signers[0], acc.addr) {
			t.Fatalf("signers = %x (%v), want %x", signers, err, acc.addr)
		}
		sigs, err := sigTx.GetSignaturesV2()
		if err != nil || len(sigs) != 1 {
			t.Fatalf("signatures: %v %v", sigs, err)
		}
		if sigs[0].Sequence != acc.seq || !sigs[0].PubKey.Equals(acc.pub) {
			t.Fatalf("signer info seq=%d pub=%v", sigs[0].Sequence, sigs[0].PubKey)
		}
		single, ok := sigs[0].Data.(*signing.SingleSignatureData)
		if !ok || single.SignMode != signing.SignMode_SIGN_MODE_DIRECT {
			t.Fatalf("signature data %T %+v", sigs[0].Data, sigs[0].Data)
		}
		signBytes, err := authsigning.GetSignBytesAdapter(context.Background(), enc.txConfig.SignModeHandler(),
			signing.SignMode_SIGN_MODE_DIRECT, authsigning.SignerData{
				Address: acc.addrStr, ChainID: "trustedge-test", AccountNumber: acc.accNum, Sequence: acc.seq, PubKey: acc.pub,
			}, decoded)
		if err != nil {
			t.Fatal(err)
		}
		if !acc.pub.VerifySignature(signBytes, single.Signature) {
			t.Fatal("signature does not verify over the DIRECT sign bytes")
		}
		// A different account number must not verify (the signature binds it).
		wrong, _ := authsigning.GetSignBytesAdapter(context.Background(), enc.txConfig.SignModeHandler(),
			signing.SignMode_SIGN_MODE_DIRECT, authsigning.SignerData{
				Address: acc.addrStr, ChainID: "trustedge-test", AccountNumber: acc.accNum + 1, Sequence: acc.seq, PubKey: acc.pub,
			}, decoded)
		if acc.pub.VerifySignature(wrong, single.Signature) {
			t.Fatal("signature verifies for another account number")
		}
		// The hash the watcher matches blocks with is sha256 of these bytes.
		if txHash(bz) == txHash(append(bz[:len(bz):len(bz)], 0)) {
			t.Fatal("txHash ignores bytes")
		}
	}
	if _, ok := heartbeatMsg(op, 1).(*edgetypes.MsgHeartbeat); !ok {
		t.Fatal("heartbeatMsg is not a MsgHeartbeat")
	}
	if _, ok := bankSendMsg(from, to).(*banktypes.MsgSend); !ok {
		t.Fatal("bankSendMsg is not a MsgSend")
	}
}

func BenchmarkSign(b *testing.B) {
	enc := appEncoding()
	s := &signer{txConfig: enc.txConfig, chainID: "trustedge-test", gas: 200_000}
	accs := benchAccounts(2)
	r := rand.New(rand.NewSource(1))
	accs[0].accNum = uint64(r.Intn(1000))
	msg := bankSendMsg(accs[0], accs[1])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		accs[0].seq = uint64(i)
		if _, err := s.sign(accs[0], 0, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func mustCoins(t *testing.T, s string) sdk.Coins {
	t.Helper()
	c, err := sdk.ParseCoinsNormalized(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNextPresigned(t *testing.T) {
	a := benchAccounts(1)[0]
	a.presigned = [][]byte{{10}, {11}, {12}}
	a.presignedSeq, a.seq = 10, 10
	if got := a.nextPresigned(); len(got) != 1 || got[0] != 10 {
		t.Fatalf("seq 10: got %v", got)
	}
	a.seq = 12 // two accepted: skip ahead
	if got := a.nextPresigned(); len(got) != 1 || got[0] != 12 {
		t.Fatalf("seq 12: got %v", got)
	}
	a.seq = 11 // resynced below the queue: it is useless now
	if got := a.nextPresigned(); got != nil || a.presigned != nil {
		t.Fatalf("seq 11 after 12: got %v, queue %v", got, a.presigned)
	}
	a.presigned, a.presignedSeq, a.seq = [][]byte{{1}}, 1, 5 // past the end
	if got := a.nextPresigned(); got != nil {
		t.Fatalf("seq past the queue: got %v", got)
	}
}

func TestCPUReport(t *testing.T) {
	t0 := time.Unix(0, 0)
	a := cpuSample{at: t0, total: 100, idle: 50, nodes: []float64{1, 1}, self: 1, ok: true, numCPUs: 2}
	b := cpuSample{at: t0.Add(10 * time.Second), total: 120, idle: 52, nodes: []float64{7, 9}, self: 2, ok: true, numCPUs: 2}
	got := cpuReport(a, b, 700)
	want := "cpu (cores of 2): validators 1.40 [0.60 0.80], tebench 0.10, other processes 0.30, idle 0.20; validator CPU per committed tx 20.00 ms (all 2 nodes)"
	if got != want {
		t.Errorf("cpuReport =\n %q, want\n %q", got, want)
	}
	if procCPU(-1) != -1 || procCPU(1<<30) != -1 {
		t.Error("procCPU of a missing process should be -1")
	}
}

// nodePIDs with n < 1 reads as many node<i> homes as the localnet has.
func TestNodePIDsCountsHomes(t *testing.T) {
	home := t.TempDir()
	for i, pid := range []string{"101", "202\n"} {
		dir := filepath.Join(home, fmt.Sprintf("node%d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "trustedged.pid"), []byte(pid), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := nodePIDs(home, 0); !slices.Equal(got, []int{101, 202}) {
		t.Fatalf("nodePIDs(home, 0) = %v, want [101 202]", got)
	}
	if got := nodePIDs(home, 3); !slices.Equal(got, []int{101, 202, -1}) {
		t.Fatalf("nodePIDs(home, 3) = %v, want [101 202 -1]", got)
	}
}

// TestCheckResults: codes read after the run land on the right txs (by
// block and position), failures are counted, blocks without our txs are
// not fetched, and a node answering fewer results than the block has txs
// is an error rather than a silent success.
func TestCheckResults(t *testing.T) {
	var fetched []string
	results := map[string]string{
		"5": `{"txs_results":[{"code":0},{"code":0},{"code":13,"codespace":"sdk","log":"insufficient fee"}]}`,
		"7": `{"txs_results":[{"code":0}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Method string            `json:"method"`
			Params map[string]string `json:"params"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Method != "block_results" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		h := req.Params["height"]
		fetched = append(fetched, h)
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":%s}`, results[h])
	}))
	defer srv.Close()

	b := &bench{clients: []*rpcClient{newRPCClient(srv.URL, 1)}}
	b.blocks = []blockRec{{height: 5, ntx: 3, ours: 2}, {height: 6, ntx: 4}, {height: 7, ntx: 1, ours: 1}}
	b.commits = []commitRec{
		{height: 5, index: 1, kind: kindSend},
		{height: 5, index: 2, kind: kindSend},
		{height: 7, index: 0, kind: kindHeartbeat},
	}
	require.NoError(t, b.checkResults(context.Background()))
	require.Equal(t, []string{"5", "7"}, fetched, "block 6 has none of our txs")
	require.Equal(t, []uint32{0, 13, 0}, []uint32{b.commits[0].code, b.commits[1].code, b.commits[2].code})
	for _, c := range b.commits {
		require.True(t, c.checked)
	}
	require.EqualValues(t, 1, b.c.committed[kindSend].Load())
	require.EqualValues(t, 1, b.c.committed[kindHeartbeat].Load())
	require.EqualValues(t, 1, b.c.failed.Load())

	// A node that does not answer is skipped for the next one.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	fetched = nil
	b = &bench{clients: []*rpcClient{newRPCClient(down.URL, 1), newRPCClient(srv.URL, 1)}}
	b.blocks = []blockRec{{height: 5, ntx: 3, ours: 1}, {height: 7, ntx: 1, ours: 1}}
	b.commits = []commitRec{{height: 5, index: 0, kind: kindSend}, {height: 7, index: 0, kind: kindSend}}
	require.NoError(t, b.checkResults(context.Background()))
	require.Equal(t, []string{"5", "7"}, fetched)
	require.True(t, b.commits[0].checked && b.commits[1].checked)
	b = &bench{clients: []*rpcClient{newRPCClient(down.URL, 1)}}
	b.blocks = []blockRec{{height: 5, ntx: 3, ours: 1}}
	b.commits = []commitRec{{height: 5, index: 0, kind: kindSend}}
	require.ErrorContains(t, b.checkResults(context.Background()), "block_results 5 from no node")

	b = &bench{clients: []*rpcClient{newRPCClient(srv.URL, 1)}}
	b.blocks = []blockRec{{height: 7, ntx: 2, ours: 1}}
	b.commits = []commitRec{{height: 7, index: 1, kind: kindSend}}
	require.ErrorContains(t, b.checkResults(context.Background()), "2 txs but 1 results")
	require.False(t, b.commits[0].checked)
}

// fakeChain answers abci_info, block and block_results for a few blocks
// of raw txs with their result codes.
type fakeChain struct {
	txs   map[int64][][]byte
	codes map[int64][]uint32
	top   int64
}

func (f *fakeChain) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Method string            `json:"method"`
		Params map[string]string `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var result any
	h, _ := strconv.ParseInt(req.Params["height"], 10, 64)
	switch req.Method {
	case "abci_info":
		result = map[string]any{"response": map[string]any{"last_block_height": strconv.FormatInt(f.top, 10)}}
	case "block":
		result = map[string]any{"block": map[string]any{
			"header": map[string]any{"height": strconv.FormatInt(h, 10), "time": time.Unix(h, 0).UTC()},
			"data":   map[string]any{"txs": f.txs[h]},
		}}
	case "block_results":
		var rs []map[string]any
		for _, c := range f.codes[h] {
			rs = append(rs, map[string]any{"code": c, "codespace": "sdk", "log": fmt.Sprintf("code %d", c)})
		}
		result = map[string]any{"txs_results": rs}
	default:
		http.Error(w, "unknown method", http.StatusBadRequest)
		return
	}
	bz, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "result": result})
	_, _ = w.Write(bz)
}

// TestConfirmTxs: setup txs are confirmed by their blocks; one that failed
// in its block is named with its code, and one no block took is named
// after the timeout instead of surfacing later as missing grants.
func TestConfirmTxs(t *testing.T) {
	a, b, c, other := []byte("tx-a"), []byte("tx-b"), []byte("tx-c"), []byte("tx-other")
	f := &fakeChain{
		txs:   map[int64][][]byte{11: {other, a}, 12: {b}},
		codes: map[int64][]uint32{11: {0, 0}, 12: {0}},
		top:   12,
	}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	defer srv.Close()
	cl := newRPCClient(srv.URL, 1)
	ctx := context.Background()

	require.NoError(t, confirmTxs(ctx, cl, 10, [][32]byte{txHash(a), txHash(b)}, time.Second))

	f.codes[12] = []uint32{11}
	require.ErrorContains(t, confirmTxs(ctx, cl, 10, [][32]byte{txHash(a), txHash(b)}, time.Second),
		"setup tx 2 of 2 failed in block 12: code=11")

	f.codes[12] = []uint32{0}
	err := confirmTxs(ctx, cl, 10, [][32]byte{txHash(a), txHash(c), txHash(b)}, 300*time.Millisecond)
	require.ErrorContains(t, err, "1 of 3 setup txs (the first: tx 2) in no block")
}
