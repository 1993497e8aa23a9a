package types_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/edge/types"
)

// The test vectors of EIP-55.
var eip55Vectors = []string{
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	"0x52908400098527886E0F7030069857D2E4169EE7",
	"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
	"0xde709f2102306220921060314715629080e2fb77",
	"0x27b1fdb04752bbc536007a920d24acb045561c26",
}

func TestEthChecksumVectors(t *testing.T) {
	for _, want := range eip55Vectors {
		raw, err := hex.DecodeString(want[2:])
		require.NoError(t, err)
		require.Equal(t, want, types.EthChecksum(raw))

		for _, in := range []string{want, strings.ToLower(want), "0x" + strings.ToUpper(want[2:])} {
			canonical, got, err := types.ParseEthAddress(in)
			require.NoError(t, err, in)
			require.Equal(t, want, canonical)
			require.Equal(t, raw, got)
		}
	}
}

func TestParseEthAddressRejects(t *testing.T) {
	for name, in := range map[string]string{
		"bad checksum": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
		"no prefix":    "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00",
		"upper prefix": "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"short":        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
		"not hex":      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
	} {
		_, _, err := types.ParseEthAddress(in)
		require.ErrorIs(t, err, types.ErrInvalidNode, name)
	}
	canonical, raw, err := types.ParseEthAddress("")
	require.NoError(t, err)
	require.Empty(t, canonical)
	require.Nil(t, raw)
}
