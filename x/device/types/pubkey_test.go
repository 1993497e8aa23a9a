package types_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/stretchr/testify/require"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

func TestPubKeyValidate(t *testing.T) {
	ed := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "a").PubKey()
	sk := devtestutil.NewDeviceKey(types.KEY_TYPE_SECP256K1, "a").PubKey()
	require.NoError(t, ed.Validate())
	require.NoError(t, sk.Validate())

	uncompressed := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{7}, 32)).PubKey().SerializeUncompressed()
	bad := []types.PubKey{
		{},
		{Type: types.KEY_TYPE_UNSPECIFIED, Key: ed.Key},
		{Type: 3, Key: ed.Key},
		{Type: types.KEY_TYPE_ED25519, Key: ed.Key[:31]},
		{Type: types.KEY_TYPE_ED25519, Key: append(bytes.Clone(ed.Key), 0)},
		{Type: types.KEY_TYPE_ED25519, Key: append([]byte{2}, make([]byte, 31)...)}, // not on the curve
		{Type: types.KEY_TYPE_ED25519, Key: append([]byte{1}, make([]byte, 31)...)}, // identity
		{Type: types.KEY_TYPE_ED25519, Key: make([]byte, 32)},                       // order 4
		{Type: types.KEY_TYPE_SECP256K1, Key: sk.Key[:32]},
		{Type: types.KEY_TYPE_SECP256K1, Key: uncompressed},
		{Type: types.KEY_TYPE_SECP256K1, Key: append([]byte{4}, sk.Key[1:]...)},
		{Type: types.KEY_TYPE_SECP256K1, Key: append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...)},
	}
	for i, pk := range bad {
		require.ErrorIs(t, pk.Validate(), types.ErrInvalidPubKey, "case %d: %v", i, pk)
		_, err := types.NewPubKey(pk.Type, pk.Key)
		require.ErrorIs(t, err, types.ErrInvalidPubKey, "case %d", i)
	}
}

func TestNewPubKeyCopies(t *testing.T) {
	raw := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "a").PubKey().Key
	buf := bytes.Clone(raw)
	pk, err := types.NewPubKey(types.KEY_TYPE_ED25519, buf)
	require.NoError(t, err)
	buf[0] ^= 1
	require.Equal(t, raw, pk.Key)
}

// TestSignatureSchemes pins down exactly what a device must sign, using
// the underlying curve libraries rather than the cosmos-sdk keys.
func TestSignatureSchemes(t *testing.T) {
	msg := []byte(`{"seq":1,"temp":20.5}`)

	t.Run("ed25519 signs the message itself", func(t *testing.T) {
		k := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "ed")
		sig := k.Sign(msg)
		require.True(t, k.PubKey().VerifySignature(msg, sig))
		h := sha256.Sum256(msg)
		require.False(t, k.PubKey().VerifySignature(h[:], sig))
		require.False(t, k.PubKey().VerifySignature(msg, sig[:63]))
	})

	t.Run("secp256k1 signs sha256(message), R||S with low S", func(t *testing.T) {
		priv := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{9}, 32))
		pk := types.PubKey{Type: types.KEY_TYPE_SECP256K1, Key: priv.PubKey().SerializeCompressed()}
		h := sha256.Sum256(msg)
		sig := compactRS(ecdsa.Sign(priv, h[:]))
		require.True(t, pk.VerifySignature(msg, sig))

		// A 32-byte message is still hashed: signing it directly as if it
		// were the digest does not verify.
		require.False(t, pk.VerifySignature(h[:], compactRS(ecdsa.Sign(priv, h[:]))))
		require.True(t, pk.VerifySignature(h[:], compactRS(ecdsa.Sign(priv, sha256Of(h[:])))))

		// The high-S twin of a valid signature is refused (no malleability).
		var s secp256k1.ModNScalar
		s.SetByteSlice(sig[32:])
		s.Negate()
		sb := s.Bytes()
		high := append(bytes.Clone(sig[:32]), sb[:]...)
		require.False(t, pk.VerifySignature(msg, high))

		// DER is not accepted, only 64-byte R||S.
		require.False(t, pk.VerifySignature(msg, ecdsa.Sign(priv, h[:]).Serialize()))
	})

	t.Run("invalid keys verify nothing", func(t *testing.T) {
		k := devtestutil.NewDeviceKey(types.KEY_TYPE_ED25519, "ed")
		sig := k.Sign(msg)
		pk := k.PubKey()
		pk.Type = types.KEY_TYPE_UNSPECIFIED
		require.False(t, pk.VerifySignature(msg, sig))
		require.False(t, types.PubKey{}.VerifySignature(msg, sig))
	})
}

func sha256Of(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

// compactRS turns a decred signature into the 64-byte R||S form.
func compactRS(sig *ecdsa.Signature) []byte {
	r, s := sig.R(), sig.S()
	rb, sb := r.Bytes(), s.Bytes()
	return append(rb[:], sb[:]...)
}
