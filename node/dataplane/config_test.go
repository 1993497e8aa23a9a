package dataplane

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/math"
)

type mapOpts map[string]any

func (m mapOpts) Get(k string) any { return m[k] }

func TestReadConfigGasPrices(t *testing.T) {
	home := t.TempDir()
	c, err := ReadConfig(home, mapOpts{FlagGasPrices: "0.001uedge"}, time.Second)
	require.NoError(t, err)
	require.Equal(t, "uedge", c.GasPrices[0].Denom)
	require.True(t, c.GasPrices[0].Amount.Equal(math.LegacyMustNewDecFromStr("0.001")))
	require.Equal(t, filepath.Join(home, "streams"), c.StoreDir)

	c, err = ReadConfig(home, mapOpts{}, time.Second)
	require.NoError(t, err)
	require.Empty(t, c.GasPrices, "no fee unless asked")

	_, err = ReadConfig(home, mapOpts{FlagGasPrices: "cheap"}, time.Second)
	require.ErrorContains(t, err, FlagGasPrices)
}

// Proofs need a reader signature unless the operator opens reads.
func TestReadConfigOpenReads(t *testing.T) {
	c, err := ReadConfig(t.TempDir(), mapOpts{}, time.Second)
	require.NoError(t, err)
	require.False(t, c.OpenReads, "signed reads by default")
	c, err = ReadConfig(t.TempDir(), mapOpts{FlagOpenReads: true}, time.Second)
	require.NoError(t, err)
	require.True(t, c.OpenReads)
}
