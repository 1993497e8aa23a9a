package gateway_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// TestIngestAccepts: batch-signed and reading-signed batches from ed25519
// and secp256k1 devices are stored, acknowledged with their range, and
// continue each other.
func TestIngestAccepts(t *testing.T) {
	e := newEnv(t)
	for _, kt := range []devicetypes.KeyType{devicetypes.KEY_TYPE_ED25519, devicetypes.KEY_TYPE_SECP256K1} {
		t.Run(kt.String(), func(t *testing.T) {
			d := e.addDevice("dev-"+strings.ToLower(kt.String()[9:]), kt, e.home)
			require.Zero(t, e.head(d.Stream))

			resp := requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 100)))
			require.Equal(t, d.Stream, resp.StreamId)
			require.Equal(t, uint64(1), resp.FirstSeq)
			require.Equal(t, uint64(100), resp.LastSeq)
			require.NotZero(t, resp.AckedAt)
			require.Equal(t, uint64(100), e.head(d.Stream))

			resp = requireOK(t, e.postJSON(e.perReadingBatch(d, 101, 20)))
			require.Equal(t, uint64(101), resp.FirstSeq)
			require.Equal(t, uint64(120), resp.LastSeq)
			require.Equal(t, uint64(120), e.head(d.Stream))

			// What was stored is what the device sent, at the right seqs.
			want := readings(1, 120)
			for _, seq := range []uint64{1, 57, 100, 101, 120} {
				r, err := e.store.Reading(d.Stream, seq)
				require.NoError(t, err)
				require.Equal(t, want[seq-1].Time, r.Time)
				require.Equal(t, want[seq-1].Payload, r.Payload)
			}

			rec := e.get("/v1/streams/" + d.Stream + "/head")
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			require.JSONEq(t, `{"stream_id":"`+d.Stream+`","last_seq":120}`, rec.Body.String())
		})
	}
}

// TestIngestRefuses: every refusal has its status code and reason, says
// why, and stores nothing.
func TestIngestRefuses(t *testing.T) {
	e := newEnv(t)
	good := e.addDevice("good", devicetypes.KEY_TYPE_ED25519, e.home)
	other := e.addDevice("other", devicetypes.KEY_TYPE_ED25519, e.home)
	away := e.addDevice("away", devicetypes.KEY_TYPE_ED25519, e.other)
	suspended := e.addDevice("suspended", devicetypes.KEY_TYPE_ED25519, e.home)
	closed := e.addDevice("closed", devicetypes.KEY_TYPE_SECP256K1, e.home)
	e.suspend(suspended)
	e.closeStream(closed)
	requireOK(t, e.postJSON(e.signedBatch(good, good.Key, 1, 10)))

	ghost := device{ID: "ghost", Stream: good.Stream, Key: other.Key}
	tooMany := &gatewaypb.IngestRequest{StreamId: good.Stream, DeviceId: good.ID, FirstSeq: 11,
		Readings: make([]gatewaypb.Reading, ingest.MaxReadingsPerBatch+1), Signature: []byte{1}}
	bigPayload := e.signedBatch(good, good.Key, 11, 2)
	bigPayload.Readings[1].Payload = bytes.Repeat([]byte("x"), ingest.MaxPayloadBytes+1)

	cases := []struct {
		name    string
		stream  string
		body    func() []byte
		code    int
		reason  gateway.Reason
		message string
	}{
		{"forged signature", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			r := e.signedBatch(good, good.Key, 11, 5)
			r.Signature[10] ^= 0x40
			return r
		}), http.StatusUnauthorized, gateway.ReasonBadSignature, "batch signature of device \"good\""},
		{"payload changed after signing", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			r := e.signedBatch(good, good.Key, 11, 5)
			r.Readings[2].Payload = []byte(`{"pm25":1}`)
			return r
		}), http.StatusUnauthorized, gateway.ReasonBadSignature, "does not verify"},
		{"signed by another device", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(good, other.Key, 11, 5)
		}), http.StatusUnauthorized, gateway.ReasonBadSignature, "registered key"},
		{"signed for another chain", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			r := e.signedBatch(good, good.Key, 11, 1)
			msg := ingest.BatchSignBytes("other-chain", good.Stream, good.ID, 11, batchReadings(r.Readings))
			r.Signature = good.Key.Sign(msg)
			return r
		}), http.StatusUnauthorized, gateway.ReasonBadSignature, ""},
		{"reading unsigned", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			r := e.perReadingBatch(good, 11, 3)
			r.Readings[1].Signature = nil
			return r
		}), http.StatusUnauthorized, gateway.ReasonBadSignature, "reading 1 (seq 12) is not signed"},
		{"reading signed at another seq", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			r := e.perReadingBatch(good, 11, 3)
			r.Readings[2].Signature = r.Readings[1].Signature
			return r
		}), http.StatusUnauthorized, gateway.ReasonBadSignature, "reading 2 (seq 13)"},
		{"unknown device", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(ghost, ghost.Key, 11, 5)
		}), http.StatusForbidden, gateway.ReasonForbidden, `takes readings from device "good" only, not "ghost"`},
		{"another device's stream", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			d := device{ID: other.ID, Stream: good.Stream, Key: other.Key}
			return e.signedBatch(d, other.Key, 11, 5)
		}), http.StatusForbidden, gateway.ReasonForbidden, `not "other"`},
		{"suspended device", suspended.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(suspended, suspended.Key, 1, 5)
		}), http.StatusForbidden, gateway.ReasonForbidden, `device "suspended" is suspended`},
		{"unknown stream", "nope.pm25", jsonOf(t, func() *gatewaypb.IngestRequest {
			d := device{ID: good.ID, Stream: "nope.pm25", Key: good.Key}
			return e.signedBatch(d, good.Key, 1, 5)
		}), http.StatusNotFound, gateway.ReasonNotFound, `stream "nope.pm25" is not registered`},
		{"closed stream", closed.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(closed, closed.Key, 1, 5)
		}), http.StatusForbidden, gateway.ReasonForbidden, "is closed"},
		{"misdirected stream", away.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(away, away.Key, 1, 5)
		}), http.StatusMisdirectedRequest, gateway.ReasonMisdirected, "homed on edge node " + e.other.Operator.String()},
		{"replayed batch", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(good, good.Key, 1, 10)
		}), http.StatusConflict, gateway.ReasonReplay, "send from 11"},
		{"overlapping batch", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(good, good.Key, 8, 10)
		}), http.StatusConflict, gateway.ReasonReplay, "already stored"},
		{"gapped batch", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			return e.signedBatch(good, good.Key, 12, 10)
		}), http.StatusConflict, gateway.ReasonGap, "leaves a gap after its last acknowledged seq 10"},
		{"too many readings", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest { return tooMany }),
			http.StatusRequestEntityTooLarge, gateway.ReasonTooLarge, "more than 10000 readings"},
		{"oversized payload", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest { return bigPayload }),
			http.StatusRequestEntityTooLarge, gateway.ReasonTooLarge, "payload is 1025 bytes"},
		{"malformed JSON", good.Stream, func() []byte { return []byte(`{"stream_id":"good.pm25","readings":[`) },
			http.StatusBadRequest, gateway.ReasonMalformed, "not an IngestRequest"},
		{"first_seq 0", good.Stream, jsonOf(t, func() *gatewaypb.IngestRequest {
			r := e.signedBatch(good, good.Key, 11, 1)
			r.FirstSeq = 0
			return r
		}), http.StatusBadRequest, gateway.ReasonMalformed, "first_seq must be >= 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.head(tc.stream)
			body := requireRefused(t, e.post(tc.body()), tc.code, tc.reason)
			require.Contains(t, body.Message, tc.message)
			require.Equal(t, before, e.head(tc.stream), "nothing stored")
			if tc.code == http.StatusConflict {
				require.NotNil(t, body.LastSeq)
				require.Equal(t, uint64(10), *body.LastSeq)
			} else {
				require.Nil(t, body.LastSeq)
			}
		})
	}
	require.Equal(t, uint64(10), e.head(good.Stream))
}

func jsonOf(t *testing.T, f func() *gatewaypb.IngestRequest) func() []byte {
	return func() []byte {
		bz, err := json.Marshal(f())
		require.NoError(t, err)
		return bz
	}
}

// TestIngestBodyLimit: a body over ingest.MaxBodyBytes is 413 whether its
// length is declared or not, and nothing is stored.
func TestIngestBodyLimit(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("big", devicetypes.KEY_TYPE_ED25519, e.home)
	// A valid-looking batch padded past the limit with a huge signature.
	r := e.signedBatch(d, d.Key, 1, 1)
	r.Signature = bytes.Repeat([]byte{1}, ingest.MaxBodyBytes)
	bz, err := json.Marshal(r)
	require.NoError(t, err)

	declared := httptest.NewRequest(http.MethodPost, "/v1/ingest", bytes.NewReader(bz))
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, declared)
	body := requireRefused(t, rec, http.StatusRequestEntityTooLarge, gateway.ReasonTooLarge)
	require.Contains(t, body.Message, "at most 4194304")

	chunked := httptest.NewRequest(http.MethodPost, "/v1/ingest", bytes.NewReader(bz))
	chunked.ContentLength = -1 // unknown length: only MaxBytesReader can stop it
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, chunked)
	body = requireRefused(t, rec, http.StatusRequestEntityTooLarge, gateway.ReasonTooLarge)
	require.Contains(t, body.Message, "over 4194304 bytes")

	require.Zero(t, e.head(d.Stream))
}

// TestIngestRateLimited: past its burst a device gets 429 with Retry-After
// (before its signatures are checked), nothing is stored, and other devices
// are not affected.
func TestIngestRateLimited(t *testing.T) {
	e := newEnv(t, func(c *gateway.Config) { c.RatePerDevice = 10; c.Burst = 100 })
	d := e.addDevice("chatty", devicetypes.KEY_TYPE_ED25519, e.home)
	calm := e.addDevice("calm", devicetypes.KEY_TYPE_ED25519, e.home)

	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 100)))
	rec := e.postJSON(e.signedBatch(d, d.Key, 101, 50))
	body := requireRefused(t, rec, http.StatusTooManyRequests, gateway.ReasonRateLimited)
	require.Contains(t, body.Message, "10 readings/s")
	require.Equal(t, "5", rec.Header().Get("Retry-After"), "50 readings at 10/s")
	require.Equal(t, uint64(100), e.head(d.Stream))
	// Over its rate the device costs no signature check: a batch signed with
	// the wrong key gets the same 429, not 401 (and takes no tokens).
	requireRefused(t, e.postJSON(e.signedBatch(d, calm.Key, 101, 50)), http.StatusTooManyRequests, gateway.ReasonRateLimited)

	requireOK(t, e.postJSON(e.signedBatch(calm, calm.Key, 1, 100)))

	// A batch larger than the whole bucket can never pass: 413, not 429.
	rec = e.postJSON(e.signedBatch(calm, calm.Key, 101, 101))
	requireRefused(t, rec, http.StatusRequestEntityTooLarge, gateway.ReasonTooLarge)
	require.Equal(t, uint64(100), e.head(calm.Stream))
}

// TestIngestFollowsChain: a device suspended, or its owner's write grant
// revoked, is refused from the next block on although the gateway cached
// the earlier answers; resuming lets it in again.
func TestIngestFollowsChain(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("flaky", devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 5)))

	e.suspend(d)
	requireRefused(t, e.postJSON(e.signedBatch(d, d.Key, 6, 5)), http.StatusForbidden, gateway.ReasonForbidden)
	e.chain.DeliverTx(e.owner, &devicetypes.MsgResumeDevice{Signer: e.owner.String(), DeviceId: d.ID})
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 6, 5)))

	e.revokeWrite(d)
	body := requireRefused(t, e.postJSON(e.signedBatch(d, d.Key, 11, 5)), http.StatusForbidden, gateway.ReasonForbidden)
	require.Contains(t, body.Message, "not allowed \"write\" on \"stream/flaky.pm25\"")
	require.Equal(t, uint64(10), e.head(d.Stream))
}

// TestIngestRefusesTransferredDevice: once the device is transferred to
// another owner, the stream its former owner created takes nothing more
// from it, though the former owner keeps its write grant.
func TestIngestRefusesTransferredDevice(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("sold", devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 5)))

	buyer := e.chain.Genesis.Accounts[1]
	e.chain.DeliverTx(e.owner, &devicetypes.MsgTransferDevice{Owner: e.owner.String(), DeviceId: d.ID, NewOwner: buyer.String()})
	body := requireRefused(t, e.postJSON(e.signedBatch(d, d.Key, 6, 5)), http.StatusForbidden, gateway.ReasonForbidden)
	require.Contains(t, body.Message, "now belongs to "+buyer.String())
	require.Equal(t, uint64(5), e.head(d.Stream), "nothing stored")
}

// TestIngestConcurrent: concurrent batches to many streams are all stored;
// racing copies of one batch are stored once and the rest are replays.
func TestIngestConcurrent(t *testing.T) {
	e := newEnv(t)
	devs := make([]device, 4)
	for i := range devs {
		devs[i] = e.addDevice("conc-"+string(rune('a'+i)), devicetypes.KEY_TYPE_ED25519, e.home)
	}
	const batches, perBatch = 10, 20
	var wg sync.WaitGroup
	for _, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				rec := e.postJSON(e.signedBatch(d, d.Key, uint64(b*perBatch+1), perBatch))
				if rec.Code != http.StatusOK {
					t.Errorf("%s batch %d: %d %s", d.ID, b, rec.Code, rec.Body.String())
				}
			}
		}()
	}
	wg.Wait()
	for _, d := range devs {
		require.Equal(t, uint64(batches*perBatch), e.head(d.Stream))
	}

	d := devs[0]
	req := e.signedBatch(d, d.Key, batches*perBatch+1, 5)
	codes := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); codes <- e.postJSON(req).Code }()
	}
	wg.Wait()
	close(codes)
	counts := map[int]int{}
	for c := range codes {
		counts[c]++
	}
	require.Equal(t, map[int]int{http.StatusOK: 1, http.StatusConflict: 7}, counts)
	require.Equal(t, uint64(batches*perBatch+5), e.head(d.Stream))
}
