package gatewaypb_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
)

func TestReaderHeadersRoundTrip(t *testing.T) {
	r := &gatewaypb.ReaderSignature{PubKey: []byte{2, 1, 2, 3}, SignedAt: 1_800_000_000, Signature: []byte{9, 8, 7}}
	h := http.Header{}
	r.SetHeaders(h)
	got, err := gatewaypb.ReaderFromHeaders(h)
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	if got, err := gatewaypb.ReaderFromHeaders(http.Header{}); got != nil || err != nil {
		t.Fatalf("no headers: %v, %v (want nil, nil: an unsigned request)", got, err)
	}
	(*gatewaypb.ReaderSignature)(nil).SetHeaders(h) // a nil signature sets nothing
	for name, bad := range map[string]http.Header{
		"key missing":      {gatewaypb.HeaderReaderSignedAt: {"1"}, gatewaypb.HeaderReaderSignature: {"AA=="}},
		"time not decimal": {gatewaypb.HeaderReaderKey: {"AA=="}, gatewaypb.HeaderReaderSignedAt: {"soon"}, gatewaypb.HeaderReaderSignature: {"AA=="}},
		"key not base64":   {gatewaypb.HeaderReaderKey: {"!!"}, gatewaypb.HeaderReaderSignedAt: {"1"}, gatewaypb.HeaderReaderSignature: {"AA=="}},
		"sig not base64":   {gatewaypb.HeaderReaderKey: {"AA=="}, gatewaypb.HeaderReaderSignedAt: {"1"}, gatewaypb.HeaderReaderSignature: {"%"}},
	} {
		if _, err := gatewaypb.ReaderFromHeaders(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Any header values: no panic, and what parses writes back the same.
func FuzzReaderFromHeaders(f *testing.F) {
	f.Add("AgEC", "1800000000", "CQgH")
	f.Add("", "", "")
	f.Add("AA==", "-1", "")
	f.Fuzz(func(t *testing.T, key, at, sig string) {
		h := http.Header{}
		for k, v := range map[string]string{gatewaypb.HeaderReaderKey: key, gatewaypb.HeaderReaderSignedAt: at, gatewaypb.HeaderReaderSignature: sig} {
			if v != "" {
				h.Set(k, v)
			}
		}
		r, err := gatewaypb.ReaderFromHeaders(h)
		if err != nil || r == nil {
			return
		}
		h2 := http.Header{}
		r.SetHeaders(h2)
		r2, err := gatewaypb.ReaderFromHeaders(h2)
		if err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("%v re-parsed as %v, %v", r, r2, err)
		}
	})
}
