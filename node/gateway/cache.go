package gateway

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"cosmossdk.io/collections"

	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// maxCacheEntries bounds each table of one height's cache, so a flood of
// requests for random ids within a block cannot grow memory without bound;
// past it, reads go to the chain uncached until the next block.
const maxCacheEntries = 100_000

// chainCache holds the chain reads of one height. Committed state cannot
// change within a height, so every read stays correct until Height moves;
// then the whole cache is replaced (heightCache.at), which is how a
// suspended device or a revoked grant takes effect at the next block.
// Negative answers (unknown stream or device, access denied) are cached
// too: they are as stable within a height as positive ones, and unknown ids
// are the cheapest thing to flood a gateway with.
type chainCache struct {
	height int64
	made   time.Time

	mu      sync.RWMutex
	streams map[string]streamEntry
	devices map[string]deviceEntry
	access  map[accessKey]bool
}

type streamEntry struct {
	stream streamtypes.Stream
	found  bool
}

type deviceEntry struct {
	device devicetypes.Device
	found  bool
}

type accessKey struct{ subject, action, resource string }

func newChainCache(height int64) *chainCache {
	return &chainCache{
		height:  height,
		made:    time.Now(),
		streams: map[string]streamEntry{},
		devices: map[string]deviceEntry{},
		access:  map[accessKey]bool{},
	}
}

// heightCache hands out the cache of the chain's current height.
type heightCache struct {
	chain Chain
	cur   atomic.Pointer[chainCache]
}

func newHeightCache(chain Chain) *heightCache {
	hc := &heightCache{chain: chain}
	hc.cur.Store(newChainCache(chain.Height()))
	return hc
}

// maxCacheAge bounds how long one height's cache is used: access answers
// depend on the clock as well as the state (grant expiry, see
// chainview.Allowed), so while the chain stalls on one height the answers
// are still refreshed, and an expired grant stops ingest within this time.
const maxCacheAge = 5 * time.Second

// at returns the cache for the chain's current height, replacing the
// previous one if a block was committed since (or it is older than
// maxCacheAge). A request uses the cache it
// got for its whole life: a read that races a commit lands in a cache that
// is already being replaced, never in the new one.
func (hc *heightCache) at() *chainCache {
	h := hc.chain.Height()
	c := hc.cur.Load()
	if c.height == h && time.Since(c.made) < maxCacheAge {
		return c
	}
	next := newChainCache(h)
	if hc.cur.CompareAndSwap(c, next) {
		return next
	}
	return hc.cur.Load()
}

// isNotFound reports whether a chain read failed because the id is
// unknown (as opposed to the chain being unavailable).
func isNotFound(err error) bool {
	return errors.Is(err, streamtypes.ErrStreamNotFound) ||
		errors.Is(err, devicetypes.ErrDeviceNotFound) ||
		errors.Is(err, collections.ErrNotFound)
}

// stream reads a stream through the cache. found is false for an unknown
// id; err is set only when the chain could not answer.
func (c *chainCache) stream(ctx context.Context, chain Chain, id string) (streamtypes.Stream, bool, error) {
	c.mu.RLock()
	e, ok := c.streams[id]
	c.mu.RUnlock()
	if ok {
		return e.stream, e.found, nil
	}
	s, err := chain.Stream(ctx, id)
	switch {
	case err == nil:
		e = streamEntry{stream: s, found: true}
	case isNotFound(err):
		e = streamEntry{}
	default:
		return streamtypes.Stream{}, false, err
	}
	c.mu.Lock()
	if len(c.streams) < maxCacheEntries {
		c.streams[id] = e
	}
	c.mu.Unlock()
	return e.stream, e.found, nil
}

// device reads a device through the cache, like stream.
func (c *chainCache) device(ctx context.Context, chain Chain, id string) (devicetypes.Device, bool, error) {
	c.mu.RLock()
	e, ok := c.devices[id]
	c.mu.RUnlock()
	if ok {
		return e.device, e.found, nil
	}
	d, err := chain.Device(ctx, id)
	switch {
	case err == nil:
		e = deviceEntry{device: d, found: true}
	case isNotFound(err):
		e = deviceEntry{}
	default:
		return devicetypes.Device{}, false, err
	}
	c.mu.Lock()
	if len(c.devices) < maxCacheEntries {
		c.devices[id] = e
	}
	c.mu.Unlock()
	return e.device, e.found, nil
}

// allowed reads an access decision through the cache.
func (c *chainCache) allowed(ctx context.Context, chain Chain, subject, action, resource string) (bool, error) {
	k := accessKey{subject, action, resource}
	c.mu.RLock()
	ok, hit := c.access[k]
	c.mu.RUnlock()
	if hit {
		return ok, nil
	}
	ok, err := chain.Allowed(ctx, subject, action, resource)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if len(c.access) < maxCacheEntries {
		c.access[k] = ok
	}
	c.mu.Unlock()
	return ok, nil
}
