package device

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// FuzzGatewayAnswer: whatever a gateway (or a proxy in front of it) answers
// with an error status, the client gets an *APIError with that status, a
// bounded message and a Retry-After within [0, 1h] — and never panics.
func FuzzGatewayAnswer(f *testing.F) {
	f.Add(409, []byte(`{"code":409,"error":"replay","message":"x","last_seq":7}`), "")
	f.Add(429, []byte(`{"code":429,"error":"rate_limited"}`), "3")
	f.Add(503, []byte("<html>down</html>"), "Wed, 21 Oct 2065 07:28:00 GMT")
	f.Add(502, []byte{0xff, 0xfe}, "-5")
	f.Add(400, []byte(`{"error":""}`), "99999999999999999999")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		if status < 300 || status > 599 {
			t.Skip()
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		resp.Header.Set("Retry-After", retryAfter)
		e := apiErrorFromHTTP(resp, body)
		if e.Status != status {
			t.Fatalf("status %d body %q: %+v", status, body, e)
		}
		var b errorBody
		if json.Unmarshal(body, &b) != nil || b.Error == "" {
			// Not the gateway's body: reason from the status, message cut short.
			if e.Reason != reasonForStatus(status) || len(e.Message) > 200+len("…") {
				t.Fatalf("foreign body %q: %+v", body, e)
			}
		} else if e.Reason != b.Error || e.LastSeq != b.LastSeq {
			t.Fatalf("gateway body %q: %+v", body, e)
		}
		if e.RetryAfter < 0 || e.RetryAfter > time.Hour {
			t.Fatalf("retry after %s from %q", e.RetryAfter, retryAfter)
		}
		if e.Temporary() != (status == 408 || status == 429 || status >= 500) {
			t.Fatalf("status %d temporary=%v", status, e.Temporary())
		}
		_ = e.Error()
	})
}
