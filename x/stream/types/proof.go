package types

import (
	"github.com/cometbft/cometbft/crypto/merkle"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// ToProof converts the wire form to the proof package's form.
func (p ReadingProof) ToProof() *proof.ReadingProof {
	return &proof.ReadingProof{
		Node:  p.Node,
		Epoch: p.Epoch,
		Reading: proof.Reading{
			StreamID: p.StreamId, Seq: p.Seq, Time: p.Time, Payload: p.Payload,
		},
		Batch: proof.Batch{
			StreamID: p.Batch.StreamId, FirstSeq: p.Batch.FirstSeq, LastSeq: p.Batch.LastSeq, Root: p.Batch.Root,
			Salt: p.Batch.Salt,
		},
		ReadingPath: p.ReadingProof.toMerkle(),
		BatchPath:   p.BatchProof.toMerkle(),
		EpochRoot:   p.EpochRoot,
	}
}

// ReadingProofFrom converts the proof package's form to the wire form.
func ReadingProofFrom(p *proof.ReadingProof) ReadingProof {
	return ReadingProof{
		Node:     p.Node,
		Epoch:    p.Epoch,
		StreamId: p.Reading.StreamID,
		Seq:      p.Reading.Seq,
		Time:     p.Reading.Time,
		Payload:  p.Reading.Payload,
		Batch: BatchEntry{
			StreamId: p.Batch.StreamID, FirstSeq: p.Batch.FirstSeq, LastSeq: p.Batch.LastSeq, Root: p.Batch.Root, Salt: p.Batch.Salt,
		},
		ReadingProof: merkleFrom(p.ReadingPath),
		BatchProof:   merkleFrom(p.BatchPath),
		EpochRoot:    p.EpochRoot,
	}
}

func (m MerkleProof) toMerkle() *merkle.Proof {
	return &merkle.Proof{Total: m.Total, Index: m.Index, LeafHash: m.LeafHash, Aunts: m.Aunts}
}

func merkleFrom(p *merkle.Proof) MerkleProof {
	if p == nil {
		return MerkleProof{}
	}
	return MerkleProof{Total: p.Total, Index: p.Index, LeafHash: p.LeafHash, Aunts: p.Aunts}
}
