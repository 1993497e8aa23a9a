package proof_test

import (
	"fmt"
	"testing"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// BenchmarkBatchRoot100k hashes 100,000 64-byte readings into batch roots
// (1,000 streams x 100) and the epoch root: the per-block work of a node
// ingesting 100k readings/s with 1 s epochs.
func BenchmarkBatchRoot100k(b *testing.B) {
	const streams, per = 1000, 100
	payload := make([]byte, 64)
	leaves := make([][][]byte, streams)
	for s := range leaves {
		leaves[s] = make([][]byte, per)
		for i := range leaves[s] {
			leaves[s][i] = proof.ReadingLeaf(fmt.Sprintf("dev-%04d.pm25", s), uint64(i+1), int64(i), payload)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		bs := make([]proof.Batch, streams)
		for s := range leaves {
			bs[s] = proof.Batch{StreamID: fmt.Sprintf("dev-%04d.pm25", s), FirstSeq: 1, LastSeq: per, Root: proof.BatchRoot(leaves[s])}
		}
		proof.SortBatches(bs)
		_ = proof.EpochRoot(bs)
	}
	b.ReportMetric(float64(streams*per)*float64(b.N)/b.Elapsed().Seconds(), "readings/s")
}

// BenchmarkVerify is one reading proof check (batch of 1,000, epoch of 1,000 streams).
func BenchmarkVerify(b *testing.B) {
	counts := make([]int, 1000)
	for i := range counts {
		counts[i] = 3
	}
	counts[500] = 1000
	fx := newEpoch(b, counts...)
	p := fx.prove(b, "s500", 5001+700)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := p.Verify(fx.root, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadingInclusion100k: one reading's path in a 100,000-reading
// batch (what a proof of a reading from a large backlog epoch costs).
func BenchmarkReadingInclusion100k(b *testing.B) {
	leaves := make([][]byte, 100_000)
	for i := range leaves {
		leaves[i] = proof.ReadingLeaf("dev-0001.pm25", uint64(i+1), int64(i), make([]byte, 64))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, _, err := proof.ReadingInclusion(leaves, n%len(leaves)); err != nil {
			b.Fatal(err)
		}
	}
}
