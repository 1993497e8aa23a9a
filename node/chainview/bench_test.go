package chainview_test

import (
	"context"
	"testing"
)

// BenchmarkStreamAndDevice is what the gateway asks the chain for a batch
// it has not cached: the stream, then its device, each on its own read-only
// branch of the last committed version, on pebble.
//
//	go test -tags pebbledb -run '^$' -bench . ./node/chainview/
func BenchmarkStreamAndDevice(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := w.view.Stream(ctx, "pm25"); err != nil {
			b.Fatal(err)
		}
		if _, err := w.view.Device(ctx, "sensor-1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamAndDeviceParallel is the same from many gateway
// goroutines at once.
func BenchmarkStreamAndDeviceParallel(b *testing.B) {
	w := newWorld(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := w.view.Stream(ctx, "pm25"); err != nil {
				b.Fatal(err)
			}
			if _, err := w.view.Device(ctx, "sensor-1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHeight is called on every gateway request.
func BenchmarkHeight(b *testing.B) {
	w := newWorld(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if w.view.Height() == 0 {
			b.Fatal("no height")
		}
	}
}
