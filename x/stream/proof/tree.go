package proof

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"
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

// ReadingInclusion returns the root over a batch's reading leaves and the
// proof of the reading at index i (seq = first + i). It builds only that
// one path — O(n) hashing, O(log n) extra memory — where CometBFT's
// ProofsFromByteSlices would build all n proofs; the result is identical
// (TestReadingInclusionMatchesCometBFT) and verifies with merkle.Proof.
func ReadingInclusion(leaves [][]byte, i int) (root []byte, p *merkle.Proof, err error) {
	if i < 0 || i >= len(leaves) {
		return nil, nil, fmt.Errorf("index %d out of range [0,%d)", i, len(leaves))
	}
	root, aunts := path(leaves, i)
	return root, &merkle.Proof{
		Total:    int64(len(leaves)),
		Index:    int64(i),
		LeafHash: leafHash(leaves[i]),
		Aunts:    aunts,
	}, nil
}

// path is the root over items and the aunts of item i, lowest first, in
// CometBFT's tree shape (left subtree = the largest power of two < n).
func path(items [][]byte, i int) (root []byte, aunts [][]byte) {
	if len(items) == 1 {
		return leafHash(items[0]), nil
	}
	k := splitPoint(len(items))
	if i < k {
		left, aunts := path(items[:k], i)
		right := merkle.HashFromByteSlices(items[k:])
		return innerHash(left, right), append(aunts, right)
	}
	right, aunts := path(items[k:], i-k)
	left := merkle.HashFromByteSlices(items[:k])
	return innerHash(left, right), append(aunts, left)
}

// leafHash and innerHash are RFC 6962's node hashes, as crypto/merkle
// computes them (it does not export them).
func leafHash(leaf []byte) []byte {
	h := sha256.Sum256(append([]byte{0}, leaf...))
	return h[:]
}

func innerHash(left, right []byte) []byte {
	b := make([]byte, 0, 1+len(left)+len(right))
	b = append(append(append(b, 1), left...), right...)
	h := sha256.Sum256(b)
	return h[:]
}

// splitPoint is the largest power of two strictly below n (n >= 2).
func splitPoint(n int) int {
	k := 1 << (bits.Len(uint(n)) - 1)
	if k == n {
		k >>= 1
	}
	return k
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
