package device_test

import (
	"context"
	"testing"

	"github.com/trustedge/trustedge/node/device"
	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// TestHTTPClientAddressesDotStreamIDs checks that the HTTP client
// reaches every stream id the gateway and the chain accept. "." and ".."
// pass ingest.ValidateID (and x/stream's ValidateStreamID, so such streams
// can be created), but Client.Head and Client.Prove build the path with
// url.PathEscape, which leaves dots alone: GET /v1/streams/../head is a
// dot-segment that the gateway's http.ServeMux cleans and redirects
// (to /v1/head, or /v1/streams/head for "."), so the head of such a
// stream can never be read and Batcher.Start fails with not_found for a
// stream that exists. (Checked against node/gateway's real Handler too:
// GET /v1/streams/../head answers 307 to /v1/head, while
// /v1/streams/%2E%2E/head reaches the head handler with id "..".) The fake
// gateway routes with the same ServeMux patterns as node/gateway.
func TestHTTPClientAddressesDotStreamIDs(t *testing.T) {
	for _, stream := range []string{".", ".."} {
		t.Run(stream, func(t *testing.T) {
			if err := ingest.ValidateID("stream", stream); err != nil {
				t.Fatalf("the gateway's id rule refuses %q: %v", stream, err)
			}
			g := newFakeGateway(t)
			id := testIdentity(t, "dotdev", devicetypes.KEY_TYPE_ED25519)
			id.StreamID = stream
			g.addStream(id)
			c := g.serveHTTP()

			req, err := device.NewIngestRequest(g.chainID, id, 1, testReadings(3), device.BatchSignature)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Ingest(context.Background(), req); err != nil {
				t.Fatalf("ingest into stream %q: %v", stream, err)
			}
			h, err := c.Head(context.Background(), stream)
			if err != nil {
				t.Fatalf("head of stream %q, which holds 3 readings: %v", stream, err)
			}
			if h.LastSeq != 3 {
				t.Fatalf("head of stream %q: %d, want 3", stream, h.LastSeq)
			}
		})
	}
}
