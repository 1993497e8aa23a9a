package cmd

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/client/flags"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/internal/syncbuf"
	"github.com/trustedge/trustedge/node/device"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

func parseDevsim(t *testing.T, args ...string) (devsimConfig, error) {
	t.Helper()
	cmd := devsimCommand()
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return readDevsimConfig(cmd)
}

func TestDevsimFlagDefaults(t *testing.T) {
	cmd := devsimCommand()
	if err := cmd.ParseFlags(nil); err != nil {
		t.Fatal(err)
	}
	c, err := readDevsimConfig(cmd)
	if err != nil {
		t.Fatal(err)
	}
	want := devsimConfig{
		gateway: "http://127.0.0.1:8080", devices: 10, rate: 1000, duration: 20 * time.Second,
		batch: 100, flush: 200 * time.Millisecond, prefix: "sim", kinds: []string{"pm25", "temp"},
		seed: "devsim", report: 5 * time.Second, drain: 30 * time.Second,
	}
	if !equalConfig(c, want) {
		t.Fatalf("defaults %+v, want %+v", c, want)
	}
	if from, _ := cmd.Flags().GetString(flags.FlagFrom); from != "demo" {
		t.Fatalf("--from default %q", from)
	}
	for _, f := range []string{flags.FlagNode, flags.FlagChainID, flags.FlagKeyringBackend, flags.FlagFees, flags.FlagGas} {
		if cmd.Flags().Lookup(f) == nil {
			t.Errorf("tx flag --%s missing", f)
		}
	}
}

func equalConfig(a, b devsimConfig) bool {
	return a.gateway == b.gateway && a.devices == b.devices && a.rate == b.rate && a.duration == b.duration &&
		a.batch == b.batch && a.flush == b.flush && a.prefix == b.prefix && strings.Join(a.kinds, ",") == strings.Join(b.kinds, ",") &&
		a.seed == b.seed && a.report == b.report && a.out == b.out && a.drain == b.drain
}

func TestDevsimFlagsParseAndPlan(t *testing.T) {
	c, err := parseDevsim(t, "--gateway", "http://127.0.0.1:8180", "--devices", "5", "--rate", "250", "--duration", "3s",
		"--batch", "20", "--flush", "50ms", "--prefix", "lab", "--kinds", "temp,pm25", "--seed", "s1", "--report", "0", "--out", "x.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.gateway != "http://127.0.0.1:8180" || c.devices != 5 || c.rate != 250 || c.duration != 3*time.Second || c.batch != 20 ||
		c.flush != 50*time.Millisecond || c.report != 0 || c.out != "x.json" || c.seed != "s1" {
		t.Fatalf("parsed %+v", c)
	}
	got := c.plan()
	want := []simDevice{
		{"lab-temp-0", "lab-temp-0.temp", "temp"}, {"lab-pm25-1", "lab-pm25-1.pm25", "pm25"},
		{"lab-temp-2", "lab-temp-2.temp", "temp"}, {"lab-pm25-3", "lab-pm25-3.pm25", "pm25"},
		{"lab-temp-4", "lab-temp-4.temp", "temp"},
	}
	if len(got) != len(want) {
		t.Fatalf("plan %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("device %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestDevsimFlagsRejectBadValues(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"gateway":        {[]string{"--gateway", "127.0.0.1:8080"}, "--gateway"},
		"devices":        {[]string{"--devices", "0"}, "--devices"},
		"rate":           {[]string{"--rate", "0"}, "--rate"},
		"duration":       {[]string{"--duration", "0s"}, "--duration"},
		"batch":          {[]string{"--batch", "10001"}, "--batch"},
		"flush":          {[]string{"--flush", "0s"}, "--flush"},
		"report":         {[]string{"--report", "-1s"}, "--report"},
		"drain":          {[]string{"--drain", "0s"}, "--drain"},
		"seed":           {[]string{"--seed", ""}, "--seed"},
		"unknown kind":   {[]string{"--kinds", "pm25,co2"}, `unknown kind "co2"`},
		"duplicate kind": {[]string{"--kinds", "temp,temp"}, "listed twice"},
		"prefix chars":   {[]string{"--prefix", "a/b"}, "--prefix"},
		"prefix length":  {[]string{"--prefix", strings.Repeat("p", 55)}, "--prefix"},
	}
	for name, tc := range cases {
		_, err := parseDevsim(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestPM25WalkStaysInRangeAndMoves(t *testing.T) {
	gen := newPM25Walk(deviceRand("seed", "sim-pm25-0"))
	lo, hi := math.Inf(1), math.Inf(-1)
	prev := -1.0
	maxStep := 0.0
	for i := 0; i < 200_000; i++ {
		v := payloadValue(t, gen.next(time.Unix(int64(i), 0)), "pm25")
		if v < pm25Min || v > pm25Max {
			t.Fatalf("step %d: %v out of [%v, %v]", i, v, pm25Min, pm25Max)
		}
		if prev >= 0 {
			maxStep = math.Max(maxStep, math.Abs(v-prev))
		}
		prev = v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi-lo < 50 {
		t.Fatalf("walk spans only %v..%v", lo, hi)
	}
	if maxStep > 2.6 {
		t.Fatalf("walk jumped %v in one step", maxStep)
	}
}

func TestTempFollowsTheDay(t *testing.T) {
	gen := newTempSine(deviceRand("seed", "sim-temp-1"))
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	lo, hi := math.Inf(1), math.Inf(-1)
	for h := 0; h < 24*60; h++ {
		v := payloadValue(t, gen.next(day.Add(time.Duration(h)*time.Minute)), "temp")
		if v < tempMin || v > tempMax {
			t.Fatalf("minute %d: %v out of [%v, %v]", h, v, tempMin, tempMax)
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi-lo < 12 {
		t.Fatalf("a day spans only %v..%v", lo, hi)
	}
	// Within a minute the value barely moves (noise only).
	a := payloadValue(t, gen.next(day.Add(6*time.Hour)), "temp")
	b := payloadValue(t, gen.next(day.Add(6*time.Hour+time.Minute)), "temp")
	if math.Abs(a-b) > 1.1 {
		t.Fatalf("jumped %v -> %v in a minute", a, b)
	}
}

func TestValuesAreDeterministicPerSeedAndDevice(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	for kind, k := range simKinds {
		a, b := k.newGen(deviceRand("s", "d1")), k.newGen(deviceRand("s", "d1"))
		c := k.newGen(deviceRand("s", "d2"))
		same, diff := true, false
		for i := 0; i < 10; i++ {
			pa, pb, pc := a.next(at), b.next(at), c.next(at)
			same = same && string(pa) == string(pb)
			diff = diff || string(pa) != string(pc)
			if len(pa) > ingest.MaxPayloadBytes || len(pa) > 20 {
				t.Fatalf("%s payload %q is not small", kind, pa)
			}
		}
		if !same || !diff {
			t.Fatalf("%s: same seed same values %v, other device other values %v", kind, same, diff)
		}
	}
}

func payloadValue(t *testing.T, p []byte, field string) float64 {
	t.Helper()
	var m map[string]float64
	if err := json.Unmarshal(p, &m); err != nil || len(m) != 1 {
		t.Fatalf("payload %q: %v", p, err)
	}
	v, ok := m[field]
	if !ok {
		t.Fatalf("payload %q lacks %q", p, field)
	}
	return v
}

func TestDueReadingsShareTheTotalRate(t *testing.T) {
	for _, tc := range []struct{ rate, n int }{{1000, 10}, {7, 3}, {5, 10}, {1, 1}, {100000, 999}} {
		for _, el := range []time.Duration{0, time.Millisecond, 333 * time.Millisecond, time.Second, 17*time.Second + 3*time.Millisecond, time.Hour} {
			var sum uint64
			for i := 0; i < tc.n; i++ {
				d := dueReadings(el, tc.rate, tc.n, i)
				if per := float64(tc.rate) / float64(tc.n) * el.Seconds(); float64(d) > per+1 || float64(d) < per-1 {
					t.Fatalf("rate %d n %d at %s: device %d due %d, share %.2f", tc.rate, tc.n, el, i, d, per)
				}
				sum += d
			}
			if want := uint64(el.Microseconds()) * uint64(tc.rate) / 1e6; sum != want {
				t.Fatalf("rate %d n %d at %s: devices sum to %d, want %d", tc.rate, tc.n, el, sum, want)
			}
		}
	}
	if got := dueTime(10, 100, 10); got != time.Second {
		t.Fatalf("dueTime = %s", got)
	}
}

func TestSummaryLineAndPercentiles(t *testing.T) {
	st := newDevsimStats()
	for i := 1; i <= 100; i++ {
		st.onAck(device.Ack{StreamID: "s.b", FirstSeq: uint64(10*i - 9), LastSeq: uint64(10 * i), Latency: time.Duration(i) * time.Millisecond})
	}
	st.onAck(device.Ack{StreamID: "s.a", FirstSeq: 1, LastSeq: 1, Latency: time.Millisecond})
	st.onReject(device.Rejection{StreamID: "s.c", FirstSeq: 3, Readings: make([]ingest.BatchReading, 2), Err: io.EOF})
	sum := newDevsimSummary(device.Stats{Added: 1003, Acked: 1001, Rejected: 2}, st, 3*time.Second, 2*time.Second)
	sum.Devices = 3
	if got, want := sum.line(), "devsim devices=3 sent=1003 acked=1001 rejected=2 p50_ack_ms=50 p99_ack_ms=99 readings_per_s=500"; got != want {
		t.Fatalf("line\n got %s\nwant %s", got, want)
	}
	wantSamples := []ackSample{{"s.a", 1}, {"s.b", 1}, {"s.b", 505}, {"s.b", 1000}}
	if len(sum.Samples) != len(wantSamples) {
		t.Fatalf("samples %+v", sum.Samples)
	}
	for i := range wantSamples {
		if sum.Samples[i] != wantSamples[i] {
			t.Fatalf("sample %d = %+v, want %+v", i, sum.Samples[i], wantSamples[i])
		}
	}
	if len(sum.Rejections) != 1 || !strings.Contains(sum.Rejections[0], "stream s.c: 2 readings (first seq 3) rejected: EOF") {
		t.Fatalf("rejections %q", sum.Rejections)
	}

	path := filepath.Join(t.TempDir(), "out.json")
	if err := sum.writeFile(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Acked   uint64      `json:"acked"`
		P99     int64       `json:"p99_ack_ms"`
		Samples []ackSample `json:"samples"`
	}
	if err := json.Unmarshal(raw, &back); err != nil || back.Acked != 1001 || back.P99 != 99 || len(back.Samples) != 4 || back.Samples[2].StreamID != "s.b" {
		t.Fatalf("out file %s: %v", raw, err)
	}

	if sum.Seconds != 3 {
		t.Fatalf("seconds %v", sum.Seconds)
	}
	start := time.Now().Add(-time.Hour)
	if span := st.ackSpan(start, 2*time.Hour); span < time.Hour-time.Minute || span > time.Hour {
		t.Fatalf("ack span %s: want up to the last ack", span)
	}
	if span := newDevsimStats().ackSpan(start, 2*time.Hour); span != 2*time.Hour {
		t.Fatalf("ack span without acks %s", span)
	}

	if p := percentile(nil, 50); p != 0 {
		t.Fatalf("percentile of nothing = %s", p)
	}
	if p := percentile([]time.Duration{7}, 99); p != 7 {
		t.Fatalf("percentile of one = %s", p)
	}
	if got := progressLine(1500*time.Millisecond, device.Stats{Added: 10, Acked: 6, Rejected: 1, Retries: 2}); got !=
		"devsim t=1s sent=10 acked=6 rejected=1 pending=3 retries=2 resyncs=0 lost_acks=0 acked_per_s=4" {
		t.Fatalf("progress %q", got)
	}
}

func TestDevsimRegistrationMessages(t *testing.T) {
	cfg, err := parseDevsim(t, "--devices", "60")
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.plan()[3]
	id, err := devsimIdentity(cfg.seed, d)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := devsimIdentity(cfg.seed, d)
	other, _ := devsimIdentity("other", d)
	if !id.Key.Equals(again.Key) || id.Key.Equals(other.Key) || id.KeyType() != devicetypes.KEY_TYPE_ED25519 {
		t.Fatal("device keys are not derived from seed and id")
	}
	pk, err := id.PubKey()
	if err != nil {
		t.Fatal(err)
	}
	msg := devsimRegisterMsg("edge1owner", "edge1node", d, pk)
	if msg.DeviceId != "sim-temp-3" || msg.HomeNode != "edge1node" || msg.Owner != "edge1owner" || msg.KeyType != devicetypes.KEY_TYPE_ED25519 ||
		msg.Kind != devicetypes.DEVICE_KIND_COLLECTOR || len(msg.Protocols) != 1 || msg.Protocols[0] != devicetypes.PROTOCOL_WIFI {
		t.Fatalf("register msg %+v", msg)
	}
	if _, err := devicetypes.NewPubKey(msg.KeyType, msg.Pubkey); err != nil {
		t.Fatalf("registered key invalid: %v", err)
	}
	if _, err := devicetypes.NormalizeMetadata(msg.Metadata); err != nil {
		t.Fatal(err)
	}

	dev := devicetypes.Device{Id: d.deviceID, Owner: "edge1owner", Pubkey: pk, HomeNode: "edge1node", Status: devicetypes.DEVICE_STATUS_ACTIVE}
	if err := devsimCheckDevice(dev, "edge1node", pk); err != nil {
		t.Fatal(err)
	}
	otherPK, _ := other.PubKey()
	for name, tc := range map[string]struct {
		dev  devicetypes.Device
		op   string
		want string
	}{
		"other key":  {dev, "edge1node", "another key"},
		"other home": {dev, "edge1else", "homed on"},
		"suspended":  {func() devicetypes.Device { x := dev; x.Status = devicetypes.DEVICE_STATUS_SUSPENDED; return x }(), "edge1node", "SUSPENDED"},
	} {
		key := pk
		if name == "other key" {
			key = otherPK
		}
		if err := devsimCheckDevice(tc.dev, tc.op, key); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", name, err)
		}
	}

	// 60 devices + 60 streams: three txs, in plan order.
	msgs := make([]sdk.Msg, 120)
	for i := range msgs {
		msgs[i] = devsimRegisterMsg("o", "n", simDevice{deviceID: strconv.Itoa(i)}, pk)
	}
	chunks := devsimChunks(msgs, devsimMsgsPerTx)
	if len(chunks) != 3 || len(chunks[0]) != 50 || len(chunks[1]) != 50 || len(chunks[2]) != 20 {
		t.Fatalf("%d chunks", len(chunks))
	}
	if chunks[1][0].(*devicetypes.MsgRegisterDevice).DeviceId != "50" || chunks[2][19].(*devicetypes.MsgRegisterDevice).DeviceId != "119" {
		t.Fatal("chunks reorder messages")
	}
	if devsimChunks(nil, devsimMsgsPerTx) != nil {
		t.Fatal("chunks of nothing")
	}
}

// devsimStream against a small gateway that verifies every signature:
// the devices send their share of the rate, everything sent is acked, and
// the samples are acknowledged readings.
func TestDevsimStreamDeliversAtRate(t *testing.T) {
	cfg, err := parseDevsim(t, "--devices", "4", "--rate", "400", "--duration", "500ms", "--batch", "10", "--flush", "20ms", "--report", "100ms")
	if err != nil {
		t.Fatal(err)
	}
	devs := cfg.plan()
	ids := make([]device.Identity, len(devs))
	keys := map[string]devicetypes.PubKey{}
	for i, d := range devs {
		ids[i], _ = devsimIdentity(cfg.seed, d)
		keys[d.streamID], _ = ids[i].PubKey()
	}
	gw := newVerifyingGateway(t, "sim-chain", keys)
	c, err := device.NewClient(gw.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	var log syncbuf.Buffer
	sum, err := devsimStream(context.Background(), cfg, "sim-chain", c, ids, devs, &log)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Devices != 4 || sum.Rejected != 0 || sum.Acked != sum.Sent || sum.Sent == 0 || sum.Sent > 200 {
		t.Fatalf("summary %+v", sum)
	}
	if len(sum.Streams) != 4 || len(sum.Samples) < 4 {
		t.Fatalf("streams %v samples %v", sum.Streams, sum.Samples)
	}
	for _, s := range sum.Samples {
		if s.Seq == 0 || s.Seq > gw.head(s.StreamID) {
			t.Fatalf("sample %+v not stored (head %d)", s, gw.head(s.StreamID))
		}
	}
	if !strings.Contains(log.String(), "devsim t=") {
		t.Fatalf("no progress lines in %q", log.String())
	}
}

// verifyingGateway accepts batches in sequence whose signature verifies
// with the stream's device key (x/device's rule), and serves heads.
type verifyingGateway struct {
	*httptest.Server
	mu    sync.Mutex
	heads map[string]uint64
}

func (g *verifyingGateway) head(stream string) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.heads[stream]
}

func newVerifyingGateway(t *testing.T, chainID string, keys map[string]devicetypes.PubKey) *verifyingGateway {
	g := &verifyingGateway{heads: map[string]uint64{}}
	mux := http.NewServeMux()
	fail := func(w http.ResponseWriter, status int, reason string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"code": status, "error": reason})
	}
	mux.HandleFunc("GET /v1/streams/{id}/head", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(gatewaypb.HeadResponse{StreamId: r.PathValue("id"), LastSeq: g.head(r.PathValue("id"))})
	})
	mux.HandleFunc("POST /v1/ingest", func(w http.ResponseWriter, r *http.Request) {
		var req gatewaypb.IngestRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			fail(w, http.StatusBadRequest, "malformed")
			return
		}
		rs := make([]ingest.BatchReading, len(req.Readings))
		for i, x := range req.Readings {
			rs[i] = ingest.BatchReading{Time: x.Time, Payload: x.Payload}
		}
		if !keys[req.StreamId].VerifySignature(ingest.BatchSignBytes(chainID, req.StreamId, req.DeviceId, req.FirstSeq, rs), req.Signature) {
			fail(w, http.StatusUnauthorized, "bad_signature")
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if req.FirstSeq != g.heads[req.StreamId]+1 {
			fail(w, http.StatusConflict, "gap")
			return
		}
		g.heads[req.StreamId] += uint64(len(rs))
		_ = json.NewEncoder(w).Encode(gatewaypb.IngestResponse{StreamId: req.StreamId, FirstSeq: req.FirstSeq, LastSeq: g.heads[req.StreamId], AckedAt: time.Now().UnixNano()})
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

// The latency sample stays bounded over a long run and stays uniform:
// percentiles of 250,000 acks of 1..250,000 ms come out near the truth.
func TestDevsimStatsLatencySampleBounded(t *testing.T) {
	st := newDevsimStats()
	const n = 250_000
	for i := 1; i <= n; i++ {
		st.onAck(device.Ack{StreamID: "s", FirstSeq: uint64(i), LastSeq: uint64(i), Latency: time.Duration(i) * time.Millisecond})
	}
	if len(st.latencies) != maxLatencySamples || st.acks != n {
		t.Fatalf("kept %d samples of %d acks, want %d of %d", len(st.latencies), st.acks, maxLatencySamples, n)
	}
	p50, p99 := st.latencyPercentiles()
	if d := p50.Milliseconds() - 125_000; d < -2_500 || d > 2_500 {
		t.Fatalf("p50 %s, want about 125s", p50)
	}
	if d := p99.Milliseconds() - 247_500; d < -1_500 || d > 1_500 {
		t.Fatalf("p99 %s, want about 247.5s", p99)
	}
}
