package gateway_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/chainview"
	"github.com/trustedge/trustedge/node/gateway"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// countingChain is the real chain view, counting the reads the gateway
// makes through it.
type countingChain struct {
	*chainview.View
	streams, devices, access atomic.Int64
}

func (c *countingChain) Stream(ctx context.Context, id string) (streamtypes.Stream, error) {
	c.streams.Add(1)
	return c.View.Stream(ctx, id)
}

func (c *countingChain) Device(ctx context.Context, id string) (devicetypes.Device, error) {
	c.devices.Add(1)
	return c.View.Device(ctx, id)
}

func (c *countingChain) Allowed(ctx context.Context, subject, action, resource string) (bool, error) {
	c.access.Add(1)
	return c.View.Allowed(ctx, subject, action, resource)
}

// TestChainReadsCached: within one height the stream, device and access
// decision are read once however many batches arrive (unknown streams
// too); a new block drops the cache.
func TestChainReadsCached(t *testing.T) {
	e := newEnv(t)
	d := e.addDevice("cached", devicetypes.KEY_TYPE_ED25519, e.home)
	counted := &countingChain{View: e.view}
	gw := gateway.New(gateway.Config{Operator: e.home.Operator.String()}, e.store, counted)
	e.h = gw.Handler()

	for b := 0; b < 5; b++ {
		requireOK(t, e.postJSON(e.signedBatch(d, d.Key, uint64(b*10+1), 10)))
	}
	for range 3 {
		requireRefused(t, e.get("/v1/streams/unknown/head"), 404, gateway.ReasonNotFound)
	}
	require.Equal(t, int64(2), counted.streams.Load(), "the stream and the unknown stream, once each")
	require.Equal(t, int64(1), counted.devices.Load())
	require.Equal(t, int64(1), counted.access.Load())

	e.chain.NextBlock()
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 51, 10)))
	require.Equal(t, int64(3), counted.streams.Load())
	require.Equal(t, int64(2), counted.devices.Load())
	require.Equal(t, int64(2), counted.access.Load())
}
