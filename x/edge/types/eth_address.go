package types

import (
	"encoding/hex"
	"strings"

	errorsmod "cosmossdk.io/errors"
	"golang.org/x/crypto/sha3"
)

// EthAddressLen is the length of an Ethereum address in bytes.
const EthAddressLen = 20

// A node's Ethereum address is the key it signs bridge checkpoints with, so
// it must be exactly one account: no two nodes may name the same one (a
// signature would count for both nodes' power), and a typo must not pass.
// Mixed-case input is therefore checked against its EIP-55 checksum, as
// wallets do; all-lower or all-upper case carries no checksum and is taken
// as is. The chain stores and reports the EIP-55 form.

// ValidateEthAddress accepts "" (not set yet) or a 0x-prefixed 20-byte hex
// address whose mixed case, if any, is a valid EIP-55 checksum.
func ValidateEthAddress(addr string) error {
	_, _, err := ParseEthAddress(addr)
	return err
}

// ParseEthAddress returns the EIP-55 form and the 20 bytes of addr; both
// are empty for "".
func ParseEthAddress(addr string) (canonical string, raw []byte, err error) {
	if addr == "" {
		return "", nil, nil
	}
	if len(addr) != 2+2*EthAddressLen || !strings.HasPrefix(addr, "0x") {
		return "", nil, errorsmod.Wrapf(ErrInvalidNode, "eth address %q must be 0x followed by 40 hex digits", addr)
	}
	raw, err = hex.DecodeString(addr[2:])
	if err != nil {
		return "", nil, errorsmod.Wrapf(ErrInvalidNode, "eth address %q is not hex", addr)
	}
	canonical = EthChecksum(raw)
	digits := addr[2:]
	if digits != strings.ToLower(digits) && digits != strings.ToUpper(digits) && addr != canonical {
		return "", nil, errorsmod.Wrapf(ErrInvalidNode, "eth address %q fails its EIP-55 checksum (did you mean %s?)", addr, canonical)
	}
	return canonical, raw, nil
}

// EthChecksum is the EIP-55 mixed-case form of a 20-byte address: a hex
// letter is upper case where the matching nibble of keccak256(lower-case
// hex) is 8 or more.
func EthChecksum(raw []byte) string {
	lower := hex.EncodeToString(raw)
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(lower))
	sum := h.Sum(nil)
	out := []byte("0x" + lower)
	for i := range lower {
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if c := out[2+i]; c >= 'a' && c <= 'f' && nibble >= 8 {
			out[2+i] = c - 'a' + 'A'
		}
	}
	return string(out)
}
