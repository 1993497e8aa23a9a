package types

import (
	"cmp"
	"slices"
	"strings"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis has no devices: they are registered by their owners.
func DefaultGenesis() *GenesisState { return &GenesisState{} }

// Validate decodes every address and key, rejects duplicate devices and
// history entries, and checks each history entry belongs to a listed device
// and to a version it has retired, so a bad genesis fails at
// `genesis validate` and not at InitChain.
func (g GenesisState) Validate(ac address.Codec) error {
	devices := make(map[string]Device, len(g.Devices))
	for i, d := range g.Devices {
		if err := d.ValidateStored(ac); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "device %d (%q): %v", i, d.Id, err)
		}
		if _, dup := devices[d.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "device %d: duplicate id %q", i, d.Id)
		}
		devices[d.Id] = d
	}
	type histKey struct {
		id      string
		version uint64
	}
	seen := make(map[histKey]struct{}, len(g.KeyHistory))
	for i, h := range g.KeyHistory {
		d, ok := devices[h.DeviceId]
		if !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "key history %d: unknown device %q", i, h.DeviceId)
		}
		if h.Version == 0 || h.Version >= d.KeyVersion {
			return errorsmod.Wrapf(ErrInvalidGenesis, "key history %d: device %q version %d must be in [1, %d)", i, h.DeviceId, h.Version, d.KeyVersion)
		}
		k := histKey{h.DeviceId, h.Version}
		if _, dup := seen[k]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "key history %d: duplicate device %q version %d", i, h.DeviceId, h.Version)
		}
		seen[k] = struct{}{}
		if err := h.Record.Pubkey.Validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "key history %d: %v", i, err)
		}
		r := h.Record
		if r.ValidFromHeight < d.RegisteredHeight || r.ValidUntilHeight < r.ValidFromHeight || r.ValidUntilHeight > d.KeySinceHeight {
			return errorsmod.Wrapf(ErrInvalidGenesis, "key history %d: device %q version %d: heights [%d, %d) must be ordered, start at or after registration (%d) and end by %d",
				i, h.DeviceId, h.Version, r.ValidFromHeight, r.ValidUntilHeight, d.RegisteredHeight, d.KeySinceHeight)
		}
	}
	return validateHistoryOrder(g.KeyHistory)
}

// validateHistoryOrder checks that each device's retired keys follow one
// another: version v's range starts no earlier than the previous listed
// version's range ends. Rotations produce exactly that, and KeyAt relies
// on it (walking versions newest first, it stops at the first range that
// ends at or below the height asked about).
func validateHistoryOrder(history []KeyHistoryEntry) error {
	sorted := slices.Clone(history)
	slices.SortFunc(sorted, func(a, b KeyHistoryEntry) int {
		if c := strings.Compare(a.DeviceId, b.DeviceId); c != 0 {
			return c
		}
		return cmp.Compare(a.Version, b.Version)
	})
	for i := 1; i < len(sorted); i++ {
		prev, cur := sorted[i-1], sorted[i]
		if prev.DeviceId != cur.DeviceId {
			continue
		}
		if cur.Record.ValidFromHeight < prev.Record.ValidUntilHeight {
			return errorsmod.Wrapf(ErrInvalidGenesis, "key history: device %q version %d starts at %d, before version %d ended (%d)",
				cur.DeviceId, cur.Version, cur.Record.ValidFromHeight, prev.Version, prev.Record.ValidUntilHeight)
		}
	}
	return nil
}
