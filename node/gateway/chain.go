package gateway

import (
	"context"

	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// Chain is what the gateway reads from the chain: node/chainview.View over
// the running app implements it. Reads are of the latest committed state;
// Height is the last committed height, and the gateway's cache of chain
// reads lives exactly as long as one height (see chainCache).
type Chain interface {
	// Height is the last committed block height. It is called on every
	// request, so it must be cheap.
	Height() int64
	ChainID() string
	// Stream and Device return an error that wraps the module's not-found
	// error (x/stream ErrStreamNotFound, x/device ErrDeviceNotFound) when
	// the id is unknown; any other error is treated as the chain being
	// unavailable.
	Stream(ctx context.Context, id string) (streamtypes.Stream, error)
	Device(ctx context.Context, id string) (devicetypes.Device, error)
	// Allowed is x/access Check: is subject allowed action on resource.
	Allowed(ctx context.Context, subject, action, resource string) (bool, error)
}

// Device signatures are checked with the key of the cached Device record
// (see verifySignatures), so the gateway needs no VerifyDeviceSignature
// from the chain.
