package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// AccessKeeper is the x/access decision function.
type AccessKeeper interface {
	// Authorize returns nil if subject may do action on resource, else an
	// error wrapping the access module's ErrAccessDenied.
	Authorize(ctx context.Context, subject, action, resource string) error
}

// EdgeKeeper is the part of x/edge this module needs.
type EdgeKeeper interface {
	// GetNode returns the node run by operator, or an error wrapping
	// x/edge's ErrNodeNotFound: a home node must be a registered node that
	// is not jailed.
	GetNode(ctx context.Context, operator sdk.AccAddress) (edgetypes.EdgeNode, error)
	// IsAuthority reports whether addr (bech32) is the consortium authority.
	IsAuthority(ctx context.Context, addr string) (bool, error)
}

// Subjects, actions and resources as x/access spells them.
const (
	// ActionRegister lets an account register the device named by the resource.
	ActionRegister = "register"
	// ActionAdmin lets an account suspend, resume and revoke the device.
	ActionAdmin = "admin"
)

// AccountSubject is the x/access subject of an account.
func AccountSubject(bech32 string) string { return "account:" + bech32 }

// DeviceSubject is the x/access subject of a device.
func DeviceSubject(id string) string { return "device:" + id }

// DeviceResource is the x/access resource of a device.
func DeviceResource(id string) string { return "device/" + id }
