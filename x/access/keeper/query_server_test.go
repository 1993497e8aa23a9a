package keeper_test

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	"github.com/trustedge/trustedge/x/access/types"
)

func requireCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	require.Error(t, err)
	st, ok := status.FromError(err)
	require.True(t, ok, "not a gRPC status: %v", err)
	require.Equal(t, code, st.Code(), err.Error())
}

func grantIDsOf(gs []types.Grant) []uint64 {
	out := make([]uint64, len(gs))
	for i, g := range gs {
		out[i] = g.Id
	}
	return out
}

func TestQueryCheck(t *testing.T) {
	f := newFixture(t)
	alice := f.acct("alice")
	id := f.mustGrant(alice, "stream/*", nil, "read")

	res, err := f.q.Check(f.ctx, &types.QueryCheckRequest{Subject: f.addr("alice"), Action: "read", Resource: "stream/a"})
	require.NoError(t, err)
	require.True(t, res.Decision.Allowed)
	require.Equal(t, id, res.Decision.Grant.Id)

	res, err = f.q.Check(f.ctx, &types.QueryCheckRequest{Subject: alice, Action: "write", Resource: "stream/a"})
	require.NoError(t, err)
	require.False(t, res.Decision.Allowed)
	require.Nil(t, res.Decision.Grant)
	require.NotEmpty(t, res.Decision.Reason)

	_, err = f.q.Check(f.ctx, &types.QueryCheckRequest{Subject: alice, Action: "read", Resource: "stream/*"})
	requireCode(t, err, codes.InvalidArgument)
	_, err = f.q.Check(f.ctx, &types.QueryCheckRequest{Subject: "nobody", Action: "read", Resource: "stream/a"})
	requireCode(t, err, codes.InvalidArgument)
	_, err = f.q.Check(f.ctx, nil)
	requireCode(t, err, codes.InvalidArgument)
}

func TestQueryGrants(t *testing.T) {
	f := newFixture(t)
	alice, bob := f.acct("alice"), f.acct("bob")
	var mine []uint64
	for _, r := range []string{"stream/a", "stream/b", "stream/*", "device/x", "task/y"} {
		mine = append(mine, f.mustGrant(alice, r, nil, "read"))
		f.mustGrant(bob, r, nil, "read")
	}

	// Key pagination over the subject index, bare address accepted.
	var got []uint64
	var key []byte
	for page := 0; ; page++ {
		res, err := f.q.Grants(f.ctx, &types.QueryGrantsRequest{
			Subject: f.addr("alice"), Pagination: &query.PageRequest{Key: key, Limit: 2, CountTotal: page == 0},
		})
		require.NoError(t, err)
		require.LessOrEqual(t, len(res.Grants), 2)
		for _, g := range res.Grants {
			require.Equal(t, alice, g.Subject)
		}
		if page == 0 {
			require.Equal(t, uint64(5), res.Pagination.Total)
		}
		got = append(got, grantIDsOf(res.Grants)...)
		key = res.Pagination.NextKey
		if key == nil {
			require.Equal(t, 2, page, "three pages of 2, 2, 1")
			break
		}
	}
	require.Equal(t, mine, got)

	res, err := f.q.Grants(f.ctx, &types.QueryGrantsRequest{Subject: alice, Pagination: &query.PageRequest{Offset: 3, Limit: 10}})
	require.NoError(t, err)
	require.Equal(t, mine[3:], grantIDsOf(res.Grants))

	res, err = f.q.Grants(f.ctx, &types.QueryGrantsRequest{Subject: f.acct("carol")})
	require.NoError(t, err)
	require.Empty(t, res.Grants)

	_, err = f.q.Grants(f.ctx, &types.QueryGrantsRequest{Subject: "group:x"})
	requireCode(t, err, codes.InvalidArgument)
	_, err = f.q.Grants(f.ctx, nil)
	requireCode(t, err, codes.InvalidArgument)
}

func TestQueryGrantees(t *testing.T) {
	f := newFixture(t)
	a, b := f.acct("a"), f.acct("b")
	covering := map[string][]uint64{}
	for _, r := range []string{"stream/ab*", "stream/abc", "stream/*", "stream/a*", "stream/abc*"} {
		covering[r] = append(covering[r], f.mustGrant(a, r, nil, "read"))
		covering[r] = append(covering[r], f.mustGrant(b, r, nil, "write"))
	}
	// Patterns that do not cover stream/abc.
	for _, r := range []string{"stream/abd", "stream/abcd", "stream/abcd*", "stream/b*", "stream/abc/x", "device/*", "device/abc"} {
		f.mustGrant(a, r, nil, "read")
	}
	// Most specific pattern first (as PatternsMatching lists them), ids ascending within one.
	var want []uint64
	for _, p := range types.PatternsMatching("stream/abc") {
		want = append(want, covering[p]...)
	}
	require.Len(t, want, 10)

	res, err := f.q.Grantees(f.ctx, &types.QueryGranteesRequest{Resource: "stream/abc"})
	require.NoError(t, err)
	require.Equal(t, want, grantIDsOf(res.Grants))
	require.Equal(t, uint64(10), res.Pagination.Total)
	for _, g := range res.Grants {
		require.True(t, types.Matches(g.Resource, "stream/abc"), g.Resource)
	}

	// Offset pages.
	var got []uint64
	for off := uint64(0); off < 12; off += 4 {
		res, err := f.q.Grantees(f.ctx, &types.QueryGranteesRequest{
			Resource: "stream/abc", Pagination: &query.PageRequest{Offset: off, Limit: 4, CountTotal: true},
		})
		require.NoError(t, err)
		require.Equal(t, uint64(10), res.Pagination.Total)
		got = append(got, grantIDsOf(res.Grants)...)
	}
	require.Equal(t, want, got)

	res, err = f.q.Grantees(f.ctx, &types.QueryGranteesRequest{
		Resource: "stream/abc", Pagination: &query.PageRequest{Offset: 50, Limit: 4},
	})
	require.NoError(t, err)
	require.Empty(t, res.Grants)

	// A huge limit must not overflow offset+limit.
	res, err = f.q.Grantees(f.ctx, &types.QueryGranteesRequest{
		Resource: "stream/abc", Pagination: &query.PageRequest{Offset: 3, Limit: math.MaxUint64},
	})
	require.NoError(t, err)
	require.Equal(t, want[3:], grantIDsOf(res.Grants))

	res, err = f.q.Grantees(f.ctx, &types.QueryGranteesRequest{Resource: "task/none"})
	require.NoError(t, err)
	require.Empty(t, res.Grants)
	require.Equal(t, uint64(0), res.Pagination.Total)

	// Key pages, forwards and backwards, visit the same grants.
	require.Equal(t, want, granteesByKey(t, f, "stream/abc", 3, false))
	require.Equal(t, reversed(want), granteesByKey(t, f, "stream/abc", 3, true))
	require.Equal(t, reversed(want), granteesByKey(t, f, "stream/abc", 100, true))

	// A page without count_total and with a limit reports no total (as the SDK).
	res, err = f.q.Grantees(f.ctx, &types.QueryGranteesRequest{
		Resource: "stream/abc", Pagination: &query.PageRequest{Limit: 2},
	})
	require.NoError(t, err)
	require.Equal(t, want[:2], grantIDsOf(res.Grants))
	require.Zero(t, res.Pagination.Total)
	require.NotEmpty(t, res.Pagination.NextKey)

	for _, bad := range []*query.PageRequest{
		{Key: []byte{1}},                            // not a grantees key
		{Key: make([]byte, 10), Offset: 1},          // both
		{Key: []byte{0, 9, 0, 0, 0, 0, 0, 0, 0, 1}}, // pattern index past stream/abc's 9 patterns
		{Offset: pagebound.MaxOffset + 1},
	} {
		_, err = f.q.Grantees(f.ctx, &types.QueryGranteesRequest{Resource: "stream/abc", Pagination: bad})
		requireCode(t, err, codes.InvalidArgument)
	}
	_, err = f.q.Grantees(f.ctx, &types.QueryGranteesRequest{Resource: "stream/*"})
	requireCode(t, err, codes.InvalidArgument)
	_, err = f.q.Grantees(f.ctx, nil)
	requireCode(t, err, codes.InvalidArgument)
}

// granteesByKey pages through a resource's grantees by next_key.
func granteesByKey(t *testing.T, f *fixture, resource string, limit uint64, reverse bool) []uint64 {
	t.Helper()
	var ids []uint64
	var key []byte
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "paging does not end")
		res, err := f.q.Grantees(f.ctx, &types.QueryGranteesRequest{
			Resource: resource, Pagination: &query.PageRequest{Key: key, Limit: limit, Reverse: reverse},
		})
		require.NoError(t, err)
		require.LessOrEqual(t, uint64(len(res.Grants)), limit)
		ids = append(ids, grantIDsOf(res.Grants)...)
		if key = res.Pagination.NextKey; key == nil {
			return ids
		}
	}
}

func reversed(ids []uint64) []uint64 {
	out := make([]uint64, len(ids))
	for i, id := range ids {
		out[len(ids)-1-i] = id
	}
	return out
}

// One page costs the grants on it, not every grant covering the resource:
// anyone can ask a node, so a 1-item page over 500 grantees must cost about
// what it costs over one. Offsets walk index keys, not grants.
func TestGranteesPageReadsOnlyThePage(t *testing.T) {
	f := newFixture(t)
	gasFor := func(resource string, page *query.PageRequest) uint64 {
		gm := storetypes.NewInfiniteGasMeter()
		res, err := f.q.Grantees(f.ctx.WithGasMeter(gm), &types.QueryGranteesRequest{Resource: resource, Pagination: page})
		require.NoError(t, err)
		require.Len(t, res.Grants, 1)
		return gm.GasConsumed()
	}
	f.mustGrant(f.acct("solo"), "task/x", nil, "read")
	for i := 0; i < 500; i++ {
		f.mustGrant(f.acct(fmt.Sprintf("s%d", i)), "stream/*", nil, "read")
	}
	one := gasFor("task/x", &query.PageRequest{Limit: 1})
	many := gasFor("stream/x", &query.PageRequest{Limit: 1})
	deep := gasFor("stream/x", &query.PageRequest{Limit: 1, Offset: 400})
	t.Logf("gas for a 1-item page: 1 grantee %d, 500 grantees %d, at offset 400 %d", one, many, deep)
	require.Less(t, many, 2*one, "a page of 1 must not read all 500 grantees")
	// 400 skipped index keys cost far less than 400 grant reads (~1,000 gas each).
	require.Less(t, deep, many+400*200)

	// A limit above the cap is cut to it.
	res, err := f.q.Grantees(f.ctx, &types.QueryGranteesRequest{Resource: "stream/x", Pagination: &query.PageRequest{Limit: pagebound.MaxLimit + 1}})
	require.NoError(t, err)
	require.Len(t, res.Grants, 500)
}

func TestQueryGrant(t *testing.T) {
	f := newFixture(t)
	id := f.mustGrant(f.acct("a"), "stream/a", ptime(t0.Add(1e9)), "read")
	res, err := f.q.Grant(f.ctx, &types.QueryGrantRequest{Id: id})
	require.NoError(t, err)
	stored, err := f.k.Grants.Get(f.ctx, id)
	require.NoError(t, err)
	require.Equal(t, stored, res.Grant)

	_, err = f.q.Grant(f.ctx, &types.QueryGrantRequest{Id: id + 1})
	requireCode(t, err, codes.NotFound)
	_, err = f.q.Grant(f.ctx, &types.QueryGrantRequest{Id: 0})
	requireCode(t, err, codes.NotFound)
	_, err = f.q.Grant(f.ctx, nil)
	requireCode(t, err, codes.InvalidArgument)
}

func TestQueryRolesAndMembers(t *testing.T) {
	f := newFixture(t)
	f.mustCreateRole(f.authority, "viewers", "read")
	f.mustCreateRole(f.authority, "ops", "write", "read")
	f.mustCreateRole(f.authority, "admins", "*")
	f.mustAddMember("ops", "device:cam-2")
	f.mustAddMember("ops", f.addr("alice"))
	f.mustAddMember("ops", "device:cam-1")
	f.mustAddMember("viewers", "device:cam-1")

	res, err := f.q.Roles(f.ctx, &types.QueryRolesRequest{})
	require.NoError(t, err)
	require.Equal(t, []types.Role{
		{Name: "admins", Actions: []string{"*"}, Creator: f.authority},
		{Name: "ops", Actions: []string{"read", "write"}, Creator: f.authority},
		{Name: "viewers", Actions: []string{"read"}, Creator: f.authority},
	}, res.Roles)
	res, err = f.q.Roles(f.ctx, nil)
	require.NoError(t, err)
	require.Len(t, res.Roles, 3)
	res, err = f.q.Roles(f.ctx, &types.QueryRolesRequest{Pagination: &query.PageRequest{Limit: 2, CountTotal: true}})
	require.NoError(t, err)
	require.Len(t, res.Roles, 2)
	require.Equal(t, uint64(3), res.Pagination.Total)
	require.NotNil(t, res.Pagination.NextKey)

	mres, err := f.q.RoleMembers(f.ctx, &types.QueryRoleMembersRequest{Role: "ops"})
	require.NoError(t, err)
	require.Equal(t, []string{f.acct("alice"), "device:cam-1", "device:cam-2"}, mres.Members)
	mres, err = f.q.RoleMembers(f.ctx, &types.QueryRoleMembersRequest{Role: "ops", Pagination: &query.PageRequest{Offset: 1, Limit: 1}})
	require.NoError(t, err)
	require.Equal(t, []string{"device:cam-1"}, mres.Members)
	mres, err = f.q.RoleMembers(f.ctx, &types.QueryRoleMembersRequest{Role: "admins"})
	require.NoError(t, err)
	require.Empty(t, mres.Members)
	mres, err = f.q.RoleMembers(f.ctx, &types.QueryRoleMembersRequest{Role: "op"}) // a prefix of "ops"
	require.NoError(t, err)
	require.Empty(t, mres.Members)
	_, err = f.q.RoleMembers(f.ctx, nil)
	requireCode(t, err, codes.InvalidArgument)
}

func TestQueryNamespaceAdmins(t *testing.T) {
	f := newFixture(t)
	res, err := f.q.NamespaceAdmins(f.ctx, &types.QueryNamespaceAdminsRequest{})
	require.NoError(t, err)
	require.Empty(t, res.Admins)

	x, y := f.addr("x"), f.addr("y")
	f.mustSetAdmin("stream", x)
	f.mustSetAdmin("stream", y)
	f.mustSetAdmin("device", y)
	require.NoError(t, f.setAdmin("task", x, true))
	require.NoError(t, f.setAdmin("task", x, false))

	// Ordered by namespace, then address bytes.
	first, second := x, y
	if bytes.Compare(addrBytes("x"), addrBytes("y")) > 0 {
		first, second = y, x
	}
	res, err = f.q.NamespaceAdmins(f.ctx, nil)
	require.NoError(t, err)
	require.Equal(t, []types.NamespaceAdmin{
		{Namespace: "device", Admin: y},
		{Namespace: "stream", Admin: first},
		{Namespace: "stream", Admin: second},
	}, res.Admins)
}
