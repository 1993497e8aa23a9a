package proof_test

import (
	"encoding/json"
	"testing"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// FuzzVerifyJSON decodes arbitrary JSON as a proof and verifies it against
// the fixture root: it must never panic, and only the genuine proof may pass.
func FuzzVerifyJSON(f *testing.F) {
	fx := newEpoch(f, 3, 5, 8)
	good := fx.prove(f, "s02", 24)
	goodJSON, err := json.Marshal(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(goodJSON)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"epoch":1,"reading":{"stream_id":"s"},"batch":{"stream_id":"s","first_seq":1,"last_seq":1},"reading_path":{"total":-1},"batch_path":{"total":1,"index":5}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p proof.ReadingProof
		if json.Unmarshal(data, &p) != nil {
			return
		}
		if err := p.Verify(fx.root, 3); err == nil {
			// Anything that verifies must prove a reading that is really in the epoch.
			rs := fx.readings[p.Reading.StreamID]
			if len(rs) == 0 {
				t.Fatalf("verified a reading of unknown stream %q", p.Reading.StreamID)
			}
			idx := p.Reading.Seq - rs[0].Seq
			if idx >= uint64(len(rs)) || string(rs[idx].Leaf()) != string(p.Reading.Leaf()) {
				t.Fatalf("verified a reading not in the epoch: %+v", p.Reading)
			}
		}
	})
}
