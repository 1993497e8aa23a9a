package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/x/access/types"
)

// benchWorld: alice holds 16 direct grants and is in 3 roles of 16 grants
// each, so Check reads 64 grants; bob is only in the roles; carol has nothing.
func benchWorld(b *testing.B) *fixture {
	f := newFixture(b)
	alice := f.acct("alice")
	for i := range 16 {
		f.mustGrant(alice, fmt.Sprintf("stream/d%d", i), nil, "read")
	}
	for r := range 3 {
		role := fmt.Sprintf("r%d", r)
		f.mustCreateRole(f.authority, role, "read", "write")
		f.mustAddMember(role, alice)
		f.mustAddMember(role, f.acct("bob"))
		for i := range 16 {
			f.mustGrant("role:"+role, fmt.Sprintf("device/%s-%d*", role, i), nil)
		}
	}
	f.commit()
	return f
}

func BenchmarkCheck(b *testing.B) {
	f := benchWorld(b)
	alice := f.acct("alice")
	for _, bc := range []struct {
		name, action, resource string
		allowed                bool
	}{
		{"direct", "read", "stream/d7", true},
		{"via-role", "write", "device/r2-15x", true},
		{"denied", "admin", "task/none", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d, err := f.k.Check(f.ctx, alice, bc.action, bc.resource)
			require.NoError(b, err)
			require.Equal(b, bc.allowed, d.Allowed)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.k.Check(f.ctx, alice, bc.action, bc.resource); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHasLiveGrant(b *testing.B) {
	f := benchWorld(b)
	for _, bc := range []struct {
		name, seed string
		want       bool
	}{
		{"direct", "alice", true},
		{"via-role", "bob", true},
		{"none", "carol", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			addr := addrBytes(bc.seed)
			ok, err := f.k.HasLiveGrant(f.ctx, addr)
			require.NoError(b, err)
			require.Equal(b, bc.want, ok)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.k.HasLiveGrant(f.ctx, addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGranteesPage: 1,000 grants on stream/*, one 100-grant page of
// stream/x at the start, past a 900-grant offset, and by next_key. It reports
// gas per page: a page costs its grants plus one index key per skipped grant.
func BenchmarkGranteesPage(b *testing.B) {
	f := newFixture(b)
	for i := range 1000 {
		f.mustGrant(f.acct(fmt.Sprintf("s%d", i)), "stream/*", nil, "read")
	}
	f.commit()
	first, err := f.q.Grantees(f.ctx, &types.QueryGranteesRequest{Resource: "stream/x", Pagination: &query.PageRequest{Limit: 100}})
	require.NoError(b, err)
	for _, bc := range []struct {
		name string
		page *query.PageRequest
	}{
		{"first", &query.PageRequest{Limit: 100}},
		{"offset-900", &query.PageRequest{Limit: 100, Offset: 900}},
		{"next-key", &query.PageRequest{Limit: 100, Key: first.Pagination.NextKey}},
		{"count-total", &query.PageRequest{Limit: 100, CountTotal: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := &types.QueryGranteesRequest{Resource: "stream/x", Pagination: bc.page}
			gm := storetypes.NewInfiniteGasMeter()
			res, err := f.q.Grantees(f.ctx.WithGasMeter(gm), req)
			require.NoError(b, err)
			require.Len(b, res.Grants, 100)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.q.Grantees(f.ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			// After the loop: b.Loop's first call clears reported metrics.
			b.ReportMetric(float64(gm.GasConsumed()), "gas/page")
		})
	}
}
