package device

import (
	"errors"
	"fmt"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// SignMode says what the device key signs.
type SignMode int

const (
	// BatchSignature: one signature over ingest.BatchSignBytes for the whole
	// batch. One signing per batch: the cheap mode and the default.
	BatchSignature SignMode = iota
	// ReadingSignatures: one signature per reading over
	// ingest.ReadingSignBytes and an empty batch signature, for devices whose
	// readings must stay individually verifiable after the batch is split.
	ReadingSignatures
)

// String names the mode for flags and logs.
func (m SignMode) String() string {
	switch m {
	case BatchSignature:
		return "batch"
	case ReadingSignatures:
		return "reading"
	default:
		return fmt.Sprintf("SignMode(%d)", int(m))
	}
}

// NewIngestRequest numbers readings from firstSeq and signs them with the
// identity's key for chainID (part of what is signed: no cross-chain
// replay). It checks the gateway's limits first, so a batch the gateway
// would refuse as malformed or too large is refused here with a clear error.
func NewIngestRequest(chainID string, id Identity, firstSeq uint64, readings []ingest.BatchReading, mode SignMode) (*gatewaypb.IngestRequest, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	if chainID == "" {
		return nil, errors.New("chain id is empty")
	}
	if firstSeq == 0 {
		return nil, errors.New("sequence numbers start at 1")
	}
	if len(readings) == 0 || len(readings) > ingest.MaxReadingsPerBatch {
		return nil, fmt.Errorf("a batch holds 1..%d readings, got %d", ingest.MaxReadingsPerBatch, len(readings))
	}
	req := &gatewaypb.IngestRequest{
		StreamId: id.StreamID,
		DeviceId: id.DeviceID,
		FirstSeq: firstSeq,
		Readings: make([]gatewaypb.Reading, len(readings)),
	}
	for i, r := range readings {
		if err := CheckPayload(r.Payload); err != nil {
			return nil, fmt.Errorf("reading %d: %w", i, err)
		}
		req.Readings[i] = gatewaypb.Reading{Time: r.Time, Payload: r.Payload}
	}
	switch mode {
	case BatchSignature:
		sig, err := id.Key.Sign(ingest.BatchSignBytes(chainID, id.StreamID, id.DeviceID, firstSeq, readings))
		if err != nil {
			return nil, fmt.Errorf("sign batch: %w", err)
		}
		req.Signature = sig
	case ReadingSignatures:
		for i, r := range readings {
			seq := firstSeq + uint64(i)
			sig, err := id.Key.Sign(ingest.ReadingSignBytes(chainID, id.StreamID, id.DeviceID, seq, r.Time, r.Payload))
			if err != nil {
				return nil, fmt.Errorf("sign reading %d: %w", seq, err)
			}
			req.Readings[i].Signature = sig
		}
	default:
		return nil, fmt.Errorf("unknown sign mode %d", int(mode))
	}
	return req, nil
}

// CheckPayload applies the gateway's per-reading limit.
func CheckPayload(p []byte) error {
	if len(p) > ingest.MaxPayloadBytes {
		return fmt.Errorf("payload of %d bytes, at most %d allowed", len(p), ingest.MaxPayloadBytes)
	}
	return nil
}
