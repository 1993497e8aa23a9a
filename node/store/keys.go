package store

import (
	"encoding/binary"
	"fmt"
)

// Key layout. Every key starts with a one-byte table prefix. Stream ids are
// 1..64 of [A-Za-z0-9._:-] (ingest.ValidateID), so they never contain 0x00
// and "stream 0x00" sorts every key of a stream before any key of a longer
// id that shares its prefix ("a" < "a.b"). Numbers are 8-byte big-endian so
// byte order is numeric order. Repeating the stream id in every reading key
// costs little on disk: pebble prefix-compresses the keys of a block.
//
//	r | stream | 0x00 | seq            -> time(8) | payload               a reading
//	h | stream                          -> last seq(8)                   the stream's head (last acknowledged seq)
//	p | stream | 0x00 | first seq      -> last seq(8) | ingest time(8)  one Append not yet in an epoch
//	b | stream | 0x00 | last seq       -> epoch(8) | first seq(8)       batch index: which epoch holds a seq range
//	e | epoch                           -> manifest (codec.go)           an epoch: captured ranges, then roots
//	c | epoch                           -> height(8)                     block that committed the epoch on chain
//	x | stream                          -> last pruned seq(8)            retention watermark (prune.go)
//
// Append writes r, h and p in one batch. CloseEpoch deletes the p keys it
// captured and writes b and e in one batch, so a range is pending or in an
// epoch, never both and never neither. The batch index is keyed by the last
// seq of each batch: a SeekGE to (stream, seq) lands on the one batch that
// can hold seq.
const (
	tableReading    byte = 'r'
	tableHead       byte = 'h'
	tablePending    byte = 'p'
	tableBatchIndex byte = 'b'
	tableEpoch      byte = 'e'
	tableCommitted  byte = 'c'
)

// streamPrefix is table | stream | 0x00: the prefix of every key of one
// stream in a per-stream table.
func streamPrefix(table byte, streamID string) []byte {
	k := make([]byte, 0, len(streamID)+10)
	return appendStreamPrefix(k, table, streamID)
}

func appendStreamPrefix(dst []byte, table byte, streamID string) []byte {
	dst = append(dst, table)
	dst = append(dst, streamID...)
	return append(dst, 0)
}

// streamSeqKey is table | stream | 0x00 | seq (tables r, p and b).
func streamSeqKey(table byte, streamID string, seq uint64) []byte {
	return appendStreamSeqKey(make([]byte, 0, len(streamID)+10), table, streamID, seq)
}

func appendStreamSeqKey(dst []byte, table byte, streamID string, seq uint64) []byte {
	dst = appendStreamPrefix(dst, table, streamID)
	return binary.BigEndian.AppendUint64(dst, seq)
}

// parseStreamSeqKey splits a key of table r, p or b.
func parseStreamSeqKey(table byte, k []byte) (streamID string, seq uint64, err error) {
	if len(k) < 11 || k[0] != table || k[len(k)-9] != 0 {
		return "", 0, fmt.Errorf("%w: malformed %q key %x", ErrCorrupt, table, k)
	}
	return string(k[1 : len(k)-9]), binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

func headKey(streamID string) []byte {
	k := make([]byte, 0, len(streamID)+1)
	k = append(k, tableHead)
	return append(k, streamID...)
}

// numberKey is table | n (tables e and c).
func numberKey(table byte, n uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{table}, n)
}

// tableBounds are the iterator bounds [table, table+1) of a whole table.
func tableBounds(table byte) (lower, upper []byte) {
	return []byte{table}, []byte{table + 1}
}

// prefixUpper is the exclusive upper bound of keys starting with p.
func prefixUpper(p []byte) []byte {
	u := append([]byte(nil), p...)
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] != 0xff {
			u[i]++
			return u[:i+1]
		}
	}
	return nil
}
