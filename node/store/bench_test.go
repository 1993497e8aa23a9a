package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
)

// BenchmarkAppend: batches of 100 readings with 64-byte payloads, each
// goroutine writing its own streams (as gateway handlers for different
// devices do). Every Append is durable (synced) before it returns;
// concurrent ones share fsyncs. One op = one batch; readings/s is the rate.
func BenchmarkAppend(b *testing.B) {
	for _, goroutines := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			benchAppend(b, goroutines, 100, 64)
		})
	}
}

func benchAppend(b *testing.B, goroutines, perBatch, payload int) {
	s := openStore(b, b.TempDir())
	const streamsPerGoroutine = 16
	batches := make([][]store.Reading, streamsPerGoroutine)
	for i := range batches {
		batches[i] = makeReadings("bench", 1, perBatch, payload)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		n := b.N / goroutines
		if g < b.N%goroutines {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			heads := make([]uint64, streamsPerGoroutine)
			for i := range n {
				k := i % streamsPerGoroutine
				id := fmt.Sprintf("g%d.s%d", g, k)
				last, err := s.Append(id, heads[k]+1, batches[k], int64(i))
				if err != nil {
					errs <- err
					return
				}
				heads[k] = last
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		require.NoError(b, err)
	}
	b.ReportMetric(float64(b.N*perBatch)/b.Elapsed().Seconds(), "readings/s")
	require.Equal(b, uint64(b.N*perBatch), s.PendingCount())
}

// fillStreams appends perStream readings to each of streams streams with
// parallel writers (setup, not measured).
func fillStreams(tb testing.TB, s *store.Store, streams, perStream int, heads []uint64) {
	tb.Helper()
	var wg sync.WaitGroup
	const writers = 16
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < streams; k += writers {
				id := fmt.Sprintf("dev-%05d", k)
				last, err := s.Append(id, heads[k]+1, makeReadings(id, heads[k]+1, perStream, 64), 1)
				if err != nil {
					panic(err)
				}
				heads[k] = last
			}
		}()
	}
	wg.Wait()
}

// BenchmarkCloseEpoch: closing an epoch of 100,000 readings (64-byte
// payloads) over 1,000 streams: capture, read back, hash every reading and
// batch, write the manifest.
func BenchmarkCloseEpoch(b *testing.B) {
	const streams, perStream = 1000, 100
	s := openStore(b, b.TempDir())
	heads := make([]uint64, streams)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		fillStreams(b, s, streams, perStream, heads)
		b.StartTimer()
		e, err := s.CloseEpoch(uint64(i + 1))
		require.NoError(b, err)
		require.Equal(b, uint64(streams*perStream), e.ReadingCount)
	}
	b.ReportMetric(float64(b.N*streams*perStream)/b.Elapsed().Seconds(), "readings/s")
}

// BenchmarkProve: proofs of readings spread over an epoch of 1,000 streams
// x 100 readings (the epoch's batch paths are cached after the first proof;
// each proof re-reads and re-hashes its 100-reading batch).
func BenchmarkProve(b *testing.B) {
	const streams, perStream = 1000, 100
	s := openStore(b, b.TempDir())
	fillStreams(b, s, streams, perStream, make([]uint64, streams))
	e, err := s.CloseEpoch(1)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("dev-%05d", (i*7919)%streams)
		p, _, err := s.Prove("node", id, uint64(i%perStream)+1)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			require.NoError(b, p.Verify(e.Root, streams))
		}
	}
}

// BenchmarkProveLargeBatch: one proof in a single stream's batch of
// 100,000 readings of 1 KiB (a device at its rate limit across a long
// chain stall). B/op is what one proof allocates: the batch is hashed leaf
// by leaf as it is read, 32 bytes kept per reading.
func BenchmarkProveLargeBatch(b *testing.B) {
	s := openStore(b, b.TempDir())
	payload := make([]byte, 1024)
	seq := uint64(1)
	for range 10 {
		rs := make([]store.Reading, 10_000)
		for i := range rs {
			rs[i] = store.Reading{Time: int64(seq) + int64(i), Payload: payload}
		}
		_, err := s.Append("big", seq, rs, time.Now().UnixNano())
		require.NoError(b, err)
		seq += 10_000
	}
	e, err := s.CloseEpoch(1)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p, _, err := s.Prove("node", "big", uint64(i*7919%100_000)+1)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			require.NoError(b, p.Verify(e.Root, 1))
		}
	}
}

// BenchmarkPruneCommitted: retention removing one committed epoch of
// 100,000 readings over 1,000 streams (one delete-range batch per stream).
func BenchmarkPruneCommitted(b *testing.B) {
	const streams, perStream = 1000, 100
	s := openStore(b, b.TempDir())
	heads := make([]uint64, streams)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		fillStreams(b, s, streams, perStream, heads)
		_, err := s.CloseEpoch(uint64(i + 1))
		require.NoError(b, err)
		require.NoError(b, s.MarkCommitted(uint64(i+1), int64(i+1)))
		b.StartTimer()
		for k := range streams {
			mark, err := s.PruneCommitted(fmt.Sprintf("dev-%05d", k), 2)
			require.NoError(b, err)
			require.Equal(b, heads[k], mark)
		}
	}
	b.ReportMetric(float64(b.N*streams*perStream)/b.Elapsed().Seconds(), "readings/s")
}
