package testutil

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// ErrAccessDenied is what FakeAccess returns; the real x/access returns its
// own registered ErrAccessDenied.
var ErrAccessDenied = errors.New("fake access: access denied")

// FakeAccess is an x/access stand-in: a set of allowed (subject, action,
// resource) triples, matched exactly. Deny by default.
type FakeAccess struct {
	allowed map[[3]string]struct{}
}

var _ types.AccessKeeper = (*FakeAccess)(nil)

// NewFakeAccess denies everything until Allow is called.
func NewFakeAccess() *FakeAccess { return &FakeAccess{allowed: map[[3]string]struct{}{}} }

// Allow lets subject do action on resource.
func (a *FakeAccess) Allow(subject, action, resource string) {
	a.allowed[[3]string{subject, action, resource}] = struct{}{}
}

// Deny takes a permission away again.
func (a *FakeAccess) Deny(subject, action, resource string) {
	delete(a.allowed, [3]string{subject, action, resource})
}

// Authorize implements types.AccessKeeper.
func (a *FakeAccess) Authorize(_ context.Context, subject, action, resource string) error {
	if _, ok := a.allowed[[3]string{subject, action, resource}]; ok {
		return nil
	}
	return fmt.Errorf("%w: %s may not %s %s", ErrAccessDenied, subject, action, resource)
}

// AllowAll is an AccessKeeper that allows everything (benchmarks).
type AllowAll struct{}

// Authorize implements types.AccessKeeper.
func (AllowAll) Authorize(context.Context, string, string, string) error { return nil }

// FakeEdge is an x/edge stand-in: operator addresses with their node's
// status, and one consortium authority.
type FakeEdge struct {
	ac        address.Codec
	operators map[string]edgetypes.NodeStatus
	authority sdk.AccAddress
}

var _ types.EdgeKeeper = (*FakeEdge)(nil)

// NewFakeEdge has the given authority and no operators.
func NewFakeEdge(ac address.Codec, authority sdk.AccAddress) *FakeEdge {
	return &FakeEdge{ac: ac, operators: map[string]edgetypes.NodeStatus{}, authority: authority}
}

// AddOperator registers an active edge node operator.
func (e *FakeEdge) AddOperator(addr sdk.AccAddress) {
	e.operators[string(addr)] = edgetypes.NODE_STATUS_ACTIVE
}

// SetNodeStatus changes the status of a registered operator's node (e.g.
// NODE_STATUS_JAILED).
func (e *FakeEdge) SetNodeStatus(addr sdk.AccAddress, st edgetypes.NodeStatus) {
	e.operators[string(addr)] = st
}

// RemoveOperator removes an edge node operator.
func (e *FakeEdge) RemoveOperator(addr sdk.AccAddress) { delete(e.operators, string(addr)) }

// GetNode implements types.EdgeKeeper like x/edge: an unknown operator is
// an error wrapping edgetypes.ErrNodeNotFound.
func (e *FakeEdge) GetNode(_ context.Context, addr sdk.AccAddress) (edgetypes.EdgeNode, error) {
	st, ok := e.operators[string(addr)]
	if !ok {
		return edgetypes.EdgeNode{}, errorsmod.Wrapf(edgetypes.ErrNodeNotFound, "%s", addr)
	}
	op, err := e.ac.BytesToString(addr)
	if err != nil {
		return edgetypes.EdgeNode{}, err
	}
	return edgetypes.EdgeNode{Operator: op, Status: st}, nil
}

// IsAuthority implements types.EdgeKeeper like x/edge: an undecodable
// address is an error.
func (e *FakeEdge) IsAuthority(_ context.Context, addr string) (bool, error) {
	bz, err := e.ac.StringToBytes(addr)
	if err != nil {
		return false, err
	}
	return sdk.AccAddress(bz).Equals(e.authority), nil
}
