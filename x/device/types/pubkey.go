package types

import (
	"bytes"

	"filippo.io/edwards25519"

	errorsmod "cosmossdk.io/errors"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	cosmossecp256k1 "github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
)

// Key and signature sizes.
const (
	Ed25519PubKeySize   = ed25519.PubKeySize         // 32
	Secp256k1PubKeySize = cosmossecp256k1.PubKeySize // 33, compressed
	SignatureSize       = 64                         // both schemes: ed25519 R||S, secp256k1 R||S
)

// NewPubKey validates a key given as (type, bytes) — the form messages carry
// it in — and returns it with its own copy of the bytes.
func NewPubKey(t KeyType, key []byte) (PubKey, error) {
	pk := PubKey{Type: t, Key: bytes.Clone(key)}
	if err := pk.Validate(); err != nil {
		return PubKey{}, err
	}
	return pk, nil
}

// Validate checks the key type and that the bytes encode a point on the
// curve: a key no signature can ever match is a registration mistake.
func (pk PubKey) Validate() error {
	switch pk.Type {
	case KEY_TYPE_ED25519:
		if len(pk.Key) != Ed25519PubKeySize {
			return errorsmod.Wrapf(ErrInvalidPubKey, "ed25519 key must be %d bytes, got %d", Ed25519PubKeySize, len(pk.Key))
		}
		p, err := new(edwards25519.Point).SetBytes(pk.Key)
		if err != nil {
			return errorsmod.Wrapf(ErrInvalidPubKey, "ed25519 key is not a curve point")
		}
		// Under ZIP-215 rules anyone can forge signatures for a small-order
		// key (e.g. the identity), so such a key identifies nothing.
		if new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
			return errorsmod.Wrapf(ErrInvalidPubKey, "ed25519 key has small order")
		}
	case KEY_TYPE_SECP256K1:
		if len(pk.Key) != Secp256k1PubKeySize {
			return errorsmod.Wrapf(ErrInvalidPubKey, "secp256k1 key must be %d bytes (compressed), got %d", Secp256k1PubKeySize, len(pk.Key))
		}
		// ParsePubKey also takes 65-byte uncompressed keys; the length check
		// above keeps one encoding per key.
		if _, err := secp256k1.ParsePubKey(pk.Key); err != nil {
			return errorsmod.Wrapf(ErrInvalidPubKey, "secp256k1 key: %v", err)
		}
	default:
		return errorsmod.Wrapf(ErrInvalidPubKey, "key type %s not supported, use ed25519 or secp256k1", pk.Type)
	}
	return nil
}

// Equal reports whether two keys are the same key.
func (pk PubKey) Equal(other PubKey) bool {
	return pk.Type == other.Type && bytes.Equal(pk.Key, other.Key)
}

// CryptoPubKey returns the key as a cosmos-sdk key, whose VerifySignature
// defines what a valid device signature is.
func (pk PubKey) CryptoPubKey() (cryptotypes.PubKey, error) {
	if err := pk.Validate(); err != nil {
		return nil, err
	}
	if pk.Type == KEY_TYPE_ED25519 {
		return &ed25519.PubKey{Key: pk.Key}, nil
	}
	return &cosmossecp256k1.PubKey{Key: pk.Key}, nil
}

// VerifySignature checks sig over msg with the cosmos-sdk rules:
//   - ed25519: sig is the 64-byte signature of msg itself (ZIP-215 rules);
//   - secp256k1: sig is the 64-byte R||S ECDSA signature, S in the lower
//     half of the order, of sha256(msg) — VerifySignature hashes msg itself,
//     exactly as a cosmos secp256k1.PrivKey.Sign(msg) signs it.
//
// An invalid key or a signature of the wrong length is simply not valid.
func (pk PubKey) VerifySignature(msg, sig []byte) bool {
	if len(sig) != SignatureSize {
		return false
	}
	cpk, err := pk.CryptoPubKey()
	if err != nil {
		return false
	}
	return cpk.VerifySignature(msg, sig)
}
