package gateway

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDeviceLimiter(t *testing.T) {
	l := newDeviceLimiter(100, 200) // 100 readings/s, bucket of 200
	now := time.Unix(1_700_000_000, 0)
	take := func(dev string, n int, at time.Time) *Error {
		_, e := l.take(dev, n, at)
		return e
	}

	require.Nil(t, take("a", 150, now))
	e := take("a", 100, now)
	require.NotNil(t, e, "only 50 tokens left")
	require.Equal(t, ReasonRateLimited, e.Reason)
	require.Equal(t, int64(1), e.RetryAfterSeconds, "50 missing tokens at 100/s is 0.5 s, rounded up")
	require.Contains(t, e.Message, `device "a"`)

	// The refusal took nothing: the 50 tokens are still there.
	require.Nil(t, take("a", 50, now))
	require.NotNil(t, take("a", 1, now))

	// Another device has its own bucket.
	require.Nil(t, take("b", 200, now))

	// Tokens come back with time.
	require.Nil(t, take("a", 100, now.Add(time.Second)))

	// A batch larger than the bucket can never pass: too_large, not a wait.
	e = take("c", 201, now)
	require.NotNil(t, e)
	require.Equal(t, ReasonTooLarge, e.Reason)
	require.Zero(t, e.RetryAfterSeconds)
}

// A batch the store refuses after the limiter passed it gets its tokens back.
func TestDeviceLimiterRefund(t *testing.T) {
	l := newDeviceLimiter(100, 200)
	now := time.Unix(1_700_000_000, 0)
	r, e := l.take("d", 200, now)
	require.Nil(t, e)
	_, e = l.take("d", 1, now)
	require.NotNil(t, e, "bucket empty")
	refund(r, now)
	_, e = l.take("d", 200, now)
	require.Nil(t, e, "refunded tokens are usable again")
}

// precheck refuses what take would refuse for want of tokens, without
// taking any or creating a bucket.
func TestDeviceLimiterPrecheck(t *testing.T) {
	l := newDeviceLimiter(100, 200)
	now := time.Unix(1_700_000_000, 0)
	require.Nil(t, l.precheck("new", 200, now), "no bucket yet: nothing to judge")
	require.Empty(t, l.devices, "precheck creates no bucket")

	_, e := l.take("a", 150, now)
	require.Nil(t, e)
	require.Nil(t, l.precheck("a", 50, now))
	e = l.precheck("a", 100, now)
	require.NotNil(t, e)
	require.Equal(t, ReasonRateLimited, e.Reason)
	require.Equal(t, int64(1), e.RetryAfterSeconds, "50 missing tokens at 100/s")
	require.Nil(t, l.precheck("a", 201, now), "too large is take's refusal")
	for range 10 {
		require.NotNil(t, l.precheck("a", 100, now))
	}
	_, e = l.take("a", 50, now)
	require.Nil(t, e, "prechecks took nothing")
	require.Nil(t, l.precheck("a", 100, now.Add(time.Second)), "tokens come back with time")
}
