package keeper_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/types"
)

func TestGrant(t *testing.T) {
	f := newFixture(t)
	streamAdmin, deviceAdmin, stranger := f.addr("stream-admin"), f.addr("device-admin"), f.addr("stranger")
	alice := f.addr("alice")
	f.mustSetAdmin("stream", streamAdmin)
	f.mustSetAdmin("device", deviceAdmin)
	f.mustCreateRole(f.authority, "ops", "read", "write")

	g := func(granter, subject, resource string, exp *time.Time, actions ...string) func() error {
		return func() error { _, err := f.grant(granter, subject, resource, exp, actions...); return err }
	}
	f.rejects(t, types.ErrInvalidAddress, g("cosmos1x", alice, "stream/a", nil, "read"))
	f.rejects(t, types.ErrUnauthorized, g(stranger, alice, "stream/a", nil, "read"))
	f.rejects(t, types.ErrUnauthorized, g(deviceAdmin, alice, "stream/a", nil, "read"))
	f.rejects(t, types.ErrUnauthorized, g(deviceAdmin, alice, "stream/*", nil, "read"))
	f.rejects(t, types.ErrInvalidResource, g(f.authority, alice, "stream/a*b", nil, "read"))
	f.rejects(t, types.ErrInvalidResource, g(f.authority, alice, "stream/", nil, "read"))
	f.rejects(t, types.ErrInvalidResource, g(f.authority, alice, "*", nil, "read"))
	f.rejects(t, types.ErrInvalidResource, g(f.authority, alice, "Stream/a", nil, "read"))
	f.rejects(t, types.ErrInvalidSubject, g(f.authority, "group:x", "stream/a", nil, "read"))
	f.rejects(t, types.ErrInvalidSubject, g(f.authority, "cosmos1xyz", "stream/a", nil, "read"))
	f.rejects(t, types.ErrInvalidAction, g(f.authority, alice, "stream/a", nil, "Read"))
	f.rejects(t, types.ErrInvalidAction, g(f.authority, alice, "stream/a", nil))
	f.rejects(t, types.ErrInvalidAction, g(f.authority, "device:cam-1", "stream/a", nil))
	f.rejects(t, types.ErrRoleNotFound, g(f.authority, "role:ghost", "stream/a", nil))
	f.rejects(t, types.ErrInvalidExpiry, g(f.authority, alice, "stream/a", ptime(t0), "read"))
	f.rejects(t, types.ErrInvalidExpiry, g(f.authority, alice, "stream/a", ptime(t0.Add(-time.Hour)), "read"))

	// The authority grants: id 1, canonical subject, sorted actions, indexed.
	f.resetEvents()
	id, err := f.grant(f.authority, strings.ToUpper(alice), "stream/a", nil, "write", "read")
	require.NoError(t, err)
	require.Equal(t, uint64(1), id)
	want := types.Grant{
		Id: 1, Subject: "account:" + alice, Resource: "stream/a", Actions: []string{"read", "write"},
		Granter: f.authority, CreatedHeight: 10,
	}
	got, err := f.k.Grants.Get(f.ctx, 1)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, []uint64{1}, f.bySubject("account:"+alice))
	require.Equal(t, []uint64{1}, f.byResource("stream/a"))
	require.Empty(t, f.expiryQueue())
	ev, raw := onlyEvent[*types.EventGranted](f)
	require.Equal(t, want, ev.Grant)
	require.Contains(t, raw["grant"], `"id":"1"`)
	require.Contains(t, raw["grant"], `"resource":"stream/a"`)

	// The same set of actions again, in any order or expiry, is a duplicate.
	f.rejects(t, types.ErrDuplicateGrant, g(f.authority, alice, "stream/a", nil, "read", "write", "read"))
	f.rejects(t, types.ErrDuplicateGrant, g(streamAdmin, "account:"+alice, "stream/a", ptime(t0.Add(time.Hour)), "write", "read"))

	// A namespace admin grants in its own namespace, with an expiry 1ns after now.
	f.resetEvents()
	exp := t0.Add(time.Nanosecond)
	id, err = f.grant(streamAdmin, alice, "stream/*", &exp, "read")
	require.NoError(t, err)
	require.Equal(t, uint64(2), id)
	got, err = f.k.Grants.Get(f.ctx, 2)
	require.NoError(t, err)
	require.Equal(t, streamAdmin, got.Granter)
	require.True(t, exp.Equal(*got.ExpiresAt))
	require.Equal(t, []collections.Pair[time.Time, uint64]{collections.Join(exp, uint64(2))}, f.expiryQueue())
	require.Equal(t, []uint64{1, 2}, f.bySubject("account:"+alice))
	require.Equal(t, []uint64{2}, f.byResource("stream/*"))
	onlyEvent[*types.EventGranted](f)

	// Other actions on the same resource are a separate grant; so is a role grant without actions.
	require.Equal(t, uint64(3), f.mustGrant(alice, "stream/a", nil, "admin"))
	require.Equal(t, uint64(4), f.mustGrant("role:ops", "device/*", nil))
	require.Equal(t, uint64(5), f.mustGrant("device:cam-1", "stream/cam-1", nil, "*"))
	g4, err := f.k.Grants.Get(f.ctx, 4)
	require.NoError(t, err)
	require.Empty(t, g4.Actions)
	next, err := f.k.NextGrantID.Peek(f.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(6), next)
}

func TestGrantPerSubjectLimit(t *testing.T) {
	f := newFixture(t)
	alice := f.acct("alice")
	for i := range types.MaxGrantsPerSubject {
		id := f.mustGrant(alice, fmt.Sprintf("stream/s%d", i), nil, "read")
		require.Equal(t, uint64(i+1), id)
	}
	require.Len(t, f.bySubject(alice), types.MaxGrantsPerSubject)
	f.rejects(t, types.ErrTooManyGrants, func() error {
		_, err := f.grant(f.authority, f.addr("alice"), "stream/one-more", nil, "read")
		return err
	})
	// Another subject is not affected; revoking one frees a slot.
	f.mustGrant(f.acct("bob"), "stream/s0", nil, "read")
	_, err := f.msg.Revoke(f.ctx, &types.MsgRevoke{Sender: f.authority, GrantId: 1})
	require.NoError(t, err)
	f.mustGrant(alice, "stream/one-more", nil, "read")
}

func TestRevoke(t *testing.T) {
	f := newFixture(t)
	streamAdmin, deviceAdmin, stranger := f.addr("stream-admin"), f.addr("device-admin"), f.addr("stranger")
	f.mustSetAdmin("stream", streamAdmin)
	f.mustSetAdmin("device", deviceAdmin)
	alice := f.acct("alice")
	exp := t0.Add(time.Hour)
	id := f.mustGrant(alice, "stream/*", &exp, "read")
	keep := f.mustGrant(alice, "stream/a", &exp, "write")

	revoke := func(sender string, id uint64) func() error {
		return func() error {
			_, err := f.msg.Revoke(f.ctx, &types.MsgRevoke{Sender: sender, GrantId: id})
			return err
		}
	}
	f.rejects(t, types.ErrGrantNotFound, revoke(f.authority, 99))
	f.rejects(t, types.ErrGrantNotFound, revoke(f.authority, 0))
	f.rejects(t, types.ErrInvalidAddress, revoke("edge1nope", id))
	f.rejects(t, types.ErrUnauthorized, revoke(stranger, id))
	f.rejects(t, types.ErrUnauthorized, revoke(deviceAdmin, id))

	f.resetEvents()
	require.NoError(t, revoke(streamAdmin, id)())
	has, err := f.k.Grants.Has(f.ctx, id)
	require.NoError(t, err)
	require.False(t, has)
	require.Equal(t, []uint64{keep}, f.bySubject(alice))
	require.Empty(t, f.byResource("stream/*"))
	require.Equal(t, []collections.Pair[time.Time, uint64]{collections.Join(exp, keep)}, f.expiryQueue())
	ev, raw := onlyEvent[*types.EventRevoked](f)
	require.Equal(t, types.EventRevoked{GrantId: id, Subject: alice, Resource: "stream/*", By: streamAdmin}, *ev)
	require.Equal(t, `"1"`, raw["grant_id"])

	f.rejects(t, types.ErrGrantNotFound, revoke(f.authority, id))
	require.NoError(t, revoke(f.authority, keep)())
	require.Empty(t, f.grantIDs())
	require.Empty(t, f.expiryQueue())
	require.Empty(t, f.bySubject(alice))
	// Ids are not reused.
	require.Equal(t, uint64(3), f.mustGrant(alice, "stream/*", nil, "read"))
}

func TestSetNamespaceAdmin(t *testing.T) {
	f := newFixture(t)
	admin, stranger := f.addr("admin"), f.addr("stranger")
	set := func(authority, ns, adm string, enabled bool) func() error {
		return func() error {
			_, err := f.msg.SetNamespaceAdmin(f.ctx, &types.MsgSetNamespaceAdmin{
				Authority: authority, Namespace: ns, Admin: adm, Enabled: enabled,
			})
			return err
		}
	}
	f.rejects(t, types.ErrUnauthorized, set(stranger, "stream", admin, true))
	f.rejects(t, types.ErrUnauthorized, set(admin, "stream", admin, true))
	f.rejects(t, types.ErrInvalidAddress, set("cosmos1bad", "stream", admin, true))
	f.rejects(t, types.ErrInvalidNamespace, set(f.authority, "Stream", admin, true))
	f.rejects(t, types.ErrInvalidNamespace, set(f.authority, "", admin, true))
	f.rejects(t, types.ErrInvalidAddress, set(f.authority, "stream", "nope", true))

	has := func(ns string) bool {
		ok, err := f.k.NamespaceAdmins.Has(f.ctx, collections.Join(ns, sdk.AccAddress(addrBytes("admin"))))
		require.NoError(t, err)
		return ok
	}
	f.resetEvents()
	require.NoError(t, set(f.authority, "stream", admin, true)())
	require.True(t, has("stream"))
	require.False(t, has("device"))
	ev, raw := onlyEvent[*types.EventNamespaceAdminSet](f)
	require.Equal(t, types.EventNamespaceAdminSet{Namespace: "stream", Admin: admin, Enabled: true, By: f.authority}, *ev)
	require.Equal(t, "true", raw["enabled"])

	// An admin may not appoint admins, even in its own namespace.
	f.rejects(t, types.ErrUnauthorized, set(admin, "stream", stranger, true))

	// Now it grants in stream; after removal it cannot.
	f.mustGrant(f.acct("x"), "stream/a", nil, "read") // authority
	_, err := f.grant(admin, f.acct("y"), "stream/a", nil, "read")
	require.NoError(t, err)

	f.resetEvents()
	require.NoError(t, set(f.authority, "stream", admin, false)())
	require.False(t, has("stream"))
	ev, _ = onlyEvent[*types.EventNamespaceAdminSet](f)
	require.False(t, ev.Enabled)
	f.rejects(t, types.ErrUnauthorized, func() error {
		_, err := f.grant(admin, f.acct("z"), "stream/a", nil, "read")
		return err
	})

	// A change that changes nothing is refused (it would log one).
	f.rejects(t, types.ErrAdminUnchanged, set(f.authority, "stream", admin, false))
	require.NoError(t, set(f.authority, "device", admin, true)())
	f.rejects(t, types.ErrAdminUnchanged, set(f.authority, "device", admin, true))
	// Spelled in upper case (bech32 is case-insensitive), it is the same
	// admin, and the event names it canonically.
	f.rejects(t, types.ErrAdminUnchanged, set(f.authority, "device", strings.ToUpper(admin), true))
	f.resetEvents()
	require.NoError(t, set(f.authority, "device", strings.ToUpper(admin), false)())
	ev, _ = onlyEvent[*types.EventNamespaceAdminSet](f)
	require.Equal(t, admin, ev.Admin)
}

// TestGrantStoresCanonicalGranter: a granter spelled in upper case is
// stored and reported in canonical (lower-case) bech32.
func TestGrantStoresCanonicalGranter(t *testing.T) {
	f := newFixture(t)
	admin := f.addr("admin")
	f.mustSetAdmin("stream", admin)
	id, err := f.grant(strings.ToUpper(admin), f.acct("alice"), "stream/a", nil, "read")
	require.NoError(t, err)
	g, err := f.k.Grants.Get(f.ctx, id)
	require.NoError(t, err)
	require.Equal(t, admin, g.Granter)
}

// TestRegrantAfterExpiryBeforePruning: a grant whose expiry block time has
// come no longer decides anything, even while EndBlocker has yet to prune
// it. It neither blocks an identical new grant (say, one with a later
// expiry) nor counts toward the per-subject limit.
func TestRegrantAfterExpiryBeforePruning(t *testing.T) {
	f := newFixture(t)
	alice := f.acct("alice")
	exp := t0.Add(time.Hour)
	old := f.mustGrant(alice, "stream/a", &exp, "read")
	for i := 1; i < types.MaxGrantsPerSubject; i++ {
		f.mustGrant(alice, fmt.Sprintf("stream/s%d", i), &exp, "read")
	}
	// While live: an identical grant is a duplicate, one more is too many.
	f.rejects(t, types.ErrDuplicateGrant, func() error {
		_, err := f.grant(f.authority, alice, "stream/a", nil, "read")
		return err
	})
	f.rejects(t, types.ErrTooManyGrants, func() error {
		_, err := f.grant(f.authority, alice, "stream/b", nil, "read")
		return err
	})

	f.at(exp) // expired; not pruned (no EndBlocker has run)
	has, err := f.k.Grants.Has(f.ctx, old)
	require.NoError(t, err)
	require.True(t, has, "the expired grant is still in state")
	later := exp.Add(24 * time.Hour)
	renewed := f.mustGrant(alice, "stream/a", &later, "read")
	require.Greater(t, renewed, old)
	f.mustGrant(alice, "stream/b", nil, "read")
	d, err := f.k.Check(f.ctx, alice, "read", "stream/a")
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Equal(t, renewed, d.Grant.Id)
}
