package proof

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
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
	// Salt is SaltSize random bytes, or empty for batches of epochs closed
	// before salts existed (see BatchLeaf).
	Salt []byte `json:"salt,omitempty"`
}

// Leaf is the batch's leaf encoding in the epoch tree.
func (b Batch) Leaf() []byte { return BatchLeaf(b.StreamID, b.FirstSeq, b.LastSeq, b.Root, b.Salt) }

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
// sorted by stream id, no stream twice, first <= last, 32-byte roots,
// 32-byte salts or none.
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
		if len(b.Salt) != 0 && len(b.Salt) != SaltSize {
			return fmt.Errorf("batch %d (%s): salt is %d bytes, want %d or none", i, b.StreamID, len(b.Salt), SaltSize)
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
	var lh LeafHasher
	flat := make([]byte, 0, len(leaves)*sha256.Size)
	hashes := make([][]byte, len(leaves))
	for j, l := range leaves {
		flat = lh.Append(flat, l)
		hashes[j] = flat[j*sha256.Size : (j+1)*sha256.Size : (j+1)*sha256.Size]
	}
	return InclusionFromLeafHashes(hashes, i)
}

// InclusionFromLeafHashes is ReadingInclusion over leaf hashes (LeafHash):
// a caller that hashes each leaf as it reads it keeps 32 bytes per reading
// instead of every leaf encoding, payloads included.
func InclusionFromLeafHashes(hashes [][]byte, i int) (root []byte, p *merkle.Proof, err error) {
	if i < 0 || i >= len(hashes) {
		return nil, nil, fmt.Errorf("index %d out of range [0,%d)", i, len(hashes))
	}
	root, aunts := path(hashes, i)
	return root, &merkle.Proof{
		Total:    int64(len(hashes)),
		Index:    int64(i),
		LeafHash: slices.Clone(hashes[i]),
		Aunts:    aunts,
	}, nil
}

// RootFromLeafHashes is the root CometBFT's merkle.HashFromByteSlices gives
// over the leaves whose LeafHash these are (TestRootFromLeafHashes). It
// folds the hashes left to right on a stack of perfect subtrees — merging
// the top two while they are the same size — and then joins what is left
// right to left, which is RFC 6962's tree shape (left subtree = the largest
// power of two below n), in O(log n) memory and no allocation per node.
func RootFromLeafHashes(hashes [][]byte) []byte {
	if len(hashes) == 0 {
		h := sha256.Sum256(nil)
		return h[:]
	}
	type subtree struct {
		hash [sha256.Size]byte
		size int
	}
	var stack [64]subtree // sizes are distinct powers of two
	top := 0
	for _, lh := range hashes {
		if len(lh) != sha256.Size {
			return rootFromLeafHashesSlow(hashes)
		}
		cur := subtree{size: 1}
		copy(cur.hash[:], lh)
		for top > 0 && stack[top-1].size == cur.size {
			cur.hash = innerHash32(&stack[top-1].hash, &cur.hash)
			cur.size *= 2
			top--
		}
		stack[top] = cur
		top++
	}
	h := stack[top-1].hash
	for i := top - 2; i >= 0; i-- {
		h = innerHash32(&stack[i].hash, &h)
	}
	return h[:]
}

// rootFromLeafHashesSlow is RootFromLeafHashes by recursion, for hashes of
// another length than sha256's (never produced by LeafHash).
func rootFromLeafHashesSlow(hashes [][]byte) []byte {
	if len(hashes) == 1 {
		return slices.Clone(hashes[0])
	}
	k := splitPoint(len(hashes))
	return innerHash(rootFromLeafHashesSlow(hashes[:k]), rootFromLeafHashesSlow(hashes[k:]))
}

// innerHash32 is innerHash of two sha256 hashes, without allocating.
func innerHash32(left, right *[sha256.Size]byte) [sha256.Size]byte {
	var b [1 + 2*sha256.Size]byte
	b[0] = 1
	copy(b[1:], left[:])
	copy(b[1+sha256.Size:], right[:])
	return sha256.Sum256(b[:])
}

// path is the root over the leaf hashes and the aunts of leaf i, lowest
// first, in CometBFT's tree shape (left subtree = the largest power of two
// < n).
func path(hashes [][]byte, i int) (root []byte, aunts [][]byte) {
	if len(hashes) == 1 {
		return slices.Clone(hashes[0]), nil
	}
	k := splitPoint(len(hashes))
	if i < k {
		left, aunts := path(hashes[:k], i)
		right := RootFromLeafHashes(hashes[k:])
		return innerHash(left, right), append(aunts, right)
	}
	right, aunts := path(hashes[k:], i-k)
	left := RootFromLeafHashes(hashes[:k])
	return innerHash(left, right), append(aunts, left)
}

// LeafHash is RFC 6962's leaf hash, sha256(0x00 || leaf), as crypto/merkle
// computes it.
func LeafHash(leaf []byte) []byte { return leafHash(leaf) }

// LeafHasher computes LeafHash without copying the leaf, for callers that
// hash many (the zero value is ready to use; not safe for concurrent use).
type LeafHasher struct{ h hash.Hash }

// Append appends LeafHash(leaf) to dst.
func (lh *LeafHasher) Append(dst, leaf []byte) []byte {
	if lh.h == nil {
		lh.h = sha256.New()
	}
	lh.h.Reset()
	lh.h.Write(leafPrefix) // hash.Hash writes never fail
	lh.h.Write(leaf)
	return lh.h.Sum(dst)
}

// leafHash and innerHash are RFC 6962's node hashes, as crypto/merkle
// computes them (it does not export them).
func leafHash(leaf []byte) []byte {
	h := sha256.Sum256(append([]byte{0}, leaf...))
	return h[:]
}

// leafPrefix is RFC 6962's leaf prefix (a variable, so writing it to a
// hash.Hash does not allocate).
var leafPrefix = []byte{0}

func innerHash(left, right []byte) []byte {
	if len(left) == sha256.Size && len(right) == sha256.Size {
		h := innerHash32((*[sha256.Size]byte)(left), (*[sha256.Size]byte)(right))
		return h[:]
	}
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
