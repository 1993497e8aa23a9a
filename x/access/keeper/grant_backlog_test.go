package keeper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/trustedge/trustedge/x/access/types"
)

// EndBlocker prunes at most MaxExpiredPrunedPerBlock expired grants a
// block, chain-wide. A namespace admin granting short-lived grants to many
// subjects every block used to outrun it, and a subject piled up grants
// without bound (1,270 in this scenario), which every Check of that subject
// and EndBlocker's horizon walk then paid for. A grant now deletes its
// subject's expired grants itself: no subject holds more than
// MaxGrantsPerSubject grants, expired or not.
func TestExpiredGrantsCannotPileUp(t *testing.T) {
	f := newFixture(t)
	taskAdmin := f.addr("task-admin")
	f.mustSetAdmin("task", taskAdmin)
	victims := make([]string, 8)
	for i := range victims {
		victims[i] = f.acct(fmt.Sprintf("victim%d", i))
	}
	f.mustGrant(victims[0], "stream/real", nil, "read")

	n := 0
	for b := 0; b < 12; b++ {
		next := f.ctx.BlockTime().Add(5 * time.Second)
		for _, v := range victims {
			for i := 0; i < types.MaxGrantsPerSubject-1; i++ {
				n++
				_, err := f.grant(taskAdmin, v, fmt.Sprintf("task/x%d", n), &next, "create")
				require.NoError(t, err)
			}
		}
		require.NoError(t, f.k.EndBlocker(f.ctx))
		f.at(next)
	}
	for _, v := range victims {
		require.LessOrEqual(t, len(f.bySubject(v)), types.MaxGrantsPerSubject, "%s's grants in all", v)
	}
	// The real grant of victim 0 survived (it never expires) and still decides.
	d, err := f.k.Check(f.ctx, victims[0], "read", "stream/real")
	require.NoError(t, err)
	require.True(t, d.Allowed)
	// A Check walks at most MaxGrantsPerSubject grants.
	gm := storetypes.NewInfiniteGasMeter()
	_, err = f.k.Check(f.ctx.WithGasMeter(gm), victims[7], "read", "stream/real")
	require.NoError(t, err)
	t.Logf("Check gas: %d", gm.GasConsumed())
	require.Less(t, gm.GasConsumed(), uint64(400_000), "Check gas bounded by the per-subject limit")
}

// With a pruning backlog at export, the exported state used to fail its own
// Validate (which caps all of a subject's grants at MaxGrantsPerSubject, as
// the runtime now does too): 384 grants expiring at the end of a shift, one
// subject re-granted in the block they expire.
func TestExportWithExpiryBacklogImports(t *testing.T) {
	f := newFixture(t)
	subjects := []string{f.acct("s0"), f.acct("s1"), f.acct("s2")}
	shift := t0.Add(8 * time.Hour)
	n := 0
	for _, s := range subjects {
		for i := 0; i < types.MaxGrantsPerSubject; i++ {
			n++
			f.mustGrant(s, fmt.Sprintf("stream/x%d", n), &shift, "read")
		}
	}
	f.at(shift)
	next := shift.Add(8 * time.Hour)
	for i := 0; i < types.MaxGrantsPerSubject; i++ {
		n++
		f.mustGrant(subjects[2], fmt.Sprintf("stream/x%d", n), &next, "read")
	}
	require.NoError(t, f.k.EndBlocker(f.ctx))
	f.commit()

	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate(f.ac), "an export imports")
}
