package store

import (
	"errors"
	"fmt"
)

// Errors callers tell apart with errors.Is. The store is off-chain, so these
// are plain Go errors, not registered ABCI errors.
var (
	// ErrNotFound: no such reading or epoch.
	ErrNotFound = errors.New("not found")
	// ErrPending: the reading is stored but its epoch is not closed yet, so
	// there is no root to prove it against.
	ErrPending = errors.New("reading not in a closed epoch yet")
	// ErrInvalid: bad arguments (ids, empty batch, epoch numbers, heights).
	ErrInvalid = errors.New("invalid argument")
	// ErrCorrupt: the database holds something the store never writes.
	ErrCorrupt = errors.New("store corrupt")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
)

// SeqError is Append's refusal of a batch whose first seq is not the
// stream's head + 1. Nothing of the batch was stored.
type SeqError struct {
	// Head is the stream's last acknowledged seq.
	Head uint64
	// Replay: the batch starts at or below Head (some of it is already
	// stored). Otherwise it leaves a gap after Head.
	Replay bool
}

func (e *SeqError) Error() string {
	if e.Replay {
		return fmt.Sprintf("sequence replay: stream head is %d, next seq must be %d", e.Head, e.Head+1)
	}
	return fmt.Sprintf("sequence gap: stream head is %d, next seq must be %d", e.Head, e.Head+1)
}
