package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/x/stream/proof"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// FuzzDecodeIngest: decoding and validating any body never panics, and a
// request that passes validation is within every limit the later stages
// rely on.
func FuzzDecodeIngest(f *testing.F) {
	valid, err := json.Marshal(validRequest())
	require.NoError(f, err)
	for _, seed := range []string{
		string(valid),
		`{}`,
		`{"stream_id":"s","device_id":"d","first_seq":18446744073709551615,"readings":[{},{}]}`,
		`{"stream_id":"s","device_id":"d","first_seq":1,"readings":[{"time":1,"payload":"AA==","signature":"AA=="}],"signature":"AA=="}`,
		`{"readings":[{"payload":null}]}`,
		`{"first_seq":1e3}`,
		`nul`,
		`{"stream_id":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, e := gateway.DecodeIngest(bytes.NewReader(body))
		if e != nil {
			require.Nil(t, req)
			require.NotEmpty(t, e.Message)
			require.NotEqual(t, 500, e.HTTPStatus(), "every refusal has a known reason")
			return
		}
		e = gateway.ValidateIngest(req)
		if e != nil {
			require.NotEqual(t, 500, e.HTTPStatus())
			return
		}
		require.NoError(t, ingest.ValidateID("stream", req.StreamId))
		require.NoError(t, ingest.ValidateID("device", req.DeviceId))
		require.NotZero(t, req.FirstSeq)
		require.NotEmpty(t, req.Readings)
		require.LessOrEqual(t, len(req.Readings), ingest.MaxReadingsPerBatch)
		require.GreaterOrEqual(t, req.FirstSeq+uint64(len(req.Readings)-1), req.FirstSeq, "no overflow")
		for _, r := range req.Readings {
			require.LessOrEqual(t, len(r.Payload), ingest.MaxPayloadBytes)
		}
	})
}

// provedEpoch builds a proof of readings[seqIdx] of stream "s" in an epoch
// with one other stream, straight from x/stream/proof.
func provedEpoch(tb testing.TB, n, seqIdx int) *gatewaypb.ProveResponse {
	tb.Helper()
	leaves := make([][]byte, n)
	for i := range leaves {
		leaves[i] = proof.ReadingLeaf("s", uint64(i+1), int64(i), []byte(fmt.Sprintf("r%d", i)))
	}
	root, rp, err := proof.ReadingInclusion(leaves, seqIdx)
	require.NoError(tb, err)
	batches := []proof.Batch{
		{StreamID: "a", FirstSeq: 1, LastSeq: 1, Root: bytes.Repeat([]byte{7}, proof.HashSize)},
		{StreamID: "s", FirstSeq: 1, LastSeq: uint64(n), Root: root},
	}
	epochRoot, bp, _, err := proof.BatchInclusion(batches, "s")
	require.NoError(tb, err)
	p := &proof.ReadingProof{
		Node: "edge1node", Epoch: 3,
		Reading:     proof.Reading{StreamID: "s", Seq: uint64(seqIdx + 1), Time: int64(seqIdx), Payload: []byte(fmt.Sprintf("r%d", seqIdx))},
		Batch:       batches[1],
		ReadingPath: rp, BatchPath: bp, EpochRoot: epochRoot,
	}
	require.NoError(tb, p.Verify(epochRoot, 2))
	wire := streamtypes.ReadingProofFrom(p)
	return &gatewaypb.ProveResponse{Committed: true, Height: 12, Proof: &wire}
}

// FuzzProveResponse: a ProveResponse from an untrusted gateway, decoded and
// verified with the proof package, never panics; and whatever verifies
// against the genuine epoch root proves the genuine reading.
func FuzzProveResponse(f *testing.F) {
	genuine := provedEpoch(f, 5, 3)
	bz, err := json.Marshal(genuine)
	require.NoError(f, err)
	f.Add(bz)
	f.Add([]byte(`{"committed":true,"proof":{}}`))
	f.Add([]byte(`{"proof":{"epoch":1,"stream_id":"s","seq":1,"batch":{"stream_id":"s","first_seq":1,"last_seq":1},"reading_proof":{"total":-1,"index":5},"batch_proof":{"total":1}}}`))
	f.Add([]byte(`{"proof":{"reading_proof":{"total":9223372036854775807,"index":9223372036854775806,"aunts":["AA=="]}}}`))
	bz, err = json.Marshal(provedEpoch(f, 1, 0))
	require.NoError(f, err)
	f.Add(bz)

	root := genuine.Proof.EpochRoot
	f.Fuzz(func(t *testing.T, body []byte) {
		var resp gatewaypb.ProveResponse
		if json.Unmarshal(body, &resp) != nil || resp.Proof == nil {
			return
		}
		p := resp.Proof.ToProof()
		_ = p.Verify(p.EpochRoot, 0)
		if p.Verify(root, 0) == nil {
			// Only readings of the genuine epoch lead to its root (anything
			// else would be a sha256 collision): stream "s", seqs 1..5.
			require.Equal(t, "s", p.Reading.StreamID)
			require.True(t, p.Reading.Seq >= 1 && p.Reading.Seq <= 5, "seq %d", p.Reading.Seq)
			i := int(p.Reading.Seq - 1)
			require.Equal(t, int64(i), p.Reading.Time)
			require.Equal(t, []byte(fmt.Sprintf("r%d", i)), p.Reading.Payload)
		}
	})
}
