package dataplane_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/dataplane"
	"github.com/trustedge/trustedge/node/store"
)

// TestPrunerHugeRetentionKeepsReadings: readings an hour old are kept by
// any retention longer than an hour. x/stream takes any uint64
// retention_seconds; computed as now.Add(-time.Duration(secs)*time.Second)
// the cut-off wrapped above ~292 years into the future and every committed
// reading of the stream was deleted at once (retentionCutoff).
func TestPrunerHugeRetentionKeepsReadings(t *testing.T) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	now := time.Unix(1_767_225_600, 0)
	hourAgo := now.Add(-time.Hour).UnixNano()
	streams := map[string]uint64{
		"centuries":  15_000_000_000, // ~475 years: the cut-off wraps to ~109 years ahead
		"two-pow-63": 1 << 63,        // secs*1e9 wraps to exactly 0: the cut-off is now
		"max":        math.MaxUint64, // wraps to -1 s: the cut-off is a second ahead
	}
	for id := range streams {
		_, err := st.Append(id, 1, []store.Reading{{Time: 1, Payload: []byte("x")}, {Time: 2, Payload: []byte("y")}}, hourAgo)
		require.NoError(t, err)
	}
	_, err = st.CloseEpoch(1)
	require.NoError(t, err)
	require.NoError(t, st.MarkCommitted(1, 5))

	p := &dataplane.Pruner{Store: st, Chain: retentions(streams), Interval: time.Hour,
		Now: func() time.Time { return now }, Log: log.NewNopLogger()}
	_, err = p.Once(context.Background())
	require.NoError(t, err)
	for id, secs := range streams {
		mark, err := st.Pruned(id)
		require.NoError(t, err)
		if mark != 0 {
			t.Errorf("stream %q (retention %d s): readings ingested an hour ago were pruned up to seq %d", id, secs, mark)
		}
		if _, _, err := st.Prove("node", id, 1); err != nil {
			t.Errorf("stream %q: proof of seq 1: %v", id, err)
		}
	}
}
