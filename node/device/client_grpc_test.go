package device_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/trustedge/trustedge/node/device"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// Over gRPC, refusals become the same *APIError as over HTTP: from the
// ErrorInfo detail when the gateway sends one, else from the status code.
func TestGRPCClientMapsRefusals(t *testing.T) {
	for _, noDetails := range []bool{false, true} {
		name := map[bool]string{false: "errorinfo", true: "bare-codes"}[noDetails]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			g := newFakeGateway(t)
			id := testIdentity(t, "dev-grpc", devicetypes.KEY_TYPE_ED25519)
			g.addStream(id)
			c := g.serveGRPC(noDetails)

			req, err := device.NewIngestRequest(g.chainID, id, 1, testReadings(3), device.BatchSignature)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Ingest(ctx, req)
			if err != nil || resp.LastSeq != 3 || resp.FirstSeq != 1 {
				t.Fatalf("ingest %+v %v", resp, err)
			}

			var apiErr *device.APIError
			_, err = c.Ingest(ctx, req)
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || apiErr.Reason != device.ReasonReplay || apiErr.Message != "first_seq 1 already stored" {
				t.Fatalf("replay: %#v", err)
			}
			if wantLast := map[bool]uint64{false: 3, true: 0}[noDetails]; apiErr.LastSeq != wantLast {
				t.Fatalf("last_seq %d, want %d", apiErr.LastSeq, wantLast)
			}

			_, err = c.Head(ctx, "no.such")
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Reason != device.ReasonNotFound {
				t.Fatalf("head of unknown stream: %#v", err)
			}

			g.setForbidden(id.StreamID, true)
			req2, _ := device.NewIngestRequest(g.chainID, id, 4, testReadings(1), device.BatchSignature)
			_, err = c.Ingest(ctx, req2)
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden || apiErr.Temporary() {
				t.Fatalf("forbidden: %#v", err)
			}
			g.setForbidden(id.StreamID, false)

			g.inject(fault{status: 429, reason: device.ReasonRateLimited, retryAfter: "2"})
			_, err = c.Ingest(ctx, req2)
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests || !device.IsRetryable(ctx, err) {
				t.Fatalf("rate limited: %#v", err)
			}
			if wantWait := map[bool]time.Duration{false: 2 * time.Second, true: 0}[noDetails]; apiErr.RetryAfter != wantWait {
				t.Fatalf("retry after %s, want %s", apiErr.RetryAfter, wantWait)
			}

			reader := testReader(t, g, id.StreamID, 2)
			pr, err := c.Prove(ctx, id.StreamID, 2, reader)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.lastReader(); !reflect.DeepEqual(got, reader) {
				t.Fatalf("gateway saw reader %v, sent %v", got, reader)
			}
			_, root, _ := g.prove(id.StreamID, 2)
			if err := pr.Proof.ToProof().Verify(root, 1); err != nil {
				t.Fatalf("proof over gRPC: %v", err)
			}
		})
	}
}

// The Batcher's recovery paths work the same over gRPC, also when refusals
// carry no last_seq (it then asks Head).
func TestBatcherOverGRPCRecovers(t *testing.T) {
	for _, noDetails := range []bool{false, true} {
		g := newFakeGateway(t)
		id := testIdentity(t, "dev-grpc-b", devicetypes.KEY_TYPE_SECP256K1)
		g.addStream(id)
		c := g.serveGRPC(noDetails)
		g.inject(fault{lostAck: true}, fault{status: 503, reason: device.ReasonUnavailable})
		b, rec := startBatcher(t, c, id, device.Config{MaxBatch: 4, FlushInterval: time.Hour})
		addN(t, b, 0, 4)
		if a := rec.waitAck(t); !a.LostAck || a.FirstSeq != 1 || a.LastSeq != 4 || a.Attempts != 3 {
			t.Fatalf("noDetails=%v: ack %+v", noDetails, a)
		}
		g.preload(id.StreamID, 2)
		addN(t, b, 4, 4)
		if a := rec.waitAck(t); a.FirstSeq != 7 || a.LastSeq != 10 {
			t.Fatalf("noDetails=%v: resynced ack %+v", noDetails, a)
		}
		got := g.stored(id.StreamID)
		if len(got) != 10 || string(got[3].Payload) != `{"i":3}` || string(got[6].Payload) != `{"i":4}` {
			t.Fatalf("noDetails=%v: stored %d", noDetails, len(got))
		}
		if st := b.Stats(); st.LostAcks != 1 || st.Resyncs != 1 || st.Acked != 8 {
			t.Fatalf("noDetails=%v: stats %+v", noDetails, st)
		}
	}
}
