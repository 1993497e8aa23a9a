package proof

import (
	"encoding/binary"
)

// Domain tags keep a reading leaf from ever being read as a batch leaf (and
// the reverse); the tree itself already separates leaves from inner nodes.
const (
	readingTag = "trustedge/reading/v1"
	batchTag   = "trustedge/batch/v1"
)

// HashSize is the size of every root and hash (sha256).
const HashSize = 32

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
func BatchLeaf(streamID string, firstSeq, lastSeq uint64, root []byte) []byte {
	b := make([]byte, 0, len(batchTag)+len(streamID)+binary.MaxVarintLen64+16+len(root))
	b = append(b, batchTag...)
	b = appendString(b, streamID)
	b = binary.BigEndian.AppendUint64(b, firstSeq)
	b = binary.BigEndian.AppendUint64(b, lastSeq)
	return append(b, root...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
