package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
)

func TestAppendHeadAndReading(t *testing.T) {
	s := openStore(t, t.TempDir())

	head, err := s.Head("s1")
	require.NoError(t, err)
	require.Zero(t, head, "a new stream has head 0")

	rs := makeReadings("s1", 1, 3, 64)
	last, err := s.Append("s1", 1, rs, 100)
	require.NoError(t, err)
	require.Equal(t, uint64(3), last)
	more := makeReadings("s1", 4, 2, 10)
	last, err = s.Append("s1", 4, more, 200)
	require.NoError(t, err)
	require.Equal(t, uint64(5), last)

	head, err = s.Head("s1")
	require.NoError(t, err)
	require.Equal(t, uint64(5), head)
	require.Equal(t, uint64(5), s.PendingCount())
	for i, want := range append(rs, more...) {
		got, err := s.Reading("s1", uint64(i+1))
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err = s.Reading("s1", 6)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Reading("s1", 0)
	require.ErrorIs(t, err, store.ErrNotFound)

	// A stream whose id extends another's keeps its own keys.
	_, err = s.Append("s1.x", 1, makeReadings("s1.x", 1, 1, 8), 300)
	require.NoError(t, err)
	head, err = s.Head("s1")
	require.NoError(t, err)
	require.Equal(t, uint64(5), head)
}

func TestAppendReplayAndGapStoreNothing(t *testing.T) {
	s := openStore(t, t.TempDir())
	_, err := s.Append("s1", 1, makeReadings("s1", 1, 5, 16), 1)
	require.NoError(t, err)
	before := s.PendingCount()

	cases := []struct {
		name     string
		firstSeq uint64
		replay   bool
	}{
		{"replay of the whole batch", 1, true},
		{"replay overlapping the head", 5, true},
		{"seq 0", 0, true},
		{"gap", 7, false},
		{"far gap", 1 << 40, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs := makeReadings("s1", tc.firstSeq, 3, 16)
			for i := range rs {
				rs[i].Payload = []byte("must not be stored")
			}
			_, err := s.Append("s1", tc.firstSeq, rs, 2)
			var se *store.SeqError
			require.ErrorAs(t, err, &se)
			require.Equal(t, store.SeqError{Head: 5, Replay: tc.replay}, *se)
			require.Contains(t, err.Error(), "next seq must be 6")

			head, err := s.Head("s1")
			require.NoError(t, err)
			require.Equal(t, uint64(5), head)
			require.Equal(t, before, s.PendingCount())
			for seq := uint64(1); seq <= 5; seq++ {
				r, err := s.Reading("s1", seq)
				require.NoError(t, err)
				require.Equal(t, makeReadings("s1", seq, 1, 16)[0], r)
			}
			for seq := uint64(6); seq <= 10; seq++ {
				_, err := s.Reading("s1", seq)
				require.ErrorIs(t, err, store.ErrNotFound)
			}
		})
	}
}

func TestAppendRejectsBadInput(t *testing.T) {
	s := openStore(t, t.TempDir())
	cases := []struct {
		name   string
		stream string
		first  uint64
		rs     []store.Reading
	}{
		{"empty stream id", "", 1, makeReadings("x", 1, 1, 1)},
		{"stream id with a NUL", "a\x00b", 1, makeReadings("x", 1, 1, 1)},
		{"stream id with a slash", "a/b", 1, makeReadings("x", 1, 1, 1)},
		{"stream id too long", string(make([]byte, 65)), 1, makeReadings("x", 1, 1, 1)},
		{"no readings", "s1", 1, nil},
		{"seq overflow", "s1", ^uint64(0), makeReadings("x", 1, 2, 1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(tc.stream, tc.first, tc.rs, 1)
			require.ErrorIs(t, err, store.ErrInvalid)
			require.Zero(t, s.PendingCount())
		})
	}
	head, err := s.Head("s1")
	require.NoError(t, err)
	require.Zero(t, head)
	_, err = s.Head("bad/id")
	require.ErrorIs(t, err, store.ErrInvalid)
}

func TestAppendConcurrentStreams(t *testing.T) {
	s := openStore(t, t.TempDir())
	const (
		workers          = 16
		streamsPerWorker = 8
		batches          = 20
		perBatch         = 10
	)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				for k := range streamsPerWorker {
					id := fmt.Sprintf("w%d-s%d", w, k)
					first := uint64(b*perBatch + 1)
					if _, err := s.Append(id, first, makeReadings(id, first, perBatch, 32), int64(b)); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	// Racing appends to one stream: exactly one of each pair of equal
	// first seqs wins, the other gets a replay error.
	var raced sync.WaitGroup
	var wins, replays int
	var mu sync.Mutex
	for range 2 {
		raced.Add(1)
		go func() {
			defer raced.Done()
			for b := range 20 {
				_, err := s.Append("contended", uint64(b+1), makeReadings("contended", uint64(b+1), 1, 8), 0)
				mu.Lock()
				var se *store.SeqError
				switch {
				case err == nil:
					wins++
				case errors.As(err, &se) && se.Replay:
					replays++
				default:
					t.Errorf("unexpected error %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	raced.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	require.Equal(t, 20, wins)
	require.Equal(t, 20, replays)
	require.Equal(t, uint64(workers*streamsPerWorker*batches*perBatch+20), s.PendingCount())
	for w := range workers {
		for k := range streamsPerWorker {
			id := fmt.Sprintf("w%d-s%d", w, k)
			head, err := s.Head(id)
			require.NoError(t, err)
			require.Equal(t, uint64(batches*perBatch), head)
			r, err := s.Reading(id, head)
			require.NoError(t, err)
			require.Equal(t, makeReadings(id, head, 1, 32)[0], r)
		}
	}
}
