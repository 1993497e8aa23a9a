package types

import (
	"cmp"
	"math"
	"slices"
	"unicode/utf8"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// Limits on owner-supplied fields, so a device record stays small: the chain
// must hold millions of them.
const (
	MaxDeviceIDLen      = 64
	MaxMetadataEntries  = 8
	MaxMetadataKeyLen   = 32
	MaxMetadataValueLen = 128
	MaxReasonLen        = 256
)

// MaxKeyVersion bounds key_version, which starts at 1 and grows by one per
// rotation. A rotation at the bound is refused (ErrKeyVersionLimit) instead
// of wrapping to 0, which the chain's own export would then fail to
// validate; genesis accepts 1..MaxKeyVersion, all a chain can reach. 2^32-1
// rotations, one per block, would take a century of 1-second blocks.
const MaxKeyVersion uint64 = math.MaxUint32

// ValidateDeviceID accepts 1..64 characters of [A-Za-z0-9._:-]: safe in
// store keys (no 0x00), in x/access resources ("device/<id>") and in URLs.
func ValidateDeviceID(id string) error {
	if len(id) == 0 || len(id) > MaxDeviceIDLen {
		return errorsmod.Wrapf(ErrInvalidDeviceID, "%q: must be 1..%d characters", id, MaxDeviceIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isIDChar(id[i]) {
			return errorsmod.Wrapf(ErrInvalidDeviceID, "%q: only [A-Za-z0-9._:-] allowed", id)
		}
	}
	return nil
}

func isIDChar(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
		c == '.' || c == '_' || c == ':' || c == '-'
}

// ValidateKind rejects UNSPECIFIED and unknown numbers.
func ValidateKind(k DeviceKind) error {
	switch k {
	case DEVICE_KIND_COLLECTOR, DEVICE_KIND_ACTUATOR, DEVICE_KIND_BOTH:
		return nil
	default:
		return errorsmod.Wrapf(ErrInvalidDevice, "kind %s", k)
	}
}

// NormalizeProtocols checks a protocol list and returns it sorted. At least
// one is required (a device must reach its node somehow); no duplicates.
func NormalizeProtocols(ps []Protocol) ([]Protocol, error) {
	if len(ps) == 0 {
		return nil, errorsmod.Wrapf(ErrInvalidDevice, "at least one protocol is required")
	}
	if len(ps) > len(Protocol_name)-1 {
		return nil, errorsmod.Wrapf(ErrInvalidDevice, "%d protocols listed, only %d exist", len(ps), len(Protocol_name)-1)
	}
	out := slices.Clone(ps)
	slices.Sort(out)
	for i, p := range out {
		if _, known := Protocol_name[int32(p)]; !known || p == PROTOCOL_UNSPECIFIED {
			return nil, errorsmod.Wrapf(ErrInvalidDevice, "protocol %s", p)
		}
		if i > 0 && out[i-1] == p {
			return nil, errorsmod.Wrapf(ErrInvalidDevice, "protocol %s listed twice", p)
		}
	}
	return out, nil
}

// NormalizeMetadata checks metadata and returns it sorted by key: the stored
// form is canonical, so equal metadata is equal bytes.
func NormalizeMetadata(md []MetadataEntry) ([]MetadataEntry, error) {
	if len(md) > MaxMetadataEntries {
		return nil, errorsmod.Wrapf(ErrInvalidDevice, "at most %d metadata entries, got %d", MaxMetadataEntries, len(md))
	}
	if len(md) == 0 {
		return nil, nil
	}
	out := slices.Clone(md)
	slices.SortStableFunc(out, func(a, b MetadataEntry) int { return cmp.Compare(a.Key, b.Key) })
	for i, e := range out {
		if err := validateMetadataEntry(e); err != nil {
			return nil, err
		}
		if i > 0 && out[i-1].Key == e.Key {
			return nil, errorsmod.Wrapf(ErrInvalidDevice, "metadata key %q listed twice", e.Key)
		}
	}
	return out, nil
}

func validateMetadataEntry(e MetadataEntry) error {
	if len(e.Key) == 0 || len(e.Key) > MaxMetadataKeyLen {
		return errorsmod.Wrapf(ErrInvalidDevice, "metadata key %q must be 1..%d characters", e.Key, MaxMetadataKeyLen)
	}
	for i := 0; i < len(e.Key); i++ {
		if !isIDChar(e.Key[i]) && e.Key[i] != '/' {
			return errorsmod.Wrapf(ErrInvalidDevice, "metadata key %q: only [A-Za-z0-9._:/-] allowed", e.Key)
		}
	}
	if len(e.Value) > MaxMetadataValueLen {
		return errorsmod.Wrapf(ErrInvalidDevice, "metadata %q: value longer than %d bytes", e.Key, MaxMetadataValueLen)
	}
	if !printableUTF8(e.Value) {
		return errorsmod.Wrapf(ErrInvalidDevice, "metadata %q: value must be UTF-8 without control characters", e.Key)
	}
	return nil
}

// ValidateReason checks the free-text reason of a status change.
func ValidateReason(r string) error {
	if len(r) > MaxReasonLen {
		return errorsmod.Wrapf(ErrInvalidReason, "longer than %d bytes", MaxReasonLen)
	}
	if !printableUTF8(r) {
		return errorsmod.Wrapf(ErrInvalidReason, "must be UTF-8 without control characters")
	}
	return nil
}

func printableUTF8(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// ValidateStatus accepts the three stored statuses.
func ValidateStatus(s DeviceStatus) error {
	switch s {
	case DEVICE_STATUS_ACTIVE, DEVICE_STATUS_SUSPENDED, DEVICE_STATUS_REVOKED:
		return nil
	default:
		return errorsmod.Wrapf(ErrInvalidDevice, "status %s", s)
	}
}

// ValidateStored checks a full device record (genesis or import): every
// field as the msg server would have written it, in canonical order.
func (d Device) ValidateStored(ac address.Codec) error {
	if err := ValidateDeviceID(d.Id); err != nil {
		return err
	}
	if _, err := ac.StringToBytes(d.Owner); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "owner %q: %v", d.Owner, err)
	}
	if _, err := ac.StringToBytes(d.HomeNode); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "home node %q: %v", d.HomeNode, err)
	}
	if err := d.Pubkey.Validate(); err != nil {
		return err
	}
	if d.KeyVersion == 0 {
		return errorsmod.Wrapf(ErrInvalidDevice, "key_version starts at 1")
	}
	if d.KeyVersion > MaxKeyVersion {
		return errorsmod.Wrapf(ErrInvalidDevice, "key_version %d above the limit %d", d.KeyVersion, MaxKeyVersion)
	}
	if d.SuspendedByAdmin && d.Status != DEVICE_STATUS_SUSPENDED {
		return errorsmod.Wrapf(ErrInvalidDevice, "suspended_by_admin on a device that is %s, not suspended", d.Status)
	}
	if d.RegisteredHeight < 0 || d.KeySinceHeight < d.RegisteredHeight {
		return errorsmod.Wrapf(ErrInvalidDevice, "heights: registered %d, key since %d", d.RegisteredHeight, d.KeySinceHeight)
	}
	if err := ValidateKind(d.Kind); err != nil {
		return err
	}
	ps, err := NormalizeProtocols(d.Protocols)
	if err != nil {
		return err
	}
	if !slices.Equal(ps, d.Protocols) {
		return errorsmod.Wrapf(ErrInvalidDevice, "protocols must be sorted")
	}
	md, err := NormalizeMetadata(d.Metadata)
	if err != nil {
		return err
	}
	if !slices.Equal(md, d.Metadata) {
		return errorsmod.Wrapf(ErrInvalidDevice, "metadata must be sorted by key")
	}
	return ValidateStatus(d.Status)
}

// IsActive reports whether the device may currently sign and send data.
func (d Device) IsActive() bool { return d.Status == DEVICE_STATUS_ACTIVE }
