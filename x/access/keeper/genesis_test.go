package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/access/types"
)

func TestDefaultGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Equal(t, types.DefaultGenesis(), gs)
	require.Equal(t, uint64(1), f.mustGrant(f.acct("a"), "stream/a", nil, "read"))
}

// populate builds state through the Msg service: admins, roles made by the
// authority and by an admin, members, grants with and without expiry, and
// a revoked grant so next_grant_id is past the highest id.
func populate(t *testing.T, f *fixture) {
	streamAdmin, deviceAdmin := f.addr("stream-admin"), f.addr("device-admin")
	f.mustSetAdmin("stream", streamAdmin)
	f.mustSetAdmin("device", deviceAdmin)
	f.mustCreateRole(f.authority, "ops", "read", "write")
	f.mustCreateRole(deviceAdmin, "cams", "actuate", "read")
	f.mustAddMember("ops", f.acct("alice"))
	f.mustAddMember("ops", "device:cam-1")
	require.NoError(t, f.addMember(deviceAdmin, "cams", f.addr("bob")))
	f.mustGrant("role:ops", "stream/*", nil)
	f.mustGrant("role:cams", "device/cam-*", ptime(t0.Add(2*time.Hour)), "actuate")
	f.mustGrant(f.acct("alice"), "stream/pm25", ptime(t0.Add(time.Hour)), "admin")
	revoked := f.mustGrant(f.acct("bob"), "task/x", nil, "create")
	f.mustGrant("device:cam-1", "device/cam-1", ptime(t0.Add(time.Hour)), "*")
	_, err := f.msg.Revoke(f.ctx, &types.MsgRevoke{Sender: f.authority, GrantId: revoked})
	require.NoError(t, err)
}

func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	populate(t, f)

	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate(f.ac))
	require.Len(t, gs.Roles, 2)
	require.Len(t, gs.RoleMembers, 3)
	require.Len(t, gs.NamespaceAdmins, 2)
	require.Len(t, gs.Grants, 4)
	require.Equal(t, uint64(6), gs.NextGrantId)

	// Through JSON, as the app exports and imports.
	bz, err := f.cdc.MarshalJSON(gs)
	require.NoError(t, err)
	var imported types.GenesisState
	require.NoError(t, f.cdc.UnmarshalJSON(bz, &imported))

	g := newBareFixture(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, &imported))
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)
	// Every table, index and the expiry queue are rebuilt byte for byte.
	require.Equal(t, f.expiryQueue(), g.expiryQueue())
	require.Len(t, g.expiryQueue(), 3)
	require.Equal(t, f.dump(), g.dump())

	// The imported state decides like the original, before and after expiries.
	subjects := []string{f.acct("alice"), f.acct("bob"), "device:cam-1", "device:cam-2", "role:ops", f.acct("nobody")}
	actions := []string{"read", "write", "admin", "actuate", "create"}
	resources := []string{"stream/pm25", "stream/x", "device/cam-1", "device/cam-9", "task/x"}
	allowed := 0
	for _, at := range []time.Time{t0, t0.Add(time.Hour), t0.Add(3 * time.Hour)} {
		f.at(at)
		g.at(at)
		for _, s := range subjects {
			for _, a := range actions {
				for _, r := range resources {
					d1, err := f.k.Check(f.ctx, s, a, r)
					require.NoError(t, err)
					d2, err := g.k.Check(g.ctx, s, a, r)
					require.NoError(t, err)
					require.Equal(t, d1, d2, "%s %s %s at %s", s, a, r, at)
					if d1.Allowed {
						allowed++
					}
				}
			}
		}
	}
	require.Greater(t, allowed, 10, "the comparison covers allowed decisions")

	// Ids continue from next_grant_id, not from the highest id.
	require.Equal(t, uint64(6), g.mustGrant(g.acct("carol"), "stream/y", nil, "read"))
}

func TestInitGenesisRejectsInvalid(t *testing.T) {
	g := newBareFixture(t)
	gs := &types.GenesisState{
		Roles:       []types.Role{{Name: "ops", Actions: []string{"read"}, Creator: g.authority}},
		RoleMembers: []types.RoleMember{{Role: "ghost", Member: g.acct("a")}},
		NextGrantId: 1,
	}
	err := g.k.InitGenesis(g.ctx, gs)
	require.ErrorIs(t, err, types.ErrInvalidGenesis)
	require.Empty(t, g.dump(), "nothing written")
}

// TestGenesisExpiredGrantPruned: a grant already expired at import is
// ignored by Check and pruned by the first EndBlocker.
func TestGenesisExpiredGrantPruned(t *testing.T) {
	g := newBareFixture(t)
	past := t0.Add(-time.Hour)
	alice := g.acct("alice")
	gs := &types.GenesisState{
		Grants: []types.Grant{
			{Id: 3, Subject: alice, Resource: "stream/a", Actions: []string{"read"}, Granter: g.authority, ExpiresAt: &past},
			{Id: 7, Subject: alice, Resource: "stream/b", Actions: []string{"read"}, Granter: g.authority},
		},
		NextGrantId: 8,
	}
	require.NoError(t, g.k.InitGenesis(g.ctx, gs))
	d, err := g.k.Check(g.ctx, alice, "read", "stream/a")
	require.NoError(t, err)
	require.False(t, d.Allowed)
	require.NoError(t, g.k.EndBlocker(g.ctx))
	require.Equal(t, []uint64{7}, g.grantIDs())
	require.Empty(t, g.expiryQueue())
	require.Len(t, eventsOf[*types.EventGrantExpired](g), 1)
}
