package testutil

import (
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// DeviceKey is a device's private key, as the device SDK would hold it.
type DeviceKey struct {
	Type types.KeyType
	Priv cryptotypes.PrivKey
}

// NewDeviceKey derives a key of type t from seed (deterministic).
func NewDeviceKey(t types.KeyType, seed string) DeviceKey {
	switch t {
	case types.KEY_TYPE_SECP256K1:
		return DeviceKey{Type: t, Priv: secp256k1.GenPrivKeyFromSecret([]byte(seed))}
	default:
		return DeviceKey{Type: types.KEY_TYPE_ED25519, Priv: ed25519.GenPrivKeyFromSecret([]byte(seed))}
	}
}

// PubKey is the key as x/device stores it.
func (k DeviceKey) PubKey() types.PubKey {
	return types.PubKey{Type: k.Type, Key: k.Priv.PubKey().Bytes()}
}

// Sign signs msg the way VerifySignature expects (cosmos-sdk Sign: raw for
// ed25519, sha256(msg) for secp256k1).
func (k DeviceKey) Sign(msg []byte) []byte {
	sig, err := k.Priv.Sign(msg)
	if err != nil {
		panic(err)
	}
	return sig
}

// RotationSignature approves rotating device id from key version to newKey.
func (k DeviceKey) RotationSignature(chainID, id string, version uint64, newKey types.PubKey) []byte {
	return k.Sign(types.RotationSignBytes(chainID, id, version, newKey))
}
