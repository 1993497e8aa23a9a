package types

import errorsmod "cosmossdk.io/errors"

const (
	// DefaultMaxPowerChangeBps is 30% of total power per block, the figure
	// other proof-of-authority modules use.
	DefaultMaxPowerChangeBps = 3000
	// MaxPowerChangeBpsLimit keeps the cap strictly below 1/3: a bigger change
	// in one block could hand consensus to validators the old set never saw.
	MaxPowerChangeBpsLimit = 3333
)

// DefaultParams returns the params a new chain starts with.
func DefaultParams() Params {
	return Params{
		MaxPowerChangeBps:      DefaultMaxPowerChangeBps,
		BootstrapMode:          false,
		HeartbeatTimeoutBlocks: 0,
	}
}

// Validate checks the params are usable.
func (p Params) Validate() error {
	if p.MaxPowerChangeBps == 0 || p.MaxPowerChangeBps > MaxPowerChangeBpsLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_power_change_bps must be in [1, %d], got %d", MaxPowerChangeBpsLimit, p.MaxPowerChangeBps)
	}
	if p.HeartbeatTimeoutBlocks < 0 {
		return errorsmod.Wrapf(ErrInvalidParams, "heartbeat_timeout_blocks must be >= 0, got %d", p.HeartbeatTimeoutBlocks)
	}
	return nil
}
