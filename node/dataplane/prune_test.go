package dataplane_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/trustedge/trustedge/node/dataplane"
	"github.com/trustedge/trustedge/node/store"
)

// retentions is the chain's answer per stream (a stream missing from it is
// not on chain).
type retentions map[string]uint64

func (r retentions) Retention(_ context.Context, id string) (uint64, error) {
	s, ok := r[id]
	if !ok {
		return 0, errors.New("stream not found")
	}
	return s, nil
}

func TestPrunerAppliesEachStreamsRetention(t *testing.T) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	now := time.Unix(10_000, 0)
	old := now.Add(-2 * time.Hour).UnixNano()
	for _, id := range []string{"hourly", "forever", "unknown"} {
		_, err := st.Append(id, 1, []store.Reading{{Time: 1, Payload: []byte("x")}, {Time: 2, Payload: []byte("y")}}, old)
		require.NoError(t, err)
	}
	_, err = st.CloseEpoch(1)
	require.NoError(t, err)
	require.NoError(t, st.MarkCommitted(1, 5))

	p := &dataplane.Pruner{Store: st, Chain: retentions{"hourly": 3600, "forever": 0}, Interval: time.Hour,
		Now: func() time.Time { return now }, Log: log.NewNopLogger()}
	moved, err := p.Once(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, moved)
	for id, want := range map[string]uint64{"hourly": 2, "forever": 0, "unknown": 0} {
		got, err := st.Pruned(id)
		require.NoError(t, err)
		require.Equal(t, want, got, id)
	}
	_, _, err = st.Prove("node", "hourly", 1)
	require.ErrorIs(t, err, store.ErrPruned)
	_, _, err = st.Prove("node", "forever", 1)
	require.NoError(t, err)
}

func TestAutoCloseDelay(t *testing.T) {
	require.Equal(t, 500*time.Millisecond, dataplane.AutoCloseDelay(time.Second))
	require.Equal(t, 250*time.Millisecond, dataplane.AutoCloseDelay(500*time.Millisecond))
	require.Zero(t, dataplane.AutoCloseDelay(100*time.Millisecond), "no room to wait in very short blocks")
}
