package types_test

import (
	"bytes"
	"testing"

	"github.com/cometbft/cometbft/crypto/merkle"
	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/stream/proof"
	"github.com/trustedge/trustedge/x/stream/types"
)

// The wire form carries every field of a proof, the batch salt included,
// through proto and back.
func TestReadingProofWireRoundTrip(t *testing.T) {
	h := func(b byte) []byte { return bytes.Repeat([]byte{b}, proof.HashSize) }
	p := &proof.ReadingProof{
		Node: "edge1node", Epoch: 4,
		Reading:     proof.Reading{StreamID: "s", Seq: 3, Time: 99, Payload: []byte("x")},
		Batch:       proof.Batch{StreamID: "s", FirstSeq: 1, LastSeq: 4, Root: h(1), Salt: h(2)},
		ReadingPath: &merkle.Proof{Total: 4, Index: 2, LeafHash: h(3), Aunts: [][]byte{h(4), h(5)}},
		BatchPath:   &merkle.Proof{Total: 2, Index: 0, LeafHash: h(6), Aunts: [][]byte{h(7)}},
		EpochRoot:   h(8),
	}
	wire := types.ReadingProofFrom(p)
	bz, err := wire.Marshal()
	require.NoError(t, err)
	var back types.ReadingProof
	require.NoError(t, back.Unmarshal(bz))
	require.Equal(t, p, back.ToProof())
}
