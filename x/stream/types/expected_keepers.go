package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// DeviceKeeper is the part of x/device this module needs.
type DeviceKeeper interface {
	// GetDevice returns a device, or an error wrapping x/device's ErrDeviceNotFound.
	GetDevice(ctx context.Context, id string) (devicetypes.Device, error)
}

// AccessKeeper is the x/access decision function.
type AccessKeeper interface {
	// Check decides whether subject may do action on resource now. An error
	// means no decision (bad subject, store failure): callers refuse.
	Check(ctx context.Context, subject, action, resource string) (accesstypes.Decision, error)
}

// EdgeKeeper is the part of x/edge this module needs.
type EdgeKeeper interface {
	// GetNode returns the node run by operator, or an error wrapping
	// x/edge's ErrNodeNotFound.
	GetNode(ctx context.Context, operator sdk.AccAddress) (edgetypes.EdgeNode, error)
	// NodeOfSender resolves an epoch commitment's sender to the node it
	// commits for (its own, or the node that named it committer); found is
	// false if it is neither.
	NodeOfSender(ctx context.Context, sender sdk.AccAddress) (operator sdk.AccAddress, node edgetypes.EdgeNode, found bool, err error)
	// IsAuthority reports whether addr (bech32) is the consortium authority.
	IsAuthority(ctx context.Context, addr string) (bool, error)
}

// Actions this module asks x/access about.
const (
	// ActionCreate lets an account create the stream named by the resource.
	ActionCreate = "create"
	// ActionWrite lets an account record readings on the stream (naive path)
	// and, at the gateway, send batches for it.
	ActionWrite = "write"
)

// AccountSubject is the x/access subject of an account.
func AccountSubject(bech32 string) string { return "account:" + bech32 }

// StreamResource is the x/access resource of a stream.
func StreamResource(id string) string { return "stream/" + id }
