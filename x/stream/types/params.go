package types

import errorsmod "cosmossdk.io/errors"

// Default parameters.
const (
	// DefaultMaxReplication bounds Stream.replication: a batch on at most
	// five edge nodes is plenty for a consortium of a few dozen.
	DefaultMaxReplication = 5
	// DefaultMaxReadingsPerEpoch bounds one commitment's reading count.
	DefaultMaxReadingsPerEpoch = 10_000_000
)

// DefaultParams returns the default module parameters.
func DefaultParams() Params {
	return Params{MaxReplication: DefaultMaxReplication, MaxReadingsPerEpoch: DefaultMaxReadingsPerEpoch}
}

// Validate checks that both bounds allow something: a zero bound would
// refuse every stream or every commitment.
func (p Params) Validate() error {
	if p.MaxReplication == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "max_replication must be at least 1")
	}
	if p.MaxReadingsPerEpoch < MinReadingsPerEpochLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_readings_per_epoch must be at least %d (one ingest batch)", MinReadingsPerEpochLimit)
	}
	return nil
}
