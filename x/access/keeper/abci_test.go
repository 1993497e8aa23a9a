package keeper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/access/types"
)

func TestEndBlockerPrunesExpired(t *testing.T) {
	f := newFixture(t)
	alice := f.acct("alice")
	f.mustCreateRole(f.authority, "ops", "read")
	soon, later := t0.Add(time.Minute), t0.Add(time.Hour)
	expiring := f.mustGrant(alice, "stream/a", &soon, "read")
	roleExpiring := f.mustGrant("role:ops", "stream/*", &soon)
	keepLater := f.mustGrant(alice, "stream/b", &later, "read")
	keepForever := f.mustGrant(alice, "stream/c", nil, "read")

	// Before expiry: nothing to do.
	f.at(soon.Add(-time.Nanosecond))
	require.NoError(t, f.k.EndBlocker(f.ctx))
	require.Empty(t, f.ctx.EventManager().Events())
	require.Equal(t, []uint64{expiring, roleExpiring, keepLater, keepForever}, f.grantIDs())

	// At expiry (expires_at == block time) both expiring grants go.
	f.at(soon)
	require.NoError(t, f.k.EndBlocker(f.ctx))
	require.Equal(t, []uint64{keepLater, keepForever}, f.grantIDs())
	require.Equal(t, []uint64{keepLater, keepForever}, f.bySubject(alice))
	require.Empty(t, f.bySubject("role:ops"))
	require.Empty(t, f.byResource("stream/a"))
	require.Len(t, f.expiryQueue(), 1)
	require.Equal(t, keepLater, f.expiryQueue()[0].K2())
	evs := eventsOf[*types.EventGrantExpired](f)
	require.Equal(t, []*types.EventGrantExpired{
		{GrantId: expiring, Subject: alice, Resource: "stream/a"},
		{GrantId: roleExpiring, Subject: "role:ops", Resource: "stream/*"},
	}, evs)
	raw := attrs(f.ctx.EventManager().Events().ToABCIEvents()[0])
	require.Equal(t, `"stream/a"`, raw["resource"])

	// With its grant pruned the role can be deleted.
	_, err := f.msg.DeleteRole(f.ctx, &types.MsgDeleteRole{Sender: f.authority, Name: "ops"})
	require.NoError(t, err)

	// Running again in the same block changes nothing.
	f.resetEvents()
	require.NoError(t, f.k.EndBlocker(f.ctx))
	require.Empty(t, f.ctx.EventManager().Events())

	f.at(later.Add(time.Hour))
	require.NoError(t, f.k.EndBlocker(f.ctx))
	require.Equal(t, []uint64{keepForever}, f.grantIDs())
	require.Empty(t, f.expiryQueue())
}

// TestEndBlockerBound: at most MaxExpiredPrunedPerBlock per block, oldest
// expiry first, the rest in the next block.
func TestEndBlockerBound(t *testing.T) {
	f := newFixture(t)
	const extra = 44
	total := types.MaxExpiredPrunedPerBlock + extra
	base := t0.Add(time.Minute)
	// Later grants expire earlier, so "oldest first" is not "lowest id first".
	expOf := map[uint64]time.Time{}
	for i := range total {
		subject := f.acct(fmt.Sprintf("s%d", i%4)) // 4 subjects stay under the per-subject limit
		exp := base.Add(time.Duration(total-i) * time.Millisecond)
		id := f.mustGrant(subject, fmt.Sprintf("stream/x%d", i), &exp, "read")
		expOf[id] = exp
	}
	live := f.mustGrant(f.acct("s0"), "stream/live", ptime(t0.Add(time.Hour)), "read")
	require.Len(t, f.expiryQueue(), total+1)

	f.at(base.Add(time.Second)) // every one of the total is due
	require.NoError(t, f.k.EndBlocker(f.ctx))
	evs := eventsOf[*types.EventGrantExpired](f)
	require.Len(t, evs, types.MaxExpiredPrunedPerBlock)
	var last time.Time
	for _, ev := range evs {
		exp := expOf[ev.GrantId]
		require.False(t, exp.Before(last), "pruned in expiry order")
		last = exp
	}
	remaining := f.grantIDs()
	require.Len(t, remaining, extra+1)
	// The remainder are those expiring last: the lowest ids.
	for _, id := range remaining[:extra] {
		require.False(t, expOf[id].Before(last), "grant %d expires before one already pruned", id)
	}
	require.Len(t, f.expiryQueue(), extra+1)

	f.at(base.Add(2 * time.Second))
	require.NoError(t, f.k.EndBlocker(f.ctx))
	require.Len(t, eventsOf[*types.EventGrantExpired](f), extra)
	require.Equal(t, []uint64{live}, f.grantIDs())
	require.Len(t, f.expiryQueue(), 1)
	for i := range 4 {
		subject := f.acct(fmt.Sprintf("s%d", i))
		if i == 0 {
			require.Equal(t, []uint64{live}, f.bySubject(subject))
		} else {
			require.Empty(t, f.bySubject(subject))
		}
	}
}
