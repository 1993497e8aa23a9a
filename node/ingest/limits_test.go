package ingest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"a", "pm25-001.pm25", "A_b:c-9", strings.Repeat("x", MaxIDLen)} {
		if err := ValidateID("stream", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a/b", "a b", "é", strings.Repeat("x", MaxIDLen+1)} {
		if err := ValidateID("stream", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// A huge id is not echoed whole into the error (it is answered and logged).
	err := ValidateID("device", strings.Repeat("y", 1<<20))
	if err == nil {
		t.Fatal("a 1 MiB id was accepted")
	}
	if len(err.Error()) > 200 {
		t.Fatalf("error for a 1 MiB id is %d bytes", len(err.Error()))
	}
}

func TestSignBytesBindEverything(t *testing.T) {
	rs := []BatchReading{{Time: 1, Payload: []byte("a")}, {Time: 2, Payload: []byte("b")}}
	base := string(BatchSignBytes("c", "s", "d", 1, rs))
	if len(base) != 32 {
		t.Fatalf("digest is %d bytes", len(base))
	}
	variants := map[string][]byte{
		"chain":   BatchSignBytes("c2", "s", "d", 1, rs),
		"stream":  BatchSignBytes("c", "s2", "d", 1, rs),
		"device":  BatchSignBytes("c", "s", "d2", 1, rs),
		"seq":     BatchSignBytes("c", "s", "d", 2, rs),
		"count":   BatchSignBytes("c", "s", "d", 1, rs[:1]),
		"time":    BatchSignBytes("c", "s", "d", 1, []BatchReading{{Time: 9, Payload: []byte("a")}, rs[1]}),
		"payload": BatchSignBytes("c", "s", "d", 1, []BatchReading{{Time: 1, Payload: []byte("z")}, rs[1]}),
		"shift":   BatchSignBytes("c", "ss", "", 1, rs), // bytes moved between fields
	}
	for name, v := range variants {
		if string(v) == base {
			t.Errorf("changing %s does not change the batch sign bytes", name)
		}
	}
	if string(ReadingSignBytes("c", "s", "d", 1, 1, []byte("a"))) == string(BatchSignBytes("c", "s", "d", 1, rs[:1])) {
		t.Error("a reading signature could be replayed as a batch signature")
	}
}

func TestReadSignBytesBindEverything(t *testing.T) {
	base := string(ReadSignBytes("c", "g", "s", 7, 1000))
	if len(base) != 32 {
		t.Fatalf("digest is %d bytes", len(base))
	}
	variants := map[string][]byte{
		"chain":     ReadSignBytes("c2", "g", "s", 7, 1000),
		"gateway":   ReadSignBytes("c", "g2", "s", 7, 1000),
		"stream":    ReadSignBytes("c", "g", "s2", 7, 1000),
		"seq":       ReadSignBytes("c", "g", "s", 8, 1000),
		"signed_at": ReadSignBytes("c", "g", "s", 7, 1001),
		"shift":     ReadSignBytes("c", "gs", "", 7, 1000),
	}
	for name, v := range variants {
		if string(v) == base {
			t.Errorf("changing %s does not change the read sign bytes", name)
		}
	}
	// Same header fields in the device slots: the tag keeps a read
	// signature from ever standing for a reading signature.
	if base == string(ReadingSignBytes("c", "g", "s", 7, 1000, nil)) {
		t.Error("a read signature equals a reading signature")
	}
}

// Every valid id survives one URL path segment: the gateway's ServeMux
// gives back exactly the id, and dot segments are not cleaned away.
func TestPathSegmentRoundTrip(t *testing.T) {
	mux := http.NewServeMux()
	var got string
	mux.HandleFunc("GET /v1/streams/{id}/head", func(_ http.ResponseWriter, r *http.Request) { got = r.PathValue("id") })
	for _, id := range []string{".", "..", "...", "a.b", "s:pm25", "A-b_c", "..x"} {
		require.NoError(t, ValidateID("stream", id))
		got = ""
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/streams/"+PathSegment(id)+"/head", nil))
		require.Equal(t, http.StatusOK, rec.Code, id)
		require.Equal(t, id, got)
	}
}
