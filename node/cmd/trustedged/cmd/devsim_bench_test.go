package cmd

import (
	"testing"
	"time"
)

// BenchmarkDevsimPayloads is the simulator's per-reading cost of making a
// value: it must stay far below the gateway's per-reading cost.
func BenchmarkDevsimPayloads(b *testing.B) {
	for _, kind := range knownKinds() {
		b.Run(kind, func(b *testing.B) {
			gen := simKinds[kind].newGen(deviceRand("bench", "dev"))
			t0 := time.Unix(1_700_000_000, 0)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if len(gen.next(t0.Add(time.Duration(i)*time.Millisecond))) == 0 {
					b.Fatal("empty payload")
				}
			}
		})
	}
}
