package keeper_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/access/types"
)

func TestCreateRole(t *testing.T) {
	f := newFixture(t)
	admin, stranger := f.addr("admin"), f.addr("stranger")

	f.rejects(t, types.ErrUnauthorized, func() error { return f.createRole(stranger, "ops", "read") })
	f.rejects(t, types.ErrInvalidAddress, func() error { return f.createRole("cosmos1bad", "ops", "read") })
	f.rejects(t, types.ErrInvalidAddress, func() error { return f.createRole("", "ops", "read") })
	f.rejects(t, types.ErrInvalidRole, func() error { return f.createRole(f.authority, "Ops", "read") })
	f.rejects(t, types.ErrInvalidRole, func() error { return f.createRole(f.authority, "", "read") })
	f.rejects(t, types.ErrInvalidRole, func() error { return f.createRole(f.authority, strings.Repeat("o", 33), "read") })
	f.rejects(t, types.ErrInvalidRole, func() error { return f.createRole(f.authority, "ops") })
	f.rejects(t, types.ErrInvalidAction, func() error { return f.createRole(f.authority, "ops", "read", "Write") })

	// The authority creates; actions are sorted and de-duplicated.
	f.resetEvents()
	require.NoError(t, f.createRole(f.authority, "ops", "write", "read", "write"))
	want := types.Role{Name: "ops", Actions: []string{"read", "write"}, Creator: f.authority}
	got, err := f.k.Roles.Get(f.ctx, "ops")
	require.NoError(t, err)
	require.Equal(t, want, got)
	ev, raw := onlyEvent[*types.EventRoleCreated](f)
	require.Equal(t, want, ev.Role)
	require.Contains(t, raw["role"], `"name":"ops"`)

	f.rejects(t, types.ErrRoleExists, func() error { return f.createRole(f.authority, "ops", "admin") })

	// A namespace admin (of any namespace) may create roles too.
	f.rejects(t, types.ErrUnauthorized, func() error { return f.createRole(admin, "cams", "read") })
	f.mustSetAdmin("device", admin)
	f.resetEvents()
	require.NoError(t, f.createRole(admin, "cams", "read"))
	got, err = f.k.Roles.Get(f.ctx, "cams")
	require.NoError(t, err)
	require.Equal(t, admin, got.Creator)
	onlyEvent[*types.EventRoleCreated](f)

	// Disabling the admin takes the right away.
	require.NoError(t, f.setAdmin("device", admin, false))
	f.rejects(t, types.ErrUnauthorized, func() error { return f.createRole(admin, "cams2", "read") })
}

func TestDeleteRole(t *testing.T) {
	f := newFixture(t)
	admin, other, alice := f.addr("admin"), f.addr("other"), f.acct("alice")
	f.mustSetAdmin("stream", admin)
	f.mustSetAdmin("stream", other)
	f.mustCreateRole(admin, "ops", "read")
	f.mustAddMember("ops", alice)
	f.mustAddMember("ops", "device:cam-1")
	f.mustCreateRole(f.authority, "viewers", "read")
	f.mustAddMember("viewers", alice)

	f.rejects(t, types.ErrRoleNotFound, func() error {
		_, err := f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: f.authority, Name: "ghost"})
		return err
	})
	f.rejects(t, types.ErrInvalidAddress, func() error {
		_, err := f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: "x", Name: "ops"})
		return err
	})
	// Another namespace admin is not the creator.
	f.rejects(t, types.ErrUnauthorized, func() error {
		_, err := f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: other, Name: "ops"})
		return err
	})
	// In use by a grant, even an expired one not yet pruned.
	id := f.mustGrant("role:ops", "stream/*", ptime(t0.Add(1)))
	f.at(t0.Add(time.Second))
	f.rejects(t, types.ErrRoleInUse, func() error {
		_, err := f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: admin, Name: "ops"})
		return err
	})
	_, err := f.msg.Revoke(f.ctx, &types.MsgRevoke{Sender: f.authority, GrantId: id})
	require.NoError(t, err)

	// The creator deletes: the role and both membership sets go, other roles stay.
	f.resetEvents()
	_, err = f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: admin, Name: "ops"})
	require.NoError(t, err)
	has, err := f.k.Roles.Has(f.ctx, "ops")
	require.NoError(t, err)
	require.False(t, has)
	require.Empty(t, f.membersOf("ops"))
	require.Equal(t, []string{"viewers"}, f.rolesOfMember(alice))
	require.Empty(t, f.rolesOfMember("device:cam-1"))
	require.Equal(t, []string{alice}, f.membersOf("viewers"))
	// One EventRoleMemberRemoved per member (in key order), then the deletion.
	evs := f.ctx.EventManager().Events().ToABCIEvents()
	require.Len(t, evs, 3, "events: %v", evs)
	require.Equal(t, "trustedge.access.v1.EventRoleDeleted", evs[2].Type)
	removed := eventsOf[*types.EventRoleMemberRemoved](f)
	require.Len(t, removed, 2)
	gone := []types.EventRoleMemberRemoved{*removed[0], *removed[1]}
	require.ElementsMatch(t, []types.EventRoleMemberRemoved{
		{Role: "ops", Member: alice, By: admin},
		{Role: "ops", Member: "device:cam-1", By: admin},
	}, gone)
	deleted := eventsOf[*types.EventRoleDeleted](f)
	require.Equal(t, types.EventRoleDeleted{Name: "ops", By: admin}, *deleted[0])
	require.Equal(t, `"ops"`, attrs(evs[2])["name"])

	// The authority may delete any role.
	_, err = f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: f.authority, Name: "viewers"})
	require.NoError(t, err)
	require.Empty(t, f.rolesOfMember(alice))
	// The name is free again.
	f.mustCreateRole(f.authority, "ops", "write")
}

func TestAddRemoveRoleMember(t *testing.T) {
	f := newFixture(t)
	admin, other := f.addr("admin"), f.addr("other")
	alice := f.addr("alice")
	f.mustSetAdmin("stream", admin)
	f.mustSetAdmin("stream", other)
	f.mustCreateRole(admin, "ops", "read")
	f.mustCreateRole(f.authority, "viewers", "read")

	add := func(sender, role, member string) func() error {
		return func() error { return f.addMember(sender, role, member) }
	}
	remove := func(sender, role, member string) func() error {
		return func() error {
			_, err := f.msg.RemoveRoleMember(f.ctx, &types.MsgRemoveRoleMember{Sender: sender, Role: role, Member: member})
			return err
		}
	}

	f.rejects(t, types.ErrRoleNotFound, add(f.authority, "ghost", alice))
	f.rejects(t, types.ErrInvalidAddress, add("nope", "ops", alice))
	f.rejects(t, types.ErrUnauthorized, add(other, "ops", alice))
	f.rejects(t, types.ErrUnauthorized, add(admin, "viewers", alice)) // not its creator
	f.rejects(t, types.ErrInvalidSubject, add(admin, "ops", "role:viewers"))
	f.rejects(t, types.ErrInvalidSubject, add(admin, "ops", "device:"))
	f.rejects(t, types.ErrInvalidSubject, add(admin, "ops", "cosmos1xyz"))

	// The creator adds a bare address: stored canonical, in both sets.
	f.resetEvents()
	require.NoError(t, f.addMember(admin, "ops", strings.ToUpper(alice)))
	require.Equal(t, []string{"account:" + alice}, f.membersOf("ops"))
	require.Equal(t, []string{"ops"}, f.rolesOfMember("account:"+alice))
	ev, raw := onlyEvent[*types.EventRoleMemberAdded](f)
	require.Equal(t, types.EventRoleMemberAdded{Role: "ops", Member: "account:" + alice, By: admin}, *ev)
	require.Equal(t, `"account:`+alice+`"`, raw["member"])

	f.rejects(t, types.ErrAlreadyMember, add(admin, "ops", "account:"+alice))
	f.rejects(t, types.ErrAlreadyMember, add(f.authority, "ops", alice))
	require.NoError(t, f.addMember(f.authority, "ops", "device:cam-1"))
	require.NoError(t, f.addMember(f.authority, "viewers", alice))
	require.Equal(t, []string{"account:" + alice, "device:cam-1"}, f.membersOf("ops"))

	f.rejects(t, types.ErrRoleNotFound, remove(f.authority, "ghost", alice))
	f.rejects(t, types.ErrUnauthorized, remove(other, "ops", alice))
	f.rejects(t, types.ErrNotMember, remove(admin, "ops", "device:cam-2"))
	f.rejects(t, types.ErrInvalidSubject, remove(admin, "ops", "role:viewers"))

	f.resetEvents()
	require.NoError(t, remove(admin, "ops", alice)())
	require.Equal(t, []string{"device:cam-1"}, f.membersOf("ops"))
	require.Equal(t, []string{"viewers"}, f.rolesOfMember("account:"+alice))
	rev, _ := onlyEvent[*types.EventRoleMemberRemoved](f)
	require.Equal(t, types.EventRoleMemberRemoved{Role: "ops", Member: "account:" + alice, By: admin}, *rev)
	f.rejects(t, types.ErrNotMember, remove(admin, "ops", alice))

	// The authority manages any role.
	require.NoError(t, remove(f.authority, "ops", "device:cam-1")())
	require.Empty(t, f.membersOf("ops"))
	require.Empty(t, f.rolesOfMember("device:cam-1"))
}

// TestRoleCreatorSpelling: the creator is one account however its address
// is spelled (bech32 is case-insensitive and the SDK accepts either case).
func TestRoleCreatorSpelling(t *testing.T) {
	f := newFixture(t)
	admin := f.addr("admin")
	f.mustSetAdmin("stream", admin)
	f.mustCreateRole(strings.ToUpper(admin), "ops", "read")
	require.NoError(t, f.addMember(admin, "ops", "device:cam-1"))
	_, err := f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: admin, Name: "ops"})
	require.NoError(t, err)
}

// A member's role count is bounded so Check's cost stays bounded.
func TestAddRoleMemberTooManyRoles(t *testing.T) {
	f := newFixture(t)
	member := f.acct("busy")
	for i := 0; i < types.MaxRolesPerMember; i++ {
		name := fmt.Sprintf("r%02d", i)
		f.mustCreateRole(f.authority, name, "read")
		f.mustAddMember(name, member)
	}
	f.mustCreateRole(f.authority, "one-more", "read")
	f.rejects(t, types.ErrTooManyRoles, func() error { return f.addMember(f.authority, "one-more", member) })
	require.Len(t, f.rolesOfMember(member), types.MaxRolesPerMember)
}

// TestDemotedAdminLosesItsRoles: a role's creator manages it only while it
// is a namespace admin. Once the authority removes it, it can no longer add
// members (itself included) to a role the authority granted on; the
// authority still can, and the creator regains it if made admin again.
func TestDemotedAdminLosesItsRoles(t *testing.T) {
	f := newFixture(t)
	admin, mallory := f.addr("admin"), f.acct("mallory")
	f.mustSetAdmin("stream", admin)
	f.mustCreateRole(admin, "ops", "*")
	f.mustGrant(types.RoleSubject("ops"), "device/*", nil)
	require.NoError(t, f.addMember(admin, "ops", f.acct("bob")))

	require.NoError(t, f.setAdmin("stream", admin, false))
	f.rejects(t, types.ErrUnauthorized, func() error { return f.addMember(admin, "ops", mallory) })
	f.rejects(t, types.ErrUnauthorized, func() error { return f.addMember(admin, "ops", types.AccountSubject(admin)) })
	f.rejects(t, types.ErrUnauthorized, func() error {
		_, err := f.msg.RemoveRoleMember(f.ctx, &types.MsgRemoveRoleMember{Sender: admin, Role: "ops", Member: f.acct("bob")})
		return err
	})
	d, err := f.k.Check(f.ctx, mallory, "admin", "device/x")
	require.NoError(t, err)
	require.False(t, d.Allowed)

	f.mustAddMember("ops", mallory) // the authority
	f.mustSetAdmin("device", admin) // admin of any namespace again
	require.NoError(t, f.addMember(admin, "ops", f.acct("carol")))
}
