package testutil

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/core/address"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
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

// FakeEdge is an x/edge stand-in: a set of operator addresses and one
// consortium authority.
type FakeEdge struct {
	ac        address.Codec
	operators map[string]struct{}
	authority sdk.AccAddress
}

var _ types.EdgeKeeper = (*FakeEdge)(nil)

// NewFakeEdge has the given authority and no operators.
func NewFakeEdge(ac address.Codec, authority sdk.AccAddress) *FakeEdge {
	return &FakeEdge{ac: ac, operators: map[string]struct{}{}, authority: authority}
}

// AddOperator registers an edge node operator.
func (e *FakeEdge) AddOperator(addr sdk.AccAddress) { e.operators[string(addr)] = struct{}{} }

// RemoveOperator removes an edge node operator.
func (e *FakeEdge) RemoveOperator(addr sdk.AccAddress) { delete(e.operators, string(addr)) }

// IsOperator implements types.EdgeKeeper.
func (e *FakeEdge) IsOperator(_ context.Context, addr sdk.AccAddress) (bool, error) {
	_, ok := e.operators[string(addr)]
	return ok, nil
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
