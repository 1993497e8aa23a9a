package types

import (
	"crypto/sha256"
	"encoding/binary"
)

// RotationDomain separates key-rotation signatures from every other thing a
// device key signs (readings, commands).
const RotationDomain = "trustedge/device/rotate/v1"

// RotationSignBytes is what the current device key signs to approve a
// rotation to newKey:
//
//	sha256( "trustedge/device/rotate/v1" || chain_id || 0x00 || device_id || 0x00 ||
//	        uint64_be(key_version) || byte(new key type) || new key bytes )
//
// key_version is the version of the key being retired (the device's current
// key_version), so a signature approves exactly one rotation on one chain
// for one device and can never be replayed after it. The key type byte is
// the KeyType number (1 ed25519, 2 secp256k1).
//
// The 32-byte result is the message: an ed25519 device signs these 32 bytes;
// a secp256k1 device signs them the cosmos-sdk way, i.e. ECDSA over
// sha256(these 32 bytes), 64-byte R||S with low S (secp256k1.PrivKey.Sign
// does exactly that). See PubKey.VerifySignature.
func RotationSignBytes(chainID, deviceID string, keyVersion uint64, newKey PubKey) []byte {
	h := sha256.New()
	h.Write([]byte(RotationDomain))
	h.Write([]byte(chainID))
	h.Write([]byte{0})
	h.Write([]byte(deviceID))
	h.Write([]byte{0})
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], keyVersion)
	h.Write(v[:])
	h.Write([]byte{byte(newKey.Type)})
	h.Write(newKey.Key)
	return h.Sum(nil)
}
