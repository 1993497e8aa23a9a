package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// A body of tiny readings ("{}" in JSON, two bytes in protobuf) decodes to
// ~28x its size in Reading structs. Both decoders count readings before
// building them and stop at ingest.MaxReadingsPerBatch, so a 4 MiB request
// costs at most a few MiB of memory, not a hundred.
var errTooManyReadings = fmt.Errorf("more than %d readings in one batch", ingest.MaxReadingsPerBatch)

// ingestJSON is IngestRequest's JSON shape with a bounded readings list.
// Its fields and tags mirror gatewaypb.IngestRequest (TestIngestJSONMirror).
type ingestJSON struct {
	StreamId  string          `json:"stream_id,omitempty"`
	DeviceId  string          `json:"device_id,omitempty"`
	FirstSeq  uint64          `json:"first_seq,omitempty"`
	Readings  boundedReadings `json:"readings"`
	Signature []byte          `json:"signature,omitempty"`
}

func (j *ingestJSON) request() *gatewaypb.IngestRequest {
	return &gatewaypb.IngestRequest{StreamId: j.StreamId, DeviceId: j.DeviceId, FirstSeq: j.FirstSeq,
		Readings: j.Readings, Signature: j.Signature}
}

// boundedReadings decodes a JSON array one element at a time and refuses
// the array at its MaxReadingsPerBatch+1-th element.
type boundedReadings []gatewaypb.Reading

func (b *boundedReadings) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*b = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return errors.New("readings must be an array")
	}
	var out []gatewaypb.Reading
	for dec.More() {
		if len(out) == ingest.MaxReadingsPerBatch {
			return errTooManyReadings
		}
		var r gatewaypb.Reading
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("reading %d: %w", len(out), err)
		}
		out = append(out, r)
	}
	*b = out
	return nil
}

// boundedCodec is the gRPC codec with IngestRequest readings bounded: a
// message with more than MaxReadingsPerBatch readings is decoded with only
// the first MaxReadingsPerBatch+1 of them, which the handler then refuses as
// too_large like any oversized batch — without building the rest.
type boundedCodec struct{ encoding.Codec }

func (c boundedCodec) Unmarshal(data []byte, v any) error {
	if _, ok := v.(*gatewaypb.IngestRequest); ok {
		data = keepReadings(data, ingest.MaxReadingsPerBatch+1)
	}
	return c.Codec.Unmarshal(data, v)
}

// keepReadings returns data without the readings (field 4) after the first
// keep of them; data itself when it has no more than keep. Malformed input
// is returned as is for the real decoder to refuse.
func keepReadings(data []byte, keep int) []byte {
	n, rest, out := 0, data, []byte(nil)
	for len(rest) > 0 {
		num, typ, l := protowire.ConsumeTag(rest)
		if l < 0 {
			return data
		}
		m := protowire.ConsumeFieldValue(num, typ, rest[l:])
		if m < 0 {
			return data
		}
		field := rest[:l+m]
		rest = rest[l+m:]
		if num == 4 && typ == protowire.BytesType {
			n++
			if n > keep {
				if out == nil {
					out = append(make([]byte, 0, len(data)/2), data[:len(data)-len(rest)-len(field)]...)
				}
				continue
			}
		}
		if out != nil {
			out = append(out, field...)
		}
	}
	if out == nil {
		return data
	}
	return out
}
