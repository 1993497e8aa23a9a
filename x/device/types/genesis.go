package types

import (
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
		if r.ValidFromHeight < 0 || r.ValidUntilHeight < r.ValidFromHeight || r.ValidUntilHeight > d.KeySinceHeight {
			return errorsmod.Wrapf(ErrInvalidGenesis, "key history %d: device %q version %d: heights [%d, %d) must be ordered and end by %d",
				i, h.DeviceId, h.Version, r.ValidFromHeight, r.ValidUntilHeight, d.KeySinceHeight)
		}
	}
	return nil
}
