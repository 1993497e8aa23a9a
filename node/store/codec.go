package store

import (
	"encoding/binary"
	"fmt"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// Value encodings of the tables in keys.go.

func appendReadingValue(dst []byte, r Reading) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.Time))
	return append(dst, r.Payload...)
}

// decodeReadingValue copies the payload: pebble's value buffers are only
// valid until the iterator moves or the Get closer is closed.
func decodeReadingValue(v []byte) (Reading, error) {
	if len(v) < 8 {
		return Reading{}, fmt.Errorf("%w: reading value of %d bytes", ErrCorrupt, len(v))
	}
	return Reading{Time: int64(binary.BigEndian.Uint64(v)), Payload: append([]byte{}, v[8:]...)}, nil
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func decodeU64(v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: number value of %d bytes", ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// pendingValue is the value of a p key: the Append's last seq and ingest time.
func pendingValue(lastSeq uint64, ingestTime int64) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), lastSeq)
	return binary.BigEndian.AppendUint64(b, uint64(ingestTime))
}

func decodePendingValue(v []byte) (lastSeq uint64, ingestTime int64, err error) {
	if len(v) != 16 {
		return 0, 0, fmt.Errorf("%w: pending value of %d bytes", ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint64(v), int64(binary.BigEndian.Uint64(v[8:])), nil
}

// batchIndexValue is the value of a b key: the epoch and the batch's first seq.
func batchIndexValue(epoch, firstSeq uint64) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), epoch)
	return binary.BigEndian.AppendUint64(b, firstSeq)
}

func decodeBatchIndexValue(v []byte) (epoch, firstSeq uint64, err error) {
	if len(v) != 16 {
		return 0, 0, fmt.Errorf("%w: batch index value of %d bytes", ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:]), nil
}

// manifest is an epoch as stored under its e key. An epoch is written twice:
// "captured" (ranges, counts and window; no roots) in the same batch that
// removes its readings from pending, then "closed" with every root. Open
// finishes a captured epoch left by a crash; the roots are a pure function
// of the captured ranges and the stored readings, so finishing twice gives
// the same epoch.
type manifest struct {
	Number       uint64
	Closed       bool
	ReadingCount uint64
	WindowStart  int64
	WindowEnd    int64
	Root         []byte
	Batches      []proof.Batch // sorted by stream id; Root nil until closed
}

// manifestVersion is written; version 1 (before batch salts) is still
// read, its batches without salt.
const (
	manifestVersion   = 2
	manifestVersionV1 = 1
)

// encode: version(1) | closed(1) | reading count(uvarint) | window start(8) |
// window end(8) | root(uvarint len + bytes) | batch count(uvarint) | per
// batch: stream(uvarint len + bytes) | first(8) | last(8) | root(uvarint len
// + bytes) | salt(uvarint len + bytes; not in version 1).
func (m *manifest) encode() []byte {
	size := 40 + len(m.Root)
	for _, b := range m.Batches {
		size += 21 + len(b.StreamID) + len(b.Root) + len(b.Salt)
	}
	out := make([]byte, 0, size)
	out = append(out, manifestVersion)
	if m.Closed {
		out = append(out, 1)
	} else {
		out = append(out, 0)
	}
	out = binary.AppendUvarint(out, m.ReadingCount)
	out = binary.BigEndian.AppendUint64(out, uint64(m.WindowStart))
	out = binary.BigEndian.AppendUint64(out, uint64(m.WindowEnd))
	out = appendBytes(out, m.Root)
	out = binary.AppendUvarint(out, uint64(len(m.Batches)))
	for _, b := range m.Batches {
		out = appendBytes(out, []byte(b.StreamID))
		out = binary.BigEndian.AppendUint64(out, b.FirstSeq)
		out = binary.BigEndian.AppendUint64(out, b.LastSeq)
		out = appendBytes(out, b.Root)
		out = appendBytes(out, b.Salt)
	}
	return out
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func decodeManifest(number uint64, v []byte) (*manifest, error) {
	d := decoder{buf: v}
	ver := d.byte()
	if ver != manifestVersion && ver != manifestVersionV1 {
		return nil, fmt.Errorf("%w: epoch %d manifest version %d", ErrCorrupt, number, ver)
	}
	m := &manifest{Number: number, Closed: d.byte() == 1}
	m.ReadingCount = d.uvarint()
	m.WindowStart = int64(d.u64())
	m.WindowEnd = int64(d.u64())
	m.Root = d.bytes()
	n := d.uvarint()
	if d.err == nil && n > uint64(len(v)) { // each batch takes more than a byte
		d.err = fmt.Errorf("batch count %d", n)
	}
	if d.err == nil {
		m.Batches = make([]proof.Batch, n)
	}
	for i := range m.Batches {
		m.Batches[i] = proof.Batch{StreamID: string(d.bytes()), FirstSeq: d.u64(), LastSeq: d.u64(), Root: d.bytes()}
		if ver != manifestVersionV1 {
			m.Batches[i].Salt = d.bytes()
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.buf))
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: epoch %d manifest: %v", ErrCorrupt, number, d.err)
	}
	return m, nil
}

// decoder reads the manifest encoding; the first error sticks and later
// reads return zero values.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if uint64(len(d.buf)) < n {
		d.err = fmt.Errorf("truncated: want %d bytes, have %d", n, len(d.buf))
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) byte() byte {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.err = fmt.Errorf("bad uvarint")
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// bytes returns a copy (nil for length 0) so the manifest does not alias
// pebble's buffer.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	b := d.take(n)
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
