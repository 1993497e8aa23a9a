package proof

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/merkle"
)

// ReadingProof proves that a reading is in an epoch of a node:
// reading -> batch root (ReadingPath) -> epoch root (BatchPath).
type ReadingProof struct {
	Node        string        `json:"node"`
	Epoch       uint64        `json:"epoch"`
	Reading     Reading       `json:"reading"`
	Batch       Batch         `json:"batch"`
	ReadingPath *merkle.Proof `json:"reading_path"`
	BatchPath   *merkle.Proof `json:"batch_path"`
	EpochRoot   []byte        `json:"epoch_root"`
}

// Errors a verifier can tell apart.
var (
	ErrMalformed    = errors.New("malformed proof")
	ErrWrongRoot    = errors.New("proof does not lead to the epoch root")
	ErrRootMismatch = errors.New("epoch root differs from the committed root")
)

// Verify checks the proof's internal consistency and that it leads to
// committedRoot (the root stored on chain for p.Node, p.Epoch). streamCount,
// when non-zero, must equal the number of batches the chain recorded.
func (p *ReadingProof) Verify(committedRoot []byte, streamCount uint64) error {
	if err := p.ValidateBasic(); err != nil {
		return err
	}
	if !bytes.Equal(p.EpochRoot, committedRoot) {
		return fmt.Errorf("%w: proof has %X, chain has %X", ErrRootMismatch, p.EpochRoot, committedRoot)
	}
	if streamCount != 0 && uint64(p.BatchPath.Total) != streamCount {
		return fmt.Errorf("%w: batch path over %d batches, epoch has %d", ErrMalformed, p.BatchPath.Total, streamCount)
	}
	if err := p.ReadingPath.Verify(p.Batch.Root, p.Reading.Leaf()); err != nil {
		return fmt.Errorf("%w: reading -> batch root: %v", ErrWrongRoot, err)
	}
	if err := p.BatchPath.Verify(committedRoot, p.Batch.Leaf()); err != nil {
		return fmt.Errorf("%w: batch -> epoch root: %v", ErrWrongRoot, err)
	}
	return nil
}

// ValidateBasic checks shapes without hashing: sizes, the reading inside its
// batch's range, and the reading path's index and total matching the
// reading's position in the batch (so a proof cannot claim another seq).
func (p *ReadingProof) ValidateBasic() error {
	if p == nil {
		return fmt.Errorf("%w: nil", ErrMalformed)
	}
	if p.Epoch == 0 {
		return fmt.Errorf("%w: epoch 0", ErrMalformed)
	}
	if p.Reading.StreamID == "" || p.Reading.StreamID != p.Batch.StreamID {
		return fmt.Errorf("%w: reading stream %q, batch stream %q", ErrMalformed, p.Reading.StreamID, p.Batch.StreamID)
	}
	if p.Batch.FirstSeq == 0 || p.Batch.LastSeq < p.Batch.FirstSeq {
		return fmt.Errorf("%w: batch range %d..%d", ErrMalformed, p.Batch.FirstSeq, p.Batch.LastSeq)
	}
	if p.Reading.Seq < p.Batch.FirstSeq || p.Reading.Seq > p.Batch.LastSeq {
		return fmt.Errorf("%w: seq %d outside batch %d..%d", ErrMalformed, p.Reading.Seq, p.Batch.FirstSeq, p.Batch.LastSeq)
	}
	if len(p.Batch.Root) != HashSize || len(p.EpochRoot) != HashSize {
		return fmt.Errorf("%w: roots must be %d bytes", ErrMalformed, HashSize)
	}
	if len(p.Batch.Salt) != 0 && len(p.Batch.Salt) != SaltSize {
		return fmt.Errorf("%w: batch salt is %d bytes, want %d or none", ErrMalformed, len(p.Batch.Salt), SaltSize)
	}
	if p.ReadingPath == nil || p.BatchPath == nil {
		return fmt.Errorf("%w: missing path", ErrMalformed)
	}
	if err := p.ReadingPath.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: reading path: %v", ErrMalformed, err)
	}
	if err := p.BatchPath.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: batch path: %v", ErrMalformed, err)
	}
	if uint64(p.ReadingPath.Total) != p.Batch.Count() {
		return fmt.Errorf("%w: reading path over %d leaves, batch has %d", ErrMalformed, p.ReadingPath.Total, p.Batch.Count())
	}
	if uint64(p.ReadingPath.Index) != p.Reading.Seq-p.Batch.FirstSeq {
		return fmt.Errorf("%w: reading path index %d, seq %d is at %d", ErrMalformed, p.ReadingPath.Index, p.Reading.Seq, p.Reading.Seq-p.Batch.FirstSeq)
	}
	if p.BatchPath.Total < 1 || p.BatchPath.Index >= p.BatchPath.Total {
		return fmt.Errorf("%w: batch path index %d of %d", ErrMalformed, p.BatchPath.Index, p.BatchPath.Total)
	}
	return nil
}
