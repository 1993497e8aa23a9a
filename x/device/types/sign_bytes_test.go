package types_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/device/types"
)

// TestRotationSignBytesLayout rebuilds the preimage byte by byte from the
// documented format.
func TestRotationSignBytesLayout(t *testing.T) {
	key := types.PubKey{Type: types.KEY_TYPE_SECP256K1, Key: bytes.Repeat([]byte{0xab}, 33)}
	var pre []byte
	pre = append(pre, "trustedge/device/rotate/v1"...)
	pre = append(pre, "trustedge-1"...)
	pre = append(pre, 0)
	pre = append(pre, "sensor-0001"...)
	pre = append(pre, 0)
	pre = append(pre, 0, 0, 0, 0, 0, 0, 0x01, 0x02) // key_version 258, big-endian
	pre = append(pre, 2)                            // KEY_TYPE_SECP256K1
	pre = append(pre, key.Key...)
	want := sha256.Sum256(pre)
	require.Equal(t, want[:], types.RotationSignBytes("trustedge-1", "sensor-0001", 258, key))
}

// TestRotationSignBytesVector is a fixed vector for device SDKs in other
// languages. Changing it breaks every deployed device: bump the domain
// ("…/v2") instead.
func TestRotationSignBytesVector(t *testing.T) {
	key := types.PubKey{Type: types.KEY_TYPE_ED25519, Key: bytes.Repeat([]byte{0x11}, 32)}
	got := types.RotationSignBytes("trustedge-1", "sensor-0001", 1, key)
	require.Equal(t, "0c804a22ec5080a295fd115ea1f4cbeab6591e08307e2f80d8a061f6ad4d3aae", hex.EncodeToString(got))
}

func TestRotationSignBytesBindEverything(t *testing.T) {
	key := types.PubKey{Type: types.KEY_TYPE_ED25519, Key: bytes.Repeat([]byte{0x11}, 32)}
	base := types.RotationSignBytes("c", "d", 1, key)
	other := key
	other.Type = types.KEY_TYPE_SECP256K1
	variants := [][]byte{
		types.RotationSignBytes("c2", "d", 1, key),
		types.RotationSignBytes("c", "d2", 1, key),
		types.RotationSignBytes("c", "d", 2, key),
		types.RotationSignBytes("c", "d", 1, other),
		types.RotationSignBytes("c", "d", 1, types.PubKey{Type: key.Type, Key: bytes.Repeat([]byte{0x12}, 32)}),
		// The separators keep (chain, device) boundaries unambiguous.
		types.RotationSignBytes("cd", "", 1, key),
	}
	for i, v := range variants {
		require.Len(t, v, 32)
		require.NotEqual(t, base, v, "variant %d", i)
	}
}
