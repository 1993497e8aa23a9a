package store

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble"
	"github.com/cometbft/cometbft/crypto/merkle"

	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/x/stream/proof"
)

// Prove builds the proof that reading (stream, seq) is in its epoch of this
// node (node is the operator address the chain records the epoch under).
// It finds the epoch through the batch index, rebuilds the batch tree from
// the stored readings and takes the batch's path in the epoch tree from a
// small cache of recent epochs. ErrNotFound: no such reading; ErrPending: the
// reading is stored but its epoch is not closed yet; ErrPruned: retention
// removed it after its epoch was committed.
func (s *Store) Prove(node, streamID string, seq uint64) (*proof.ReadingProof, *Epoch, error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if seq == 0 {
		return nil, nil, fmt.Errorf("%w: reading %s/0 (seqs start at 1)", ErrNotFound, streamID)
	}
	if err := s.enter(); err != nil {
		return nil, nil, err
	}
	defer s.leave()

	p, e, err := s.proveLocked(node, streamID, seq)
	if err != nil && !errors.Is(err, ErrPruned) && (errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt)) {
		// Retention may have deleted the reading's batch after the
		// watermark was read (it deletes readings and index entries and
		// moves the watermark in one batch): the reading is then pruned,
		// not missing, and the store is not corrupt.
		if mark, merr := s.prunedLocked(streamID); merr == nil && seq <= mark {
			return nil, nil, fmt.Errorf("%w: %s/%d (readings up to %d are pruned)", ErrPruned, streamID, seq, mark)
		}
	}
	return p, e, err
}

func (s *Store) proveLocked(node, streamID string, seq uint64) (*proof.ReadingProof, *Epoch, error) {
	if mark, err := s.prunedLocked(streamID); err != nil {
		return nil, nil, err
	} else if seq <= mark {
		return nil, nil, fmt.Errorf("%w: %s/%d (readings up to %d are pruned)", ErrPruned, streamID, seq, mark)
	}
	number, found, err := s.locate(streamID, seq)
	if err != nil {
		return nil, nil, err
	}
	if !found {
		return nil, nil, s.unlocated(streamID, seq)
	}
	pe, err := s.provable(number)
	if err != nil {
		return nil, nil, err
	}
	idx, ok := slices.BinarySearchFunc(pe.m.Batches, streamID, func(b proof.Batch, id string) int { return cmp.Compare(b.StreamID, id) })
	if !ok || seq < pe.m.Batches[idx].FirstSeq || seq > pe.m.Batches[idx].LastSeq {
		return nil, nil, fmt.Errorf("%w: batch index puts %s/%d in epoch %d, its manifest does not", ErrCorrupt, streamID, seq, number)
	}
	batch := pe.m.Batches[idx]

	var sc leafScratch
	hashes, err := s.readingLeafHashes(&sc, batch)
	if err != nil {
		return nil, nil, err
	}
	root, readingPath, err := proof.InclusionFromLeafHashes(hashes, int(seq-batch.FirstSeq))
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Equal(root, batch.Root) {
		return nil, nil, fmt.Errorf("%w: stream %s readings %d..%d no longer hash to the root of epoch %d", ErrCorrupt, streamID, batch.FirstSeq, batch.LastSeq, number)
	}
	r, err := s.readingLocked(streamID, seq)
	if err != nil {
		return nil, nil, err
	}
	h, err := s.committedHeight(number)
	if err != nil {
		return nil, nil, err
	}
	p := &proof.ReadingProof{
		Node:        node,
		Epoch:       number,
		Reading:     proof.Reading{StreamID: streamID, Seq: seq, Time: r.Time, Payload: r.Payload},
		Batch:       cloneBatch(batch),
		ReadingPath: readingPath,
		BatchPath:   cloneProof(pe.batchPaths[idx]),
		EpochRoot:   slices.Clone(pe.m.Root),
	}
	return p, pe.m.epoch(h), nil
}

// locate finds the epoch holding (stream, seq) in the batch index: the first
// batch of the stream whose last seq is >= seq holds seq if its first seq is
// <= seq.
func (s *Store) locate(streamID string, seq uint64) (epoch uint64, found bool, err error) {
	prefix := streamPrefix(tableBatchIndex, streamID)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixUpper(prefix)})
	if err != nil {
		return 0, false, err
	}
	defer it.Close()
	if !it.SeekGE(streamSeqKey(tableBatchIndex, streamID, seq)) {
		return 0, false, it.Error()
	}
	epoch, first, err := decodeBatchIndexValue(it.Value())
	if err != nil || first > seq {
		return 0, false, err
	}
	return epoch, true, nil
}

// unlocated explains a reading in no epoch: pending if the stream has it.
func (s *Store) unlocated(streamID string, seq uint64) error {
	head, err := s.head(streamID)
	if err != nil {
		return err
	}
	if seq <= head {
		return fmt.Errorf("%w: %s/%d", ErrPending, streamID, seq)
	}
	return fmt.Errorf("%w: reading %s/%d (stream head is %d)", ErrNotFound, streamID, seq, head)
}

func (s *Store) readingLocked(streamID string, seq uint64) (Reading, error) {
	v, closer, err := s.db.Get(streamSeqKey(tableReading, streamID, seq))
	if errors.Is(err, pebble.ErrNotFound) {
		return Reading{}, fmt.Errorf("%w: reading %s/%d", ErrNotFound, streamID, seq)
	}
	if err != nil {
		return Reading{}, err
	}
	defer closer.Close()
	return decodeReadingValue(v)
}

// provable returns closed epoch n with the path of every batch to its root,
// from the cache or built and cached.
func (s *Store) provable(n uint64) (*provableEpoch, error) {
	if pe := s.proofCache.get(n); pe != nil {
		return pe, nil
	}
	m, err := s.manifest(n)
	if err != nil {
		return nil, err
	}
	leaves := make([][]byte, len(m.Batches))
	for i, b := range m.Batches {
		leaves[i] = b.Leaf()
	}
	root, paths := merkle.ProofsFromByteSlices(leaves)
	if !bytes.Equal(root, m.Root) {
		return nil, fmt.Errorf("%w: epoch %d batches do not hash to its root", ErrCorrupt, n)
	}
	pe := &provableEpoch{m: m, batchPaths: paths}
	s.proofCache.put(n, pe)
	return pe, nil
}

// Proof parts leave the store as copies: a caller that edits a proof (a
// test tampering with it, say) must not edit the cache.

func cloneBatch(b proof.Batch) proof.Batch {
	b.Root = slices.Clone(b.Root)
	b.Salt = slices.Clone(b.Salt)
	return b
}

func cloneProof(p *merkle.Proof) *merkle.Proof {
	aunts := make([][]byte, len(p.Aunts))
	for i, a := range p.Aunts {
		aunts[i] = slices.Clone(a)
	}
	return &merkle.Proof{Total: p.Total, Index: p.Index, LeafHash: slices.Clone(p.LeafHash), Aunts: aunts}
}
