package types_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/core/address"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/types"
)

// ac is the codec the app gives x/access. The SDK's global bech32 config
// still says "cosmos", so every address here goes through this codec.
var ac address.Codec = addresscodec.NewBech32Codec("edge")

// addr derives a deterministic edge1… address from seed.
func addr(seed string) string {
	h := sha256.Sum256([]byte(seed))
	s, err := ac.BytesToString(sdk.AccAddress(h[:20]))
	if err != nil {
		panic(err)
	}
	return s
}

func TestNormalizeSubject(t *testing.T) {
	alice := addr("alice")
	cosmosAlice, err := addresscodec.NewBech32Codec("cosmos").BytesToString(sdk.AccAddress(mustBytes(t, alice)))
	require.NoError(t, err)

	cases := []struct {
		name, in, want string
	}{
		{"bare bech32 is an account", alice, "account:" + alice},
		{"account kept", "account:" + alice, "account:" + alice},
		{"upper-case bech32 re-encoded", "account:" + strings.ToUpper(alice), "account:" + alice},
		{"bare upper-case bech32 re-encoded", strings.ToUpper(alice), "account:" + alice},
		{"device", "device:lab-3", "device:lab-3"},
		{"device id with all id bytes", "device:Ab0._:-z", "device:Ab0._:-z"},
		{"device id of 64", "device:" + strings.Repeat("d", 64), "device:" + strings.Repeat("d", 64)},
		{"role", "role:ops", "role:ops"},
		{"role starting with a digit", "role:0ps.x_y-z", "role:0ps.x_y-z"},
		{"role of 32", "role:" + strings.Repeat("r", 32), "role:" + strings.Repeat("r", 32)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := types.NormalizeSubject(ac, tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			again, err := types.NormalizeSubject(ac, got)
			require.NoError(t, err)
			require.Equal(t, got, again, "idempotent")
		})
	}

	bad := []struct{ name, in string }{
		{"empty", ""},
		{"account empty", "account:"},
		{"other hrp", "account:" + cosmosAlice},
		{"bare other hrp", cosmosAlice},
		{"bad checksum", "account:" + alice[:len(alice)-1] + flip(alice[len(alice)-1])},
		{"mixed case bech32", "account:" + strings.ToUpper(alice[:6]) + alice[6:]},
		{"device empty", "device:"},
		{"device too long", "device:" + strings.Repeat("d", 65)},
		{"device slash", "device:lab/3"},
		{"device space", "device:lab 3"},
		{"device star", "device:lab*"},
		{"device non-ascii", "device:läb"},
		{"role empty", "role:"},
		{"role upper", "role:Ops"},
		{"role leading dot", "role:.ops"},
		{"role leading dash", "role:-ops"},
		{"role leading underscore", "role:_ops"},
		{"role colon", "role:a:b"},
		{"role too long", "role:" + strings.Repeat("r", 33)},
		{"unknown kind", "group:ops"},
		{"kind is case sensitive", "Account:" + alice},
		{"no kind", ":" + alice},
		{"garbage", "not an address"},
	}
	for _, tc := range bad {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			_, err := types.NormalizeSubject(ac, tc.in)
			require.ErrorIs(t, err, types.ErrInvalidSubject)
		})
	}
}

func TestSubjectHelpers(t *testing.T) {
	require.Equal(t, "account:x", types.AccountSubject("x"))
	require.Equal(t, "device:x", types.DeviceSubject("x"))
	require.Equal(t, "role:x", types.RoleSubject("x"))
	name, ok := types.IsRoleSubject("role:ops")
	require.True(t, ok)
	require.Equal(t, "ops", name)
	_, ok = types.IsRoleSubject("device:role:ops")
	require.False(t, ok)
}

func TestNormalizeMember(t *testing.T) {
	alice := addr("alice")
	got, err := types.NormalizeMember(ac, alice)
	require.NoError(t, err)
	require.Equal(t, "account:"+alice, got)
	got, err = types.NormalizeMember(ac, "device:cam-1")
	require.NoError(t, err)
	require.Equal(t, "device:cam-1", got)

	_, err = types.NormalizeMember(ac, "role:ops")
	require.ErrorIs(t, err, types.ErrInvalidSubject, "roles do not nest")
	_, err = types.NormalizeMember(ac, "device:")
	require.ErrorIs(t, err, types.ErrInvalidSubject)
}

func TestValidateRoleName(t *testing.T) {
	for _, ok := range []string{"a", "0", "ops", "edge.ops_v2-x", strings.Repeat("z", 32)} {
		require.NoError(t, types.ValidateRoleName(ok), ok)
	}
	for _, bad := range []string{"", "Ops", ".a", "_a", "-a", "a b", "a/b", "a*", strings.Repeat("z", 33)} {
		require.ErrorIs(t, types.ValidateRoleName(bad), types.ErrInvalidRole, bad)
	}
}

func mustBytes(t *testing.T, bech string) []byte {
	t.Helper()
	bz, err := ac.StringToBytes(bech)
	require.NoError(t, err)
	return bz
}

// flip returns another bech32 character than c.
func flip(c byte) string {
	if c == 'q' {
		return "p"
	}
	return "q"
}
