package device_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/trustedge/trustedge/node/device"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// BenchmarkSignEncodeBatch100 is the device-side cost of one 100-reading
// batch: sign (once, or per reading) and encode the JSON body.
func BenchmarkSignEncodeBatch100(b *testing.B) {
	rs := testReadings(100)
	for _, kt := range keyTypes {
		for _, mode := range []device.SignMode{device.BatchSignature, device.ReadingSignatures} {
			b.Run(fmt.Sprintf("%s/%s", kt, mode), func(b *testing.B) {
				id := testIdentity(b, "dev-bench", kt)
				b.ReportAllocs()
				var bodyBytes int
				for i := 0; i < b.N; i++ {
					req, err := device.NewIngestRequest("trustedge-bench", id, uint64(1+100*i), rs, mode)
					if err != nil {
						b.Fatal(err)
					}
					body, err := json.Marshal(req)
					if err != nil {
						b.Fatal(err)
					}
					bodyBytes = len(body)
				}
				b.ReportMetric(float64(b.N*len(rs))/b.Elapsed().Seconds(), "readings/s")
				b.ReportMetric(float64(bodyBytes), "body-bytes")
			})
		}
	}
}

// BenchmarkBatcherHTTP is readings through a Batcher to a gateway over
// loopback HTTP (the fake gateway verifies every batch signature, as the
// real one does), 100 per batch.
func BenchmarkBatcherHTTP(b *testing.B) {
	g := newFakeGateway(b)
	id := testIdentity(b, "dev-bench-http", devicetypes.KEY_TYPE_ED25519)
	g.addStream(id)
	bt, err := device.NewBatcher(g.serveHTTP(), id, device.Config{ChainID: g.chainID, MaxBatch: 100, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	if err := bt.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"pm25":37.2}`)
	t0 := time.Unix(1_700_000_000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := bt.Add(t0.Add(time.Duration(i)), payload); err != nil {
			b.Fatal(err)
		}
	}
	if err := bt.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if st := bt.Stats(); st.Acked != uint64(b.N) {
		b.Fatalf("acked %d of %d", st.Acked, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "readings/s")
}
