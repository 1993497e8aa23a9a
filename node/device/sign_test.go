package device_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trustedge/trustedge/node/device"
	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

func testReadings(n int) []ingest.BatchReading {
	rs := make([]ingest.BatchReading, n)
	for i := range rs {
		rs[i] = ingest.BatchReading{Time: 1_700_000_000_000_000_000 + int64(i)*1e6, Payload: []byte(fmt.Sprintf(`{"pm25":%d.5}`, 10+i))}
	}
	return rs
}

// The batch signature is the device key's signature over
// ingest.BatchSignBytes, by x/device's verification rule, for both key
// types; it binds chain, stream, device, first seq and every reading.
func TestBatchSignatureVerifiesAgainstBatchSignBytes(t *testing.T) {
	for _, kt := range keyTypes {
		t.Run(kt.String(), func(t *testing.T) {
			id := testIdentity(t, "dev-sig", kt)
			pk, err := id.PubKey()
			if err != nil {
				t.Fatal(err)
			}
			rs := testReadings(5)
			req, err := device.NewIngestRequest("chain-a", id, 11, rs, device.BatchSignature)
			if err != nil {
				t.Fatal(err)
			}
			if req.StreamId != id.StreamID || req.DeviceId != id.DeviceID || req.FirstSeq != 11 || len(req.Readings) != 5 {
				t.Fatalf("request header %+v", req)
			}
			for i, r := range req.Readings {
				if r.Time != rs[i].Time || string(r.Payload) != string(rs[i].Payload) || r.Signature != nil {
					t.Fatalf("reading %d = %+v", i, r)
				}
			}
			if !pk.VerifySignature(ingest.BatchSignBytes("chain-a", id.StreamID, id.DeviceID, 11, rs), req.Signature) {
				t.Fatal("batch signature does not verify")
			}
			tampered := testReadings(5)
			tampered[3].Payload = []byte(`{"pm25":999}`)
			for name, msg := range map[string][]byte{
				"other chain":   ingest.BatchSignBytes("chain-b", id.StreamID, id.DeviceID, 11, rs),
				"other seq":     ingest.BatchSignBytes("chain-a", id.StreamID, id.DeviceID, 12, rs),
				"other stream":  ingest.BatchSignBytes("chain-a", "x.pm25", id.DeviceID, 11, rs),
				"other payload": ingest.BatchSignBytes("chain-a", id.StreamID, id.DeviceID, 11, tampered),
				"fewer":         ingest.BatchSignBytes("chain-a", id.StreamID, id.DeviceID, 11, rs[:4]),
			} {
				if pk.VerifySignature(msg, req.Signature) {
					t.Errorf("signature also verifies for %s", name)
				}
			}
		})
	}
}

func TestReadingSignaturesVerifyOneByOne(t *testing.T) {
	for _, kt := range keyTypes {
		id := testIdentity(t, "dev-each", kt)
		pk, _ := id.PubKey()
		rs := testReadings(3)
		req, err := device.NewIngestRequest("chain-a", id, 7, rs, device.ReadingSignatures)
		if err != nil {
			t.Fatal(err)
		}
		if len(req.Signature) != 0 {
			t.Fatalf("%s: batch signature set in per-reading mode", kt)
		}
		for i, r := range req.Readings {
			seq := uint64(7 + i)
			if !pk.VerifySignature(ingest.ReadingSignBytes("chain-a", id.StreamID, id.DeviceID, seq, r.Time, r.Payload), r.Signature) {
				t.Fatalf("%s: reading %d does not verify", kt, seq)
			}
			if pk.VerifySignature(ingest.ReadingSignBytes("chain-a", id.StreamID, id.DeviceID, seq+1, r.Time, r.Payload), r.Signature) {
				t.Fatalf("%s: reading %d verifies under another seq", kt, seq)
			}
		}
	}
}

func TestNewIngestRequestRejectsBadInput(t *testing.T) {
	id := testIdentity(t, "dev-bad", devicetypes.KEY_TYPE_ED25519)
	big := testReadings(1)
	big[0].Payload = make([]byte, ingest.MaxPayloadBytes+1)
	cases := map[string]struct {
		chain string
		id    device.Identity
		first uint64
		rs    []ingest.BatchReading
		mode  device.SignMode
		want  string
	}{
		"no chain":    {"", id, 1, testReadings(1), device.BatchSignature, "chain id"},
		"seq zero":    {"c", id, 0, testReadings(1), device.BatchSignature, "start at 1"},
		"empty":       {"c", id, 1, nil, device.BatchSignature, "1..10000"},
		"too many":    {"c", id, 1, make([]ingest.BatchReading, ingest.MaxReadingsPerBatch+1), device.BatchSignature, "1..10000"},
		"big payload": {"c", id, 1, big, device.BatchSignature, "at most 1024"},
		"bad mode":    {"c", id, 1, testReadings(1), device.SignMode(9), "sign mode"},
		"bad id":      {"c", device.Identity{DeviceID: "d", StreamID: "", Key: id.Key}, 1, testReadings(1), device.BatchSignature, "stream id"},
	}
	for name, tc := range cases {
		req, err := device.NewIngestRequest(tc.chain, tc.id, tc.first, tc.rs, tc.mode)
		if err == nil || !strings.Contains(err.Error(), tc.want) || req != nil {
			t.Errorf("%s: req=%v err=%v, want %q", name, req != nil, err, tc.want)
		}
	}
}
