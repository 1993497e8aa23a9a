package keeper_test

import (
	"os"
	"testing"

	"github.com/trustedge/trustedge/node/procdefaults"
)

// TestMain runs the package under trustedged's process settings (SDK config
// scope, GC target), so the benchmarks measure what a node would.
func TestMain(m *testing.M) {
	procdefaults.Apply()
	os.Exit(m.Run())
}
