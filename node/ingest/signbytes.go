// Package ingest holds what a device and its gateway must agree on: the
// bytes a device key signs, identifier rules and request size limits. It
// is imported by the gateway and by the device SDK (node/device).
package ingest

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// Domain tags: a batch signature can never be replayed as a per-reading
// signature or as a signature of another protocol (device keys also sign key
// rotations, see x/device).
const (
	batchSigTag   = "trustedge/ingest-batch/v1"
	readingSigTag = "trustedge/ingest-reading/v1"
	readSigTag    = "trustedge/read-proof/v1"
)

// BatchReading is what the signature covers of each reading in a batch.
type BatchReading struct {
	Time    int64
	Payload []byte
}

// BatchSignBytes is the 32-byte digest a device signs for a batch: the chain
// id (no cross-chain replay), stream, device, first sequence number (no
// replay inside the chain: the gateway requires it to be the stream's next),
// the count and every reading's time and payload.
func BatchSignBytes(chainID, streamID, deviceID string, firstSeq uint64, readings []BatchReading) []byte {
	h := sha256.New()
	writeHeader(h, batchSigTag, chainID, streamID, deviceID)
	var buf [binary.MaxVarintLen64 + 16]byte
	b := binary.BigEndian.AppendUint64(buf[:0], firstSeq)
	b = binary.BigEndian.AppendUint64(b, uint64(len(readings)))
	h.Write(b)
	for _, r := range readings {
		writeReading(h, r.Time, r.Payload)
	}
	return h.Sum(nil)
}

// ReadingSignBytes is the 32-byte digest a device signs for one reading
// when it signs readings one by one.
func ReadingSignBytes(chainID, streamID, deviceID string, seq uint64, time int64, payload []byte) []byte {
	h := sha256.New()
	writeHeader(h, readingSigTag, chainID, streamID, deviceID)
	var buf [8]byte
	h.Write(binary.BigEndian.AppendUint64(buf[:0], seq))
	writeReading(h, time, payload)
	return h.Sum(nil)
}

// ReadSignBytes is the 32-byte digest a reader's account key signs to be
// served the proof of reading seq of a stream by one gateway: the chain id
// and the gateway's operator address keep the signature from being used on
// another chain or gateway, and signedAt (unix seconds) from being used
// past the gateway's window.
func ReadSignBytes(chainID, gatewayNode, streamID string, seq uint64, signedAt int64) []byte {
	h := sha256.New()
	writeHeader(h, readSigTag, chainID, gatewayNode, streamID)
	var buf [16]byte
	b := binary.BigEndian.AppendUint64(buf[:0], seq)
	h.Write(binary.BigEndian.AppendUint64(b, uint64(signedAt)))
	return h.Sum(nil)
}

func writeHeader(h hash.Hash, tag, chainID, streamID, deviceID string) {
	h.Write([]byte(tag))
	for _, s := range []string{chainID, streamID, deviceID} {
		writeLen(h, len(s))
		h.Write([]byte(s))
	}
}

func writeReading(h hash.Hash, time int64, payload []byte) {
	var buf [8 + binary.MaxVarintLen64]byte
	b := binary.BigEndian.AppendUint64(buf[:0], uint64(time))
	b = binary.AppendUvarint(b, uint64(len(payload)))
	h.Write(b)
	h.Write(payload)
}

func writeLen(h hash.Hash, n int) {
	var buf [binary.MaxVarintLen64]byte
	h.Write(binary.AppendUvarint(buf[:0], uint64(n)))
}
