package gateway

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// frozenChain is a chain stuck at one height; only Height is called.
type frozenChain struct{ Chain }

func (frozenChain) Height() int64 { return 7 }

// A height's cache is not used past maxCacheAge even while the chain stays
// at that height: access answers depend on the clock (grant expiry), so a
// stalled chain must not freeze them.
func TestHeightCacheAgesOut(t *testing.T) {
	hc := newHeightCache(frozenChain{})
	first := hc.at()
	require.Same(t, first, hc.at(), "same height, fresh cache: reused")

	first.made = time.Now().Add(-maxCacheAge)
	next := hc.at()
	require.NotSame(t, first, next, "same height, stale cache: replaced")
	require.Equal(t, int64(7), next.height)
	require.Same(t, next, hc.at())
}
