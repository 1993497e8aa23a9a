package device

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// Identity is who is writing: the device registered on chain, the stream it
// writes to, and the device's private key (ed25519 or secp256k1, the two
// types x/device accepts).
type Identity struct {
	DeviceID string
	StreamID string
	Key      cryptotypes.PrivKey
}

// KeyType is the x/device key type of the identity's key, or
// KEY_TYPE_UNSPECIFIED when the key is missing or of another scheme.
func (id Identity) KeyType() devicetypes.KeyType {
	return KeyTypeOf(id.Key)
}

// PubKey is the key as x/device stores it (what MsgRegisterDevice carries).
func (id Identity) PubKey() (devicetypes.PubKey, error) {
	if err := id.Validate(); err != nil {
		return devicetypes.PubKey{}, err
	}
	return devicetypes.NewPubKey(id.KeyType(), id.Key.PubKey().Bytes())
}

// Validate checks the ids with the gateway's rule and that the key is of a
// type the chain can verify, so a misconfigured device fails at start-up
// instead of on every batch.
func (id Identity) Validate() error {
	if err := ingest.ValidateID("device", id.DeviceID); err != nil {
		return err
	}
	if err := ingest.ValidateID("stream", id.StreamID); err != nil {
		return err
	}
	if id.Key == nil {
		return errors.New("device key is missing")
	}
	if id.KeyType() == devicetypes.KEY_TYPE_UNSPECIFIED {
		return fmt.Errorf("device key type %q not supported, use ed25519 or secp256k1", id.Key.Type())
	}
	return nil
}

// KeyTypeOf maps a cosmos-sdk private key to its x/device key type.
func KeyTypeOf(k cryptotypes.PrivKey) devicetypes.KeyType {
	switch k.(type) {
	case *ed25519.PrivKey:
		return devicetypes.KEY_TYPE_ED25519
	case *secp256k1.PrivKey:
		return devicetypes.KEY_TYPE_SECP256K1
	default:
		return devicetypes.KEY_TYPE_UNSPECIFIED
	}
}

// KeyFromSeed derives a device key from a seed string: the same seed always
// gives the same key, so a simulator can re-create its devices' keys after a
// restart without storing them. Not for real devices: anyone who knows the
// seed has the key.
func KeyFromSeed(seed string, keyType devicetypes.KeyType) (cryptotypes.PrivKey, error) {
	if seed == "" {
		return nil, errors.New("key seed is empty")
	}
	// Hash first: a domain tag keeps these keys apart from any other use of
	// the same seed string.
	secret := sha256.Sum256([]byte("trustedge/device/seed-key/v1|" + seed))
	switch keyType {
	case devicetypes.KEY_TYPE_ED25519:
		return ed25519.GenPrivKeyFromSecret(secret[:]), nil
	case devicetypes.KEY_TYPE_SECP256K1:
		return secp256k1.GenPrivKeyFromSecret(secret[:]), nil
	default:
		return nil, fmt.Errorf("key type %s not supported, use ed25519 or secp256k1", keyType)
	}
}
