package proof

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/cometbft/cometbft/crypto/merkle"
)

// Reading is one committed reading, as the leaf encodes it.
type Reading struct {
	StreamID string `json:"stream_id"`
	Seq      uint64 `json:"seq"`
	Time     int64  `json:"time"`
	Payload  []byte `json:"payload"`
}

// Leaf is the reading's leaf encoding.
func (r Reading) Leaf() []byte { return ReadingLeaf(r.StreamID, r.Seq, r.Time, r.Payload) }

// Batch is one stream's readings in an epoch: sequence numbers FirstSeq..LastSeq
// with no gap, and the root of their tree.
type Batch struct {
	StreamID string `json:"stream_id"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Root     []byte `json:"root"`
}

// Leaf is the batch's leaf encoding in the epoch tree.
func (b Batch) Leaf() []byte { return BatchLeaf(b.StreamID, b.FirstSeq, b.LastSeq, b.Root) }

// Count is the number of readings in the batch.
func (b Batch) Count() uint64 { return b.LastSeq - b.FirstSeq + 1 }

// BatchRoot is the root over readings (one stream, consecutive seqs in
// order). leaves must be the readings' Leaf() encodings.
func BatchRoot(leaves [][]byte) []byte { return merkle.HashFromByteSlices(leaves) }

// SortBatches orders batches as the epoch tree does: by stream id.
func SortBatches(bs []Batch) {
	slices.SortFunc(bs, func(a, b Batch) int { return cmp.Compare(a.StreamID, b.StreamID) })
}

// EpochRoot is the root over batches, which must be sorted by stream id
// with each stream at most once (ValidateBatches).
func EpochRoot(bs []Batch) []byte {
	leaves := make([][]byte, len(bs))
	for i, b := range bs {
		leaves[i] = b.Leaf()
	}
	return merkle.HashFromByteSlices(leaves)
}

// ValidateBatches checks the epoch tree's invariants: at least one batch,
// sorted by stream id, no stream twice, first <= last, 32-byte roots.
func ValidateBatches(bs []Batch) error {
	if len(bs) == 0 {
		return errors.New("epoch has no batches")
	}
	for i, b := range bs {
		if b.StreamID == "" {
			return fmt.Errorf("batch %d: empty stream id", i)
		}
		if b.FirstSeq == 0 || b.LastSeq < b.FirstSeq {
			return fmt.Errorf("batch %d (%s): bad sequence range %d..%d", i, b.StreamID, b.FirstSeq, b.LastSeq)
		}
		if len(b.Root) != HashSize {
			return fmt.Errorf("batch %d (%s): root is %d bytes, want %d", i, b.StreamID, len(b.Root), HashSize)
		}
		if i > 0 && bs[i-1].StreamID >= b.StreamID {
			return fmt.Errorf("batch %d (%s): not sorted after %s or duplicated", i, b.StreamID, bs[i-1].StreamID)
		}
	}
	return nil
}

// BatchProofs returns the root over a batch's reading leaves and the proof
// of the reading at index i (seq = first + i).
func ReadingInclusion(leaves [][]byte, i int) (root []byte, p *merkle.Proof, err error) {
	if i < 0 || i >= len(leaves) {
		return nil, nil, fmt.Errorf("index %d out of range [0,%d)", i, len(leaves))
	}
	root, proofs := merkle.ProofsFromByteSlices(leaves)
	return root, proofs[i], nil
}

// BatchInclusion returns the epoch root over sorted batches and the proof of
// the batch of the given stream.
func BatchInclusion(bs []Batch, streamID string) (root []byte, p *merkle.Proof, idx int, err error) {
	idx, found := slices.BinarySearchFunc(bs, streamID, func(b Batch, s string) int { return cmp.Compare(b.StreamID, s) })
	if !found {
		return nil, nil, 0, fmt.Errorf("stream %q has no batch in this epoch", streamID)
	}
	leaves := make([][]byte, len(bs))
	for i, b := range bs {
		leaves[i] = b.Leaf()
	}
	root, proofs := merkle.ProofsFromByteSlices(leaves)
	return root, proofs[idx], idx, nil
}
