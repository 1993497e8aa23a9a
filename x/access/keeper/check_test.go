package keeper_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/access/types"
)

// spec is one grant, made as the authority, in order: the i-th has id i+1.
type spec struct {
	subject, resource string
	actions           []string
	exp               *time.Time
}

// checkWorld makes roles ops [read write], viewers [read], all [*]; alice
// is in ops and viewers, device:cam-1 in ops; bob is in none.
func checkWorld(t *testing.T, grants []spec) *fixture {
	f := newFixture(t)
	f.mustCreateRole(f.authority, "ops", "read", "write")
	f.mustCreateRole(f.authority, "viewers", "read")
	f.mustCreateRole(f.authority, "all", "*")
	f.mustAddMember("ops", f.acct("alice"))
	f.mustAddMember("viewers", f.acct("alice"))
	f.mustAddMember("ops", "device:cam-1")
	for i, g := range grants {
		id := f.mustGrant(g.subject, g.resource, g.exp, g.actions...)
		require.Equal(t, uint64(i+1), id)
	}
	return f
}

func TestCheck(t *testing.T) {
	nf := newFixture(t) // only for addresses
	alice, bob := nf.acct("alice"), nf.acct("bob")
	hour := t0.Add(time.Hour)
	a := func(actions ...string) []string { return actions }

	cases := []struct {
		name                      string
		grants                    []spec
		at                        time.Time // zero: t0
		subject, action, resource string
		want                      uint64 // deciding grant id; 0 = denied
		viaRole                   string
	}{
		{name: "deny by default", subject: alice, action: "read", resource: "stream/a"},
		{name: "exact", grants: []spec{{alice, "stream/a", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/a", want: 1},
		{name: "exact does not cover a longer id", grants: []spec{{alice, "stream/a", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/ab"},
		{name: "wildcard", grants: []spec{{alice, "stream/*", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/a/b", want: 1},
		{name: "prefix wildcard misses", grants: []spec{{alice, "stream/lab-*", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/lab3"},
		{name: "other namespace", grants: []spec{{alice, "device/*", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/a"},
		{name: "action not granted", grants: []spec{{alice, "stream/a", a("read"), nil}},
			subject: alice, action: "write", resource: "stream/a"},
		{name: "* grants any action", grants: []spec{{alice, "stream/a", a("*"), nil}},
			subject: alice, action: "actuate", resource: "stream/a", want: 1},
		{name: "asking for * needs *", grants: []spec{{alice, "stream/a", a("read", "write"), nil}},
			subject: alice, action: "*", resource: "stream/a"},
		{name: "bare address subject", grants: []spec{{alice, "stream/a", a("read"), nil}},
			subject: nf.addr("alice"), action: "read", resource: "stream/a", want: 1},
		{name: "another subject's grant", grants: []spec{{bob, "stream/*", a("*"), nil}},
			subject: alice, action: "read", resource: "stream/a"},
		{name: "role grant uses the role's actions", grants: []spec{{"role:ops", "stream/*", nil, nil}},
			subject: alice, action: "write", resource: "stream/a", want: 1, viaRole: "ops"},
		{name: "role grant: action outside the role", grants: []spec{{"role:ops", "stream/*", nil, nil}},
			subject: alice, action: "admin", resource: "stream/a"},
		{name: "role grant with explicit actions uses those", grants: []spec{{"role:ops", "stream/*", a("admin"), nil}},
			subject: alice, action: "admin", resource: "stream/a", want: 1, viaRole: "ops"},
		{name: "explicit actions replace the role's", grants: []spec{{"role:ops", "stream/*", a("admin"), nil}},
			subject: alice, action: "read", resource: "stream/a"},
		{name: "role of * actions", grants: []spec{{"role:all", "stream/*", nil, nil}, {alice, "device/x", a("read"), nil}},
			subject: alice, action: "actuate", resource: "stream/a"}, // alice is not in "all"
		{name: "device via role", grants: []spec{{"role:ops", "device/*", nil, nil}},
			subject: "device:cam-1", action: "read", resource: "device/cam-1", want: 1, viaRole: "ops"},
		{name: "non-member gets nothing from a role", grants: []spec{{"role:ops", "stream/*", nil, nil}},
			subject: bob, action: "read", resource: "stream/a"},
		{name: "role subject checked directly", grants: []spec{{"role:ops", "stream/*", nil, nil}},
			subject: "role:ops", action: "write", resource: "stream/a", want: 1},
		{name: "direct before role even if less specific", grants: []spec{
			{"role:ops", "stream/a", nil, nil}, {alice, "stream/*", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/a", want: 2},
		{name: "role decides when the direct grant lacks the action", grants: []spec{
			{"role:ops", "stream/a", nil, nil}, {alice, "stream/*", a("read"), nil}},
			subject: alice, action: "write", resource: "stream/a", want: 1, viaRole: "ops"},
		{name: "exact before wildcard", grants: []spec{
			{alice, "stream/*", a("read"), nil}, {alice, "stream/a", a("read"), nil}, {alice, "stream/a*", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/a", want: 2},
		{name: "longer prefix before shorter", grants: []spec{
			{alice, "stream/*", a("read"), nil}, {alice, "stream/ab*", a("read"), nil}, {alice, "stream/a*", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/abc", want: 2},
		{name: "lower id on a tie", grants: []spec{
			{alice, "stream/a", a("read", "write"), nil}, {alice, "stream/a", a("read"), nil}},
			subject: alice, action: "read", resource: "stream/a", want: 1},
		{name: "more specific role beats another role", grants: []spec{
			{"role:ops", "stream/*", nil, nil}, {"role:viewers", "stream/a", nil, nil}},
			subject: alice, action: "read", resource: "stream/a", want: 2, viaRole: "viewers"},
		{name: "live just before expiry", grants: []spec{{alice, "stream/a", a("read"), &hour}},
			at: hour.Add(-time.Nanosecond), subject: alice, action: "read", resource: "stream/a", want: 1},
		{name: "expired exactly at expiry", grants: []spec{{alice, "stream/a", a("read"), &hour}},
			at: hour, subject: alice, action: "read", resource: "stream/a"},
		{name: "expired specific grant falls back to wildcard", grants: []spec{
			{alice, "stream/*", a("read"), nil}, {alice, "stream/a", a("read"), &hour}},
			at: hour, subject: alice, action: "read", resource: "stream/a", want: 1},
		{name: "expired role grant ignored", grants: []spec{{"role:ops", "stream/*", nil, &hour}},
			at: hour.Add(time.Minute), subject: alice, action: "read", resource: "stream/a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := checkWorld(t, tc.grants)
			if !tc.at.IsZero() {
				f.at(tc.at)
			}
			d, err := f.k.Check(f.ctx, tc.subject, tc.action, tc.resource)
			require.NoError(t, err)
			if tc.want == 0 {
				require.False(t, d.Allowed)
				require.Nil(t, d.Grant)
				require.Empty(t, d.ViaRole)
				require.Contains(t, d.Reason, "no live grant allows "+tc.action+" on "+tc.resource)
				require.ErrorIs(t, f.k.Authorize(f.ctx, tc.subject, tc.action, tc.resource), types.ErrAccessDenied)
				return
			}
			require.True(t, d.Allowed, d.Reason)
			stored, err := f.k.Grants.Get(f.ctx, tc.want)
			require.NoError(t, err)
			require.Equal(t, &stored, d.Grant)
			require.Equal(t, tc.viaRole, d.ViaRole)
			require.NoError(t, f.k.Authorize(f.ctx, tc.subject, tc.action, tc.resource))
		})
	}
}

func TestCheckInvalidInputs(t *testing.T) {
	f := checkWorld(t, []spec{{"role:ops", "stream/*", nil, nil}})
	alice := f.acct("alice")
	cases := []struct {
		subject, action, resource string
		err                       error
	}{
		{"group:x", "read", "stream/a", types.ErrInvalidSubject},
		{"", "read", "stream/a", types.ErrInvalidSubject},
		{alice, "", "stream/a", types.ErrInvalidAction},
		{alice, "Read", "stream/a", types.ErrInvalidAction},
		{alice, "read", "stream/*", types.ErrInvalidResource},
		{alice, "read", "stream/", types.ErrInvalidResource},
		{alice, "read", "stream", types.ErrInvalidResource},
		{alice, "read", "", types.ErrInvalidResource},
	}
	for _, tc := range cases {
		_, err := f.k.Check(f.ctx, tc.subject, tc.action, tc.resource)
		require.ErrorIs(t, err, tc.err, "%q %q %q", tc.subject, tc.action, tc.resource)
		err = f.k.Authorize(f.ctx, tc.subject, tc.action, tc.resource)
		require.ErrorIs(t, err, tc.err)
		require.NotErrorIs(t, err, types.ErrAccessDenied)
	}
}

func TestHasLiveGrant(t *testing.T) {
	hour := t0.Add(time.Hour)
	f := checkWorld(t, nil)
	carol := f.acct("carol") // direct grant, expiring
	dave := f.acct("dave")   // in a role with an expiring grant
	f.mustCreateRole(f.authority, "temps", "read")
	f.mustAddMember("temps", dave)
	f.mustGrant(carol, "stream/a", &hour, "read")
	f.mustGrant("role:temps", "stream/*", &hour)
	f.mustGrant("role:ops", "device/*", nil)
	f.mustGrant(f.acct("erin"), "task/x", nil, "create")

	live := func(seed string) bool {
		ok, err := f.k.HasLiveGrant(f.ctx, addrBytes(seed))
		require.NoError(t, err)
		return ok
	}
	require.True(t, live("erin"), "direct")
	require.True(t, live("alice"), "via role ops")
	require.True(t, live("carol"), "direct, not yet expired")
	require.True(t, live("dave"), "via role, not yet expired")
	require.False(t, live("bob"), "nothing")
	require.False(t, live("authority"), "the authority holds no grant")

	f.at(hour)
	require.False(t, live("carol"), "expired exactly at expiry")
	require.False(t, live("dave"), "role grant expired")
	require.True(t, live("alice"))
	require.True(t, live("erin"))
}

// TestHasLiveGrantMatchesGrants: through random grants (with and without
// expiry), revocations, time steps and expiry pruning, HasLiveGrant (one
// horizon read) answers exactly what walking the subject's grants and
// roles answers.
func TestHasLiveGrantMatchesGrants(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(7, 11))
	seeds := []string{"s0", "s1", "s2", "s3"}
	f.mustCreateRole(f.authority, "crew", "read")
	f.mustAddMember("crew", f.acct("s3"))
	subjects := append([]string{"role:crew"}, f.acct("s0"), f.acct("s1"), f.acct("s2"), f.acct("s3"))

	// brute is the definition: some grant of the subject, or of a role it
	// is in, has no expiry or expires after now.
	brute := func(seed string) bool {
		now := f.ctx.BlockTime()
		liveOf := func(subject string) bool {
			for _, id := range f.bySubject(subject) {
				g, err := f.k.Grants.Get(f.ctx, id)
				require.NoError(t, err)
				if g.ExpiresAt == nil || now.Before(*g.ExpiresAt) {
					return true
				}
			}
			return false
		}
		return liveOf(f.acct(seed)) || (seed == "s3" && liveOf("role:crew"))
	}
	for step := 0; step < 400; step++ {
		switch op := rng.IntN(10); {
		case op < 5:
			var exp *time.Time
			if rng.IntN(3) > 0 {
				e := f.ctx.BlockTime().Add(time.Duration(1+rng.IntN(20)) * time.Minute)
				exp = &e
			}
			res := fmt.Sprintf("stream/%d", step)
			f.mustGrant(subjects[rng.IntN(len(subjects))], res, exp, "read")
		case op < 7:
			if ids := f.grantIDs(); len(ids) > 0 {
				_, err := f.msg.Revoke(f.ctx, &types.MsgRevoke{Sender: f.authority, GrantId: ids[rng.IntN(len(ids))]})
				require.NoError(t, err)
			}
		case op < 9:
			f.at(f.ctx.BlockTime().Add(time.Duration(rng.IntN(7)) * time.Minute))
		default:
			require.NoError(t, f.k.EndBlocker(f.ctx))
		}
		for _, seed := range seeds {
			got, err := f.k.HasLiveGrant(f.ctx, addrBytes(seed))
			require.NoError(t, err)
			require.Equal(t, brute(seed), got, "step %d, %s", step, seed)
		}
	}
}

// TestRebuildGrantHorizons: state from before horizons existed (grants, no
// horizons) gets exactly the horizons the grants imply from the 1 -> 2
// migration, and the ante gate's answers with them.
func TestRebuildGrantHorizons(t *testing.T) {
	f := newFixture(t)
	later := t0.Add(time.Hour)
	f.mustGrant(f.acct("a"), "stream/x", &later, "read")
	f.mustGrant(f.acct("a"), "stream/y", nil, "read")
	f.mustGrant(f.acct("b"), "stream/z", &later, "read")
	f.mustCreateRole(f.authority, "crew", "read")
	f.mustAddMember("crew", f.acct("c"))
	f.mustGrant("role:crew", "stream/*", &later)
	want := f.horizons()
	require.Len(t, want, 3)

	require.NoError(t, f.k.GrantHorizons.Clear(f.ctx, nil))
	ok, err := f.k.HasLiveGrant(f.ctx, addrBytes("a"))
	require.NoError(t, err)
	require.False(t, ok, "without horizons the gate refuses: why the migration is needed")

	require.NoError(t, f.k.RebuildGrantHorizons(f.ctx))
	require.Equal(t, want, f.horizons())
	for _, seed := range []string{"a", "b", "c"} {
		ok, err := f.k.HasLiveGrant(f.ctx, addrBytes(seed))
		require.NoError(t, err)
		require.True(t, ok, seed)
	}
}

func (f *fixture) horizons() map[string]int64 {
	out := map[string]int64{}
	require.NoError(f.tb, f.k.GrantHorizons.Walk(f.ctx, nil, func(s string, h int64) (bool, error) {
		out[s] = h
		return false, nil
	}))
	return out
}
