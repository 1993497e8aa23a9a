package types

import (
	"strings"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// Subject kinds, written "<kind>:<id>".
const (
	SubjectAccount = "account"
	SubjectDevice  = "device"
	SubjectRole    = "role"
)

// AccountSubject is the subject string of an account.
func AccountSubject(bech32 string) string { return SubjectAccount + ":" + bech32 }

// DeviceSubject is the subject string of a device.
func DeviceSubject(id string) string { return SubjectDevice + ":" + id }

// RoleSubject is the subject string of a role's members.
func RoleSubject(name string) string { return SubjectRole + ":" + name }

// NormalizeSubject checks a subject and returns its canonical form. A bare
// bech32 address is read as an account. Account addresses are re-encoded so
// one account has one subject string.
func NormalizeSubject(ac address.Codec, s string) (string, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok {
		kind, id = SubjectAccount, s
	}
	switch kind {
	case SubjectAccount:
		bz, err := ac.StringToBytes(id)
		if err != nil {
			return "", errorsmod.Wrapf(ErrInvalidSubject, "%q: account address: %v", s, err)
		}
		canon, err := ac.BytesToString(bz)
		if err != nil {
			return "", errorsmod.Wrapf(ErrInvalidSubject, "%q: %v", s, err)
		}
		return AccountSubject(canon), nil
	case SubjectDevice:
		if !validID(id, 64) {
			return "", errorsmod.Wrapf(ErrInvalidSubject, "%q: device id must be 1..64 of [A-Za-z0-9._:-]", s)
		}
		return s, nil
	case SubjectRole:
		if err := ValidateRoleName(id); err != nil {
			return "", errorsmod.Wrapf(ErrInvalidSubject, "%q: %v", s, err)
		}
		return s, nil
	default:
		return "", errorsmod.Wrapf(ErrInvalidSubject, "%q: kind must be account, device or role", s)
	}
}

// IsRoleSubject reports whether s names a role, and which.
func IsRoleSubject(s string) (string, bool) {
	return strings.CutPrefix(s, SubjectRole+":")
}

// ValidateRoleName: 1..32 of [a-z0-9._-], starting with a letter or digit.
func ValidateRoleName(name string) error {
	if name == "" || len(name) > 32 || name[0] == '.' || name[0] == '_' || name[0] == '-' {
		return errorsmod.Wrapf(ErrInvalidRole, "name %q must be 1..32 of [a-z0-9._-] starting with a letter or digit", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return errorsmod.Wrapf(ErrInvalidRole, "name %q must be 1..32 of [a-z0-9._-]", name)
		}
	}
	return nil
}

// validID: 1..max of [A-Za-z0-9._:-].
func validID(id string, max int) bool {
	if id == "" || len(id) > max {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idChar(id[i]) {
			return false
		}
	}
	return true
}

func idChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-'
}
