package commit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReadRetryBacksOffAndRateLimitsWarnings: the wait doubles from 2×poll
// to maxBackoff; a warning comes at the first failure, then not again
// within chainReadLogEvery, even across a short recovery (a flapping
// chain); a success resets the wait.
func TestReadRetryBacksOffAndRateLimitsWarnings(t *testing.T) {
	var r readRetry
	now := time.Unix(1_000, 0)
	poll := 20 * time.Millisecond
	require.True(t, r.due(now))

	var waits []time.Duration
	var logged []bool
	for range 10 {
		logged = append(logged, r.failed(now, poll))
		waits = append(waits, r.wait)
		require.False(t, r.due(now.Add(r.wait-time.Nanosecond)))
		require.True(t, r.due(now.Add(r.wait)))
		now = now.Add(r.wait)
	}
	ms := time.Millisecond
	require.Equal(t, []time.Duration{40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, 1280 * ms, 2560 * ms,
		maxBackoff, maxBackoff, maxBackoff}, waits)
	require.Equal(t, []bool{true, false, false, false, false, false, false, false, false, false}, logged)

	fails, warned := r.succeeded()
	require.Equal(t, 10, fails)
	require.True(t, warned)
	require.Zero(t, r.wait)
	require.True(t, r.due(now))

	// Failing again soon after: backoff from the start, no new warning.
	require.False(t, r.failed(now, poll), "a flap within chainReadLogEvery is not logged again")
	require.Equal(t, 40*ms, r.wait)
	_, warned = r.succeeded()
	require.False(t, warned, "no recovery line for an unlogged failure")
	require.True(t, r.failed(now.Add(chainReadLogEvery), poll), "logged again after chainReadLogEvery")
}
