package gateway

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// deviceLimiter is one token bucket per device, counted in readings (not
// requests): a device may batch as it likes, its data rate is what is
// bounded. Buckets are created on a device's first accepted signature and
// kept for the process's life (about 100 bytes each; a node hosts its own
// devices only).
type deviceLimiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	devices map[string]*rate.Limiter
}

func newDeviceLimiter(perSecond float64, burst int) *deviceLimiter {
	return &deviceLimiter{rate: rate.Limit(perSecond), burst: burst, devices: map[string]*rate.Limiter{}}
}

func (l *deviceLimiter) limiter(device string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.devices[device]
	if !ok {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.devices[device] = lim
	}
	return lim
}

// take removes n tokens from device's bucket, or refuses and leaves the
// bucket as it was: a refused batch costs the device nothing, so its retry
// after Retry-After succeeds.
// On success it returns the reservation, so a batch the store then refuses
// (replay, gap) can give its tokens back with refund.
func (l *deviceLimiter) take(device string, n int, now time.Time) (*rate.Reservation, *Error) {
	if n > l.burst {
		return nil, newError(ReasonTooLarge, "batch of %d readings exceeds this node's per-device burst of %d readings; split it", n, l.burst)
	}
	r := l.limiter(device).ReserveN(now, n)
	if !r.OK() {
		return nil, newError(ReasonTooLarge, "batch of %d readings exceeds this node's per-device burst of %d readings; split it", n, l.burst)
	}
	wait := r.DelayFrom(now)
	if wait <= 0 {
		return r, nil
	}
	r.CancelAt(now)
	return nil, l.overRate(device, wait)
}

// precheck refuses, before any signature is verified, a batch the device's
// bucket cannot cover now, so a device over its rate costs the node no
// verification (up to 10,000 per batch). It only reads the bucket: it takes
// nothing and creates no bucket, so an unsigned request can neither drain a
// real device's tokens nor grow the table; take, after the signatures, is
// what spends.
func (l *deviceLimiter) precheck(device string, n int, now time.Time) *Error {
	l.mu.Lock()
	lim, ok := l.devices[device]
	l.mu.Unlock()
	if !ok || n > l.burst {
		return nil
	}
	missing := float64(n) - lim.TokensAt(now)
	if missing <= 0 {
		return nil
	}
	return l.overRate(device, time.Duration(missing/float64(l.rate)*float64(time.Second)))
}

func (l *deviceLimiter) overRate(device string, wait time.Duration) *Error {
	e := newError(ReasonRateLimited, "device %q is over its rate of %g readings/s; retry in %s", device, float64(l.rate), wait.Round(time.Millisecond))
	e.RetryAfterSeconds = int64(math.Ceil(wait.Seconds()))
	return e
}

// refund gives a reservation's tokens back (a batch that was not stored).
func refund(r *rate.Reservation, now time.Time) {
	if r != nil {
		r.CancelAt(now)
	}
}
