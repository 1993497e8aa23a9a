package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// DecodeIngest reads an IngestRequest as JSON (the body of POST /v1/ingest;
// the caller bounds r with http.MaxBytesReader). Unknown fields are refused:
// a misspelt field would otherwise be read as its zero value and fail later
// with a confusing message, or not at all.
func DecodeIngest(r io.Reader) (*gatewaypb.IngestRequest, *Error) {
	var req ingestJSON
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		if errors.Is(err, errTooManyReadings) {
			return nil, newError(ReasonTooLarge, "%v", err)
		}
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, decodeError(err)
		}
		return nil, newError(ReasonMalformed, "body holds more than one JSON value")
	}
	return req.request(), nil
}

func decodeError(err error) *Error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return newError(ReasonTooLarge, "body is over %d bytes", tooBig.Limit)
	}
	return newError(ReasonMalformed, "body is not an IngestRequest in JSON: %v", err)
}

// ValidateIngest checks a request without the chain or the store: ids,
// reading count, payload sizes, signature layout and sequence range. Both
// transports run it first, so junk costs no chain read.
func ValidateIngest(req *gatewaypb.IngestRequest) *Error {
	if req == nil {
		return newError(ReasonMalformed, "empty request")
	}
	if err := ingest.ValidateID("stream", req.StreamId); err != nil {
		return newError(ReasonMalformed, "%v", err)
	}
	if err := ingest.ValidateID("device", req.DeviceId); err != nil {
		return newError(ReasonMalformed, "%v", err)
	}
	n := len(req.Readings)
	if n == 0 {
		return newError(ReasonMalformed, "batch has no readings")
	}
	if n > ingest.MaxReadingsPerBatch {
		return newError(ReasonTooLarge, "batch has %d readings, at most %d are taken", n, ingest.MaxReadingsPerBatch)
	}
	for i := range req.Readings {
		if len(req.Readings[i].Payload) > ingest.MaxPayloadBytes {
			return newError(ReasonTooLarge, "reading %d (seq %d): payload is %d bytes, at most %d are taken",
				i, req.FirstSeq+uint64(i), len(req.Readings[i].Payload), ingest.MaxPayloadBytes)
		}
	}
	if req.FirstSeq == 0 {
		return newError(ReasonMalformed, "first_seq must be >= 1 (sequence numbers start at 1)")
	}
	if req.FirstSeq > math.MaxUint64-uint64(n-1) {
		return newError(ReasonMalformed, "first_seq %d + %d readings overflows the sequence space", req.FirstSeq, n)
	}
	return validateSignatureLayout(req)
}

// validateSignatureLayout: a batch is signed either as a whole (signature
// set, no reading signed) or reading by reading (no batch signature).
// Mixing is refused so a stored batch has one meaning. Missing signatures
// are the signature check's business (401, step 4), not a syntax error.
func validateSignatureLayout(req *gatewaypb.IngestRequest) *Error {
	if len(req.Signature) == 0 {
		return nil
	}
	for i := range req.Readings {
		if len(req.Readings[i].Signature) > 0 {
			return newError(ReasonMalformed, "reading %d has its own signature but the batch is signed: sign the batch or every reading, not both", i)
		}
	}
	return nil
}
