package gateway_test

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
)

func validRequest() *gatewaypb.IngestRequest {
	return &gatewaypb.IngestRequest{
		StreamId: "s-1.pm25", DeviceId: "dev-1", FirstSeq: 1,
		Readings:  []gatewaypb.Reading{{Time: 1, Payload: []byte(`{"pm25":12}`)}},
		Signature: bytes.Repeat([]byte{1}, 64),
	}
}

func TestValidateIngest(t *testing.T) {
	require.Nil(t, gateway.ValidateIngest(validRequest()))

	perReading := validRequest()
	perReading.Signature = nil
	perReading.Readings[0].Signature = bytes.Repeat([]byte{2}, 64)
	require.Nil(t, gateway.ValidateIngest(perReading), "per-reading signatures are a valid layout")

	cases := []struct {
		name   string
		edit   func(r *gatewaypb.IngestRequest)
		reason gateway.Reason
		msg    string
	}{
		{"empty stream id", func(r *gatewaypb.IngestRequest) { r.StreamId = "" }, gateway.ReasonMalformed, "stream id"},
		{"stream id with slash", func(r *gatewaypb.IngestRequest) { r.StreamId = "a/b" }, gateway.ReasonMalformed, "stream id"},
		{"stream id too long", func(r *gatewaypb.IngestRequest) { r.StreamId = strings.Repeat("s", ingest.MaxIDLen+1) }, gateway.ReasonMalformed, "stream id"},
		{"empty device id", func(r *gatewaypb.IngestRequest) { r.DeviceId = "" }, gateway.ReasonMalformed, "device id"},
		{"no readings", func(r *gatewaypb.IngestRequest) { r.Readings = nil }, gateway.ReasonMalformed, "no readings"},
		{"too many readings", func(r *gatewaypb.IngestRequest) {
			r.Readings = make([]gatewaypb.Reading, ingest.MaxReadingsPerBatch+1)
		}, gateway.ReasonTooLarge, "at most 10000"},
		{"payload too large", func(r *gatewaypb.IngestRequest) {
			r.Readings[0].Payload = make([]byte, ingest.MaxPayloadBytes+1)
		}, gateway.ReasonTooLarge, "payload is 1025 bytes"},
		{"first_seq 0", func(r *gatewaypb.IngestRequest) { r.FirstSeq = 0 }, gateway.ReasonMalformed, "first_seq must be >= 1"},
		{"seq overflow", func(r *gatewaypb.IngestRequest) {
			r.FirstSeq = math.MaxUint64
			r.Readings = append(r.Readings, gatewaypb.Reading{Time: 2})
		}, gateway.ReasonMalformed, "overflows"},
		{"batch and reading signed", func(r *gatewaypb.IngestRequest) {
			r.Readings[0].Signature = bytes.Repeat([]byte{2}, 64)
		}, gateway.ReasonMalformed, "not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validRequest()
			tc.edit(r)
			e := gateway.ValidateIngest(r)
			require.NotNil(t, e)
			require.Equal(t, tc.reason, e.Reason, e.Message)
			require.Contains(t, e.Message, tc.msg)
		})
	}
	require.Equal(t, gateway.ReasonMalformed, gateway.ValidateIngest(nil).Reason)
}

func TestDecodeIngest(t *testing.T) {
	req, e := gateway.DecodeIngest(strings.NewReader(
		`{"stream_id":"s","device_id":"d","first_seq":7,"readings":[{"time":-5,"payload":"AQI="}],"signature":"AAE="}`))
	require.Nil(t, e)
	require.Equal(t, &gatewaypb.IngestRequest{
		StreamId: "s", DeviceId: "d", FirstSeq: 7,
		Readings:  []gatewaypb.Reading{{Time: -5, Payload: []byte{1, 2}}},
		Signature: []byte{0, 1},
	}, req)

	for name, body := range map[string]string{
		"not json":        `stream=s`,
		"truncated":       `{"stream_id":"s"`,
		"unknown field":   `{"streamId":"s"}`,
		"bad base64":      `{"readings":[{"payload":"%%%"}]}`,
		"negative seq":    `{"first_seq":-1}`,
		"two values":      `{"stream_id":"s"} {"stream_id":"t"}`,
		"string for int":  `{"first_seq":"1"}`,
		"array for batch": `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, e := gateway.DecodeIngest(strings.NewReader(body))
			require.NotNil(t, e)
			require.Equal(t, gateway.ReasonMalformed, e.Reason)
			require.Equal(t, http.StatusBadRequest, e.HTTPStatus())
		})
	}

	t.Run("over the body limit", func(t *testing.T) {
		big := `{"stream_id":"` + strings.Repeat("s", ingest.MaxBodyBytes) + `"}`
		rec := httptest.NewRecorder()
		_, e := gateway.DecodeIngest(http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(big)), ingest.MaxBodyBytes))
		require.NotNil(t, e)
		require.Equal(t, gateway.ReasonTooLarge, e.Reason)
		require.Equal(t, http.StatusRequestEntityTooLarge, e.HTTPStatus())
	})
}
