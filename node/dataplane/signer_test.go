package dataplane

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// testKeyring holds an "op" and a "committer" key.
func testKeyring(t *testing.T) (kr keyring.Keyring, op, committer sdk.AccAddress) {
	t.Helper()
	reg := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(reg)
	kr = keyring.NewInMemory(codec.NewProtoCodec(reg))
	addr := func(name string) sdk.AccAddress {
		rec, _, err := kr.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
		require.NoError(t, err)
		a, err := rec.GetAddress()
		require.NoError(t, err)
		return a
	}
	return kr, addr("op"), addr("committer")
}

func TestResolveSigner(t *testing.T) {
	kr, op, committer := testKeyring(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want Signer
	}{
		{"operator key alone signs for its node",
			Config{OperatorKey: "op"}, Signer{KeyName: "op", Address: op, Operator: op}},
		{"committer key for an operator address",
			Config{CommitterKey: "committer", Operator: op.String()}, Signer{KeyName: "committer", Address: committer, Operator: op}},
		{"committer key for the operator key's node",
			Config{CommitterKey: "committer", OperatorKey: "op"}, Signer{KeyName: "committer", Address: committer, Operator: op}},
		{"operator address matching the operator key",
			Config{OperatorKey: "op", Operator: op.String()}, Signer{KeyName: "op", Address: op, Operator: op}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveSigner(tc.cfg, kr)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestHasSigningKey(t *testing.T) {
	for _, cfg := range []Config{{OperatorKey: "op"}, {CommitterKey: "c", Operator: "edge1x"}, {CommitterKey: "c"}} {
		has, err := hasSigningKey(cfg)
		require.NoError(t, err)
		require.True(t, has, "%+v", cfg)
	}
	has, err := hasSigningKey(Config{})
	require.NoError(t, err)
	require.False(t, has, "no key: a plain validator")
	_, err = hasSigningKey(Config{Operator: "edge1x"})
	require.ErrorContains(t, err, "pass --dataplane.committer-key")
}

func TestResolveSignerRejections(t *testing.T) {
	kr, op, committer := testKeyring(t)
	for _, tc := range []struct {
		name, wantErr string
		cfg           Config
	}{
		{"no key at all", "no signing key", Config{Operator: op.String()}},
		{"committer without a node", "pass --dataplane.operator", Config{CommitterKey: "committer"}},
		{"unknown committer key", `key "ghost"`, Config{CommitterKey: "ghost", Operator: op.String()}},
		{"unknown operator key", `key "ghost"`, Config{OperatorKey: "ghost"}},
		{"operator not an address", "--dataplane.operator", Config{CommitterKey: "committer", Operator: "node0"}},
		{"operator address and key disagree", "is not the address of", Config{OperatorKey: "op", Operator: committer.String()}},
		{"committer is the operator", "operator's own key", Config{CommitterKey: "op", Operator: op.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolveSigner(tc.cfg, kr)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
