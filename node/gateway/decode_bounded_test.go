package gateway

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

// The bounded JSON shape must stay the request's shape: same fields, same
// JSON names, so a new proto field is not silently refused or dropped.
func TestIngestJSONMirror(t *testing.T) {
	names := func(typ reflect.Type) []string {
		var out []string
		for i := 0; i < typ.NumField(); i++ {
			if tag := typ.Field(i).Tag.Get("json"); tag != "" && tag != "-" {
				out = append(out, strings.Split(tag, ",")[0])
			}
		}
		return out
	}
	require.Equal(t, names(reflect.TypeOf(gatewaypb.IngestRequest{})), names(reflect.TypeOf(ingestJSON{})))
}

func TestDecodeIngestStopsAtTheReadingLimit(t *testing.T) {
	body := `{"stream_id":"s","readings":[` + strings.Repeat(`{},`, 200_000) + `{}]}`
	_, e := DecodeIngest(strings.NewReader(body))
	require.NotNil(t, e)
	require.Equal(t, ReasonTooLarge, e.Reason)

	ok := `{"stream_id":"s","readings":[` + strings.Repeat(`{"time":1},`, ingest.MaxReadingsPerBatch-1) + `{"time":2}]}`
	req, e := DecodeIngest(strings.NewReader(ok))
	require.Nil(t, e)
	require.Len(t, req.Readings, ingest.MaxReadingsPerBatch)
	require.Equal(t, int64(2), req.Readings[ingest.MaxReadingsPerBatch-1].Time)

	_, e = DecodeIngest(strings.NewReader(`{"readings":[{"bogus":1}]}`))
	require.NotNil(t, e)
	require.Equal(t, ReasonMalformed, e.Reason, "unknown fields inside readings are refused too")
}

func TestKeepReadings(t *testing.T) {
	req := &gatewaypb.IngestRequest{StreamId: "s", DeviceId: "d", FirstSeq: 7, Signature: []byte{1, 2}}
	for i := 0; i < 50; i++ {
		req.Readings = append(req.Readings, gatewaypb.Reading{Time: int64(i), Payload: []byte{byte(i)}})
	}
	data, err := req.Marshal()
	require.NoError(t, err)

	require.Equal(t, data, keepReadings(data, 50), "nothing to cut")
	var got gatewaypb.IngestRequest
	require.NoError(t, got.Unmarshal(keepReadings(data, 10)))
	require.Len(t, got.Readings, 10)
	require.Equal(t, int64(9), got.Readings[9].Time)
	require.Equal(t, "s", got.StreamId)
	require.Equal(t, []byte{1, 2}, got.Signature, "fields after the readings are kept")
	require.Equal(t, []byte{0xff}, keepReadings([]byte{0xff}, 1), "malformed input is left to the decoder")
}
