package types

import (
	errorsmod "cosmossdk.io/errors"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// ValidateCommitShape checks what a commitment must satisfy on its own:
// a 32-byte root, 1..maxReadings readings in 1..reading_count streams (a
// stream has at least one reading in an epoch it appears in), and an ingest
// window 0 < start <= end. maxReadings is params.max_readings_per_epoch.
func ValidateCommitShape(root []byte, readingCount uint64, streamCount uint32, windowStart, windowEnd int64, maxReadings uint64) error {
	if len(root) != proof.HashSize {
		return errorsmod.Wrapf(ErrInvalidCommit, "root is %d bytes, want %d", len(root), proof.HashSize)
	}
	if readingCount == 0 || readingCount > maxReadings {
		return errorsmod.Wrapf(ErrInvalidCommit, "reading_count %d not in [1, %d]", readingCount, maxReadings)
	}
	if streamCount == 0 || uint64(streamCount) > readingCount {
		return errorsmod.Wrapf(ErrInvalidCommit, "stream_count %d not in [1, reading_count %d]", streamCount, readingCount)
	}
	if windowStart <= 0 || windowEnd < windowStart {
		return errorsmod.Wrapf(ErrInvalidCommit, "window [%d, %d] must satisfy 0 < start <= end", windowStart, windowEnd)
	}
	return nil
}
