package cmd

import (
	"context"
	"math/bits"
	"sync"
	"time"

	"github.com/trustedge/trustedge/node/device"
)

// devsimTick is how often a device wakes to emit the readings due: fine
// enough to look continuous, coarse enough for thousands of devices.
const devsimTick = 10 * time.Millisecond

// runGenerators runs one generator per device until ctx ends. Device i of n
// has produced dueReadings(elapsed, rate, n, i) readings at any time: the
// devices' shares of the total rate add up exactly to rate.
func runGenerators(ctx context.Context, cfg devsimConfig, devs []simDevice, batchers []*device.Batcher, start time.Time) {
	var wg sync.WaitGroup
	for i, d := range devs {
		gen := simKinds[d.kind].newGen(deviceRand(cfg.seed, d.deviceID))
		wg.Add(1)
		go func() {
			defer wg.Done()
			generate(ctx, gen, batchers[i], cfg.rate, len(devs), i, start)
		}()
	}
	wg.Wait()
}

// generate feeds one device's readings to its Batcher at its share of the
// rate. A reading's time is when it became due.
func generate(ctx context.Context, gen valueGen, b *device.Batcher, rate, n, i int, start time.Time) {
	t := time.NewTicker(devsimTick)
	defer t.Stop()
	var sent uint64
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			due := dueReadings(now.Sub(start), rate, n, i)
			for ; sent < due; sent++ {
				at := start.Add(dueTime(sent, rate, n))
				if err := b.Add(at, gen.next(at)); err != nil {
					return // closed: only after ctx ended
				}
				if ctx.Err() != nil {
					return
				}
			}
		}
	}
}

// dueReadings is how many readings device i of n has due after elapsed at
// a total of rate readings/s: floor(r·(i+1)/n) − floor(r·i/n) with
// r = elapsed·rate, so the n devices' counts always sum to floor(r).
func dueReadings(elapsed time.Duration, rate, n, i int) uint64 {
	if elapsed <= 0 {
		return 0
	}
	us := uint64(elapsed / time.Microsecond)
	upTo := func(k int) uint64 {
		return mulDiv(us*uint64(rate), uint64(k), uint64(n)*1e6)
	}
	return upTo(i+1) - upTo(i)
}

// dueTime approximates when a device's reading number k (from 0) became
// due: each device's share is rate/n readings/s.
func dueTime(k uint64, rate, n int) time.Duration {
	return time.Duration(mulDiv(k, uint64(n)*uint64(time.Second), uint64(rate)))
}

// mulDiv is a·b/d without overflowing the product.
func mulDiv(a, b, d uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= d {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, d)
	return q
}
