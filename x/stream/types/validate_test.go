package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/x/stream/types"
)

func TestValidateStreamID(t *testing.T) {
	for _, ok := range []string{"a", "pm25-001", "plc:line-3.valve_7", strings.Repeat("Z", types.MaxIDLen)} {
		require.NoError(t, types.ValidateStreamID(ok), ok)
	}
	for _, bad := range []string{"", "a/b", "a b", "*", "é", strings.Repeat("a", types.MaxIDLen+1), "a\x00"} {
		require.ErrorIs(t, types.ValidateStreamID(bad), types.ErrInvalidStreamID, bad)
	}
}

// FuzzStreamIDMatchesIngest: the chain and the gateway accept exactly the
// same stream ids, and the same payload sizes.
func FuzzStreamIDMatchesIngest(f *testing.F) {
	for _, s := range []string{"", "a", "a/b", "x:y.z_-", strings.Repeat("q", 64), strings.Repeat("q", 65), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		chain := types.ValidateStreamID(id) == nil
		gateway := ingest.ValidateID("stream", id) == nil
		require.Equal(t, gateway, chain, "%q", id)
	})
}

func TestLimitsMatchIngest(t *testing.T) {
	require.Equal(t, ingest.MaxPayloadBytes, types.MaxPayloadBytes)
	require.Equal(t, ingest.MaxReadingsPerBatch, types.MinReadingsPerEpochLimit)
	require.Equal(t, ingest.MaxIDLen, types.MaxIDLen)
}

func TestEffectiveReplication(t *testing.T) {
	r, err := types.EffectiveReplication(0, 5)
	require.NoError(t, err)
	require.Equal(t, uint32(1), r)
	r, err = types.EffectiveReplication(5, 5)
	require.NoError(t, err)
	require.Equal(t, uint32(5), r)
	_, err = types.EffectiveReplication(6, 5)
	require.ErrorIs(t, err, types.ErrInvalidStream)
	// max_replication 1 still allows the default.
	r, err = types.EffectiveReplication(0, 1)
	require.NoError(t, err)
	require.Equal(t, uint32(1), r)
}

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	require.Equal(t, uint32(5), types.DefaultParams().MaxReplication)
	require.Equal(t, uint64(10_000_000), types.DefaultParams().MaxReadingsPerEpoch)
	require.ErrorIs(t, types.Params{MaxReadingsPerEpoch: 1}.Validate(), types.ErrInvalidParams)
	require.ErrorIs(t, types.Params{MaxReplication: 1}.Validate(), types.ErrInvalidParams)
	require.NoError(t, types.Params{MaxReplication: 1, MaxReadingsPerEpoch: types.MinReadingsPerEpochLimit}.Validate())
	require.Equal(t, uint64(10_000), uint64(types.MinReadingsPerEpochLimit))
	// The close grace covers a full default backlog cut at the lowest limit.
	require.Equal(t, uint64(gateway.DefaultMaxPendingReadings), uint64(types.MaxBacklogReadings))
	require.Equal(t, uint64(2002), uint64(types.CloseGraceEpochs))
	require.ErrorIs(t, types.Params{MaxReplication: 1, MaxReadingsPerEpoch: types.MinReadingsPerEpochLimit - 1}.Validate(), types.ErrInvalidParams)
}

func TestValidateLabels(t *testing.T) {
	require.NoError(t, types.ValidateLabels("", ""))
	require.NoError(t, types.ValidateLabels("pm25.v1", "µg/m³"))
	require.ErrorIs(t, types.ValidateLabels(strings.Repeat("s", 65), ""), types.ErrInvalidStream)
	require.ErrorIs(t, types.ValidateLabels("", strings.Repeat("u", 33)), types.ErrInvalidStream)
	require.ErrorIs(t, types.ValidateLabels("a\x7f", ""), types.ErrInvalidStream)
	require.ErrorIs(t, types.ValidateLabels("", "\xc3"), types.ErrInvalidStream)
}
