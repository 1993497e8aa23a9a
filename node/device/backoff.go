package device

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff is exponential backoff with jitter: attempt n waits a random
// duration in [d/2, d], d = Initial·2^(n-1) capped at Max. The jitter keeps
// a fleet of devices from retrying in lock-step after a gateway restart.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

// DefaultBackoff is used when Config.Backoff is zero.
var DefaultBackoff = Backoff{Initial: 100 * time.Millisecond, Max: 5 * time.Second}

// Delay is the wait before retry number attempt (1 = first retry).
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Initial
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1) //nolint:gosec // jitter, not security
}

// sleep waits d or until ctx is done; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
