package proof

import (
	"encoding/binary"
)

// Domain tags keep a reading leaf from ever being read as a batch leaf (and
// the reverse); the tree itself already separates leaves from inner nodes.
const (
	readingTag = "trustedge/reading/v1"
	batchTag   = "trustedge/batch/v1"
	// saltedBatchTag marks a batch leaf with a salt: a different tag of
	// the same length, so a salted leaf never reads as an unsalted one.
	saltedBatchTag = "trustedge/batch/v2"
)

// HashSize is the size of every root and hash (sha256).
const HashSize = 32

// SaltSize is the size of a batch's salt (see BatchLeaf).
const SaltSize = 32

// ReadingLeaf is the leaf encoding of one reading: tag, stream id, sequence
// number, device time and payload, each length-prefixed or fixed-size so the
// encoding is injective.
func ReadingLeaf(streamID string, seq uint64, time int64, payload []byte) []byte {
	b := make([]byte, 0, len(readingTag)+len(streamID)+len(payload)+2*binary.MaxVarintLen64+16)
	return AppendReadingLeaf(b, streamID, seq, time, payload)
}

// AppendReadingLeaf appends ReadingLeaf's encoding to b (for callers that
// reuse buffers when hashing many readings).
func AppendReadingLeaf(b []byte, streamID string, seq uint64, time int64, payload []byte) []byte {
	b = append(b, readingTag...)
	b = appendString(b, streamID)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = binary.BigEndian.AppendUint64(b, uint64(time))
	b = binary.AppendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

// BatchLeaf is the leaf encoding of one stream's batch in an epoch.
//
// salt (SaltSize random bytes the edge node draws per batch, or empty) hides
// the batch from readers of other streams: a proof of one stream carries
// the leaf hashes of neighbouring streams' batches as Merkle aunts, and
// without a salt the hash of a one-reading batch with a guessable payload
// and time can be found by trying candidates — a reader of one stream
// would learn another's data. The salt travels only in proofs of the
// batch's own readings. Batches of epochs closed before salts existed have
// none and keep the version 1 encoding.
func BatchLeaf(streamID string, firstSeq, lastSeq uint64, root, salt []byte) []byte {
	tag := batchTag
	if len(salt) > 0 {
		tag = saltedBatchTag
	}
	b := make([]byte, 0, len(tag)+len(streamID)+binary.MaxVarintLen64+16+len(root)+len(salt))
	b = append(b, tag...)
	b = appendString(b, streamID)
	b = binary.BigEndian.AppendUint64(b, firstSeq)
	b = binary.BigEndian.AppendUint64(b, lastSeq)
	b = append(b, root...)
	return append(b, salt...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
