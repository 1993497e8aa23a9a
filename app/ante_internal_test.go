package app

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"
)

// textualMode is SIGN_MODE_TEXTUAL's number (2): earlier SDKs had it, and
// its verification read bank metadata; v0.55 has no name for it any more.
const textualMode = signingtypes.SignMode(2)

// TestPureSignData: only sign modes whose verification reads no state may
// be answered by the signature cache, also inside a multisig.
func TestPureSignData(t *testing.T) {
	single := func(m signingtypes.SignMode) *signingtypes.SingleSignatureData {
		return &signingtypes.SingleSignatureData{SignMode: m, Signature: []byte{1}}
	}
	for _, m := range []signingtypes.SignMode{signingtypes.SignMode_SIGN_MODE_DIRECT,
		signingtypes.SignMode_SIGN_MODE_DIRECT_AUX, signingtypes.SignMode_SIGN_MODE_LEGACY_AMINO_JSON} {
		require.True(t, pureSignData(single(m)), m.String())
	}
	for _, m := range []signingtypes.SignMode{textualMode,
		signingtypes.SignMode_SIGN_MODE_UNSPECIFIED, signingtypes.SignMode_SIGN_MODE_EIP_191} {
		require.False(t, pureSignData(single(m)), m.String())
	}
	direct := single(signingtypes.SignMode_SIGN_MODE_DIRECT)
	textual := single(textualMode)
	require.True(t, pureSignData(&signingtypes.MultiSignatureData{Signatures: []signingtypes.SignatureData{direct, direct}}))
	require.False(t, pureSignData(&signingtypes.MultiSignatureData{Signatures: []signingtypes.SignatureData{direct, textual}}))
	require.False(t, pureSignData(&signingtypes.MultiSignatureData{}), "an empty multisig proves nothing")
	require.False(t, pureSignData(nil))
}

// TestAccountMemoScope: the decorators after AccountMemoDecorator see a
// memo; the context the ante chain hands to message execution has none.
func TestAccountMemoScope(t *testing.T) {
	ctx := sdk.Context{}.WithContext(t.Context())
	var seen *anteAccounts
	next := func(c sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) {
		seen = memoOf(c)
		return c, nil
	}
	out, err := AccountMemoDecorator{}.AnteHandle(ctx, nil, false, next)
	require.NoError(t, err)
	require.NotNil(t, seen, "decorators get a memo")
	require.Nil(t, memoOf(out), "message execution does not")
}
