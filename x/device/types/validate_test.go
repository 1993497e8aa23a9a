package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/device/types"
)

func TestValidateDeviceID(t *testing.T) {
	ok := []string{"a", "sensor-0001", "plc:line-3.valve_7", "AA:BB:CC:DD:EE:FF", strings.Repeat("x", 64)}
	for _, id := range ok {
		require.NoError(t, types.ValidateDeviceID(id), id)
	}
	bad := []string{"", strings.Repeat("x", 65), "a/b", "a b", "a\x00b", "é", "a*", "dev#1", "a\n"}
	for _, id := range bad {
		require.ErrorIs(t, types.ValidateDeviceID(id), types.ErrInvalidDeviceID, "%q", id)
	}
}

func TestNormalizeProtocols(t *testing.T) {
	got, err := types.NormalizeProtocols([]types.Protocol{types.PROTOCOL_CELLULAR, types.PROTOCOL_NB_IOT, types.PROTOCOL_LORA})
	require.NoError(t, err)
	require.Equal(t, []types.Protocol{types.PROTOCOL_NB_IOT, types.PROTOCOL_LORA, types.PROTOCOL_CELLULAR}, got)

	all := make([]types.Protocol, 0, len(types.Protocol_name))
	for p := types.PROTOCOL_NB_IOT; p <= types.PROTOCOL_CELLULAR; p++ {
		all = append(all, p)
	}
	_, err = types.NormalizeProtocols(all)
	require.NoError(t, err, "every protocol at once is fine")

	for _, ps := range [][]types.Protocol{nil, {0}, {13}, {-1}, {1, 1}, append(all, types.PROTOCOL_BLE)} {
		_, err := types.NormalizeProtocols(ps)
		require.ErrorIs(t, err, types.ErrInvalidDevice, "%v", ps)
	}
}

func TestNormalizeMetadata(t *testing.T) {
	in := []types.MetadataEntry{{Key: "z", Value: ""}, {Key: "fw/version", Value: "1.2"}, {Key: "A", Value: "ü"}}
	got, err := types.NormalizeMetadata(in)
	require.NoError(t, err)
	require.Equal(t, []types.MetadataEntry{{Key: "A", Value: "ü"}, {Key: "fw/version", Value: "1.2"}, {Key: "z", Value: ""}}, got)
	require.Equal(t, "z", in[0].Key, "input is not modified")

	md, err := types.NormalizeMetadata(nil)
	require.NoError(t, err)
	require.Nil(t, md)

	bad := [][]types.MetadataEntry{
		{{Key: "a"}, {Key: "a"}},
		{{Key: ""}},
		{{Key: strings.Repeat("k", 33)}},
		{{Key: "k v"}},
		{{Key: "k", Value: strings.Repeat("v", 129)}},
		{{Key: "k", Value: "\t"}},
		{{Key: "k", Value: "\x7f"}},
		{{Key: "k", Value: "\xc3"}},
		make([]types.MetadataEntry, 9),
	}
	for _, md := range bad {
		_, err := types.NormalizeMetadata(md)
		require.ErrorIs(t, err, types.ErrInvalidDevice, "%v", md)
	}
}

func TestValidateReason(t *testing.T) {
	require.NoError(t, types.ValidateReason(""))
	require.NoError(t, types.ValidateReason("tamper alarm at 03:12 — site B"))
	require.ErrorIs(t, types.ValidateReason(strings.Repeat("r", 257)), types.ErrInvalidReason)
	require.ErrorIs(t, types.ValidateReason("a\rb"), types.ErrInvalidReason)
}
