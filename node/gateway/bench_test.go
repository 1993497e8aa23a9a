package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

const (
	benchClients   = 8
	benchBatchSize = 100
)

// benchParallelism makes RunParallel start benchClients goroutines (or the
// next multiple of GOMAXPROCS); each needs a device of its own, since one
// stream's batches must arrive in order.
func benchParallelism() (parallelism, goroutines int) {
	procs := runtime.GOMAXPROCS(0)
	parallelism = (benchClients + procs - 1) / procs
	return parallelism, parallelism * procs
}

// benchDevices registers one device per client; next[i] is device i's next
// seq, kept across the benchmark's runs (the store keeps what they sent).
type benchDevices struct {
	devs []device
	next []atomic.Uint64
}

func newBenchDevices(e *env, prefix string) *benchDevices {
	_, n := benchParallelism()
	bd := &benchDevices{devs: make([]device, n), next: make([]atomic.Uint64, n)}
	for i := range bd.devs {
		bd.devs[i] = e.addDevice(fmt.Sprintf("%s-%d", prefix, i), devicetypes.KEY_TYPE_ED25519, e.home)
		bd.next[i].Store(1)
	}
	return bd
}

// runClients runs b.N batches from benchClients goroutines, each sending
// its own device's signed 100-reading batches in order (signing and
// encoding are part of the client's cost, as on a device proxy).
func (bd *benchDevices) runClients(b *testing.B, e *env, send func(req *gatewaypb.IngestRequest) error) {
	var client atomic.Int32
	p, _ := benchParallelism()
	b.SetParallelism(p)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(client.Add(1) - 1)
		d := bd.devs[i]
		for pb.Next() {
			first := bd.next[i].Add(benchBatchSize) - benchBatchSize
			if err := send(e.signedBatch(d, d.Key, first, benchBatchSize)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchBatchSize)/b.Elapsed().Seconds(), "readings/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/batch")
}

// BenchmarkIngest: 100-reading ed25519-signed batches from 8 parallel
// clients, over HTTP/JSON (real loopback server on Handler()) and over gRPC,
// into a real pebble store (synced appends), reading a real app's state.
func BenchmarkIngest(b *testing.B) {
	e := newEnv(b, func(c *gateway.Config) { c.RatePerDevice = 1e12; c.Burst = 1 << 30 })
	// Devices and servers are set up once: each sub-benchmark runs several
	// times (growing b.N) and continues its streams.
	httpDevs := newBenchDevices(e, "bench-http")
	grpcDevs := newBenchDevices(e, "bench-grpc")
	perReadingDevs := newBenchDevices(e, "bench-per-reading")
	srv := httptest.NewServer(e.gw.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
	grpcClient := e.grpcClient()

	b.Run("http", func(b *testing.B) {
		httpDevs.runClients(b, e, func(req *gatewaypb.IngestRequest) error {
			bz, err := json.Marshal(req)
			if err != nil {
				return err
			}
			res, err := client.Post(srv.URL+"/v1/ingest", "application/json", bytes.NewReader(bz))
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("%d %s", res.StatusCode, body)
			}
			return nil
		})
	})

	b.Run("grpc", func(b *testing.B) {
		grpcDevs.runClients(b, e, func(req *gatewaypb.IngestRequest) error {
			_, err := grpcClient.Ingest(context.Background(), req)
			return err
		})
	})

	b.Run("core-per-reading-signatures", func(b *testing.B) {
		bd := perReadingDevs
		var clientIdx atomic.Int32
		p, _ := benchParallelism()
		b.SetParallelism(p)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(clientIdx.Add(1) - 1)
			d := bd.devs[i]
			for pb.Next() {
				first := bd.next[i].Add(benchBatchSize) - benchBatchSize
				if _, err := e.gw.Ingest(context.Background(), e.perReadingBatch(d, first, benchBatchSize)); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N*benchBatchSize)/b.Elapsed().Seconds(), "readings/s")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/batch")
	})
}
