package procdefaults

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// TestApply: unset settings get the defaults; set ones are left alone.
func TestApply(t *testing.T) {
	t.Setenv(sdk.EnvConfigScope, "")
	t.Setenv("GOGC", "")
	os.Unsetenv(sdk.EnvConfigScope)
	os.Unsetenv("GOGC")
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	Apply()
	require.Equal(t, ConfigScope, os.Getenv(sdk.EnvConfigScope))
	require.Equal(t, GCPercent, debug.SetGCPercent(100))

	t.Setenv(sdk.EnvConfigScope, "mine")
	t.Setenv("GOGC", "50")
	Apply()
	require.Equal(t, "mine", os.Getenv(sdk.EnvConfigScope))
	require.Equal(t, 100, debug.SetGCPercent(100), "GOGC set: the collector is not retuned")
}
