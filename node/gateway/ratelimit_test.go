package gateway

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDeviceLimiter(t *testing.T) {
	l := newDeviceLimiter(100, 200) // 100 readings/s, bucket of 200
	now := time.Unix(1_700_000_000, 0)

	require.Nil(t, l.take("a", 150, now))
	e := l.take("a", 100, now)
	require.NotNil(t, e, "only 50 tokens left")
	require.Equal(t, ReasonRateLimited, e.Reason)
	require.Equal(t, int64(1), e.RetryAfterSeconds, "50 missing tokens at 100/s is 0.5 s, rounded up")
	require.Contains(t, e.Message, `device "a"`)

	// The refusal took nothing: the 50 tokens are still there.
	require.Nil(t, l.take("a", 50, now))
	require.NotNil(t, l.take("a", 1, now))

	// Another device has its own bucket.
	require.Nil(t, l.take("b", 200, now))

	// Tokens come back with time.
	require.Nil(t, l.take("a", 100, now.Add(time.Second)))

	// A batch larger than the bucket can never pass: too_large, not a wait.
	e = l.take("c", 201, now)
	require.NotNil(t, e)
	require.Equal(t, ReasonTooLarge, e.Reason)
	require.Zero(t, e.RetryAfterSeconds)
}
