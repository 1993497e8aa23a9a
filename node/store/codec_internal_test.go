package store

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/stream/proof"
)

func TestManifestRoundTripAndRejectsDamage(t *testing.T) {
	root := bytes.Repeat([]byte{7}, 32)
	for _, m := range []*manifest{
		{Number: 3, ReadingCount: 5, WindowStart: -1, WindowEnd: 9, Batches: []proof.Batch{{StreamID: "a", FirstSeq: 1, LastSeq: 5}}},
		{Number: 4, Closed: true, ReadingCount: 7, WindowStart: 10, WindowEnd: 20, Root: root, Batches: []proof.Batch{
			{StreamID: "a", FirstSeq: 6, LastSeq: 6, Root: root},
			{StreamID: "b.c:d-e_f", FirstSeq: 1, LastSeq: 6, Root: root},
		}},
	} {
		enc := m.encode()
		got, err := decodeManifest(m.Number, enc)
		require.NoError(t, err)
		require.Equal(t, m, got)

		for cut := 0; cut < len(enc); cut++ {
			_, err := decodeManifest(m.Number, enc[:cut])
			require.ErrorIs(t, err, ErrCorrupt, "truncated at %d", cut)
		}
		_, err = decodeManifest(m.Number, append(enc, 0))
		require.ErrorIs(t, err, ErrCorrupt, "trailing byte")
		bad := bytes.Clone(enc)
		bad[0] = 9
		_, err = decodeManifest(m.Number, bad)
		require.ErrorIs(t, err, ErrCorrupt, "unknown version")
	}
}

func TestKeysSortByStreamThenSeq(t *testing.T) {
	keys := [][]byte{
		streamSeqKey(tableReading, "a", 1),
		streamSeqKey(tableReading, "a", 2),
		streamSeqKey(tableReading, "a", 256),
		streamSeqKey(tableReading, "a.b", 1),
		streamSeqKey(tableReading, "b", 0),
	}
	for i := 1; i < len(keys); i++ {
		require.Negative(t, bytes.Compare(keys[i-1], keys[i]), "key %d", i)
	}
	id, seq, err := parseStreamSeqKey(tableReading, keys[3])
	require.NoError(t, err)
	require.Equal(t, "a.b", id)
	require.Equal(t, uint64(1), seq)
	_, _, err = parseStreamSeqKey(tablePending, keys[3])
	require.ErrorIs(t, err, ErrCorrupt, "wrong table")
	_, _, err = parseStreamSeqKey(tableReading, keys[3][:5])
	require.ErrorIs(t, err, ErrCorrupt, "short key")

	// The upper bound of a full key excludes every later seq.
	up := prefixUpper(streamSeqKey(tableReading, "a", 255))
	require.Negative(t, bytes.Compare(streamSeqKey(tableReading, "a", 255), up))
	require.GreaterOrEqual(t, bytes.Compare(streamSeqKey(tableReading, "a", 256), up), 0)
}

// TestCapturedManifestRefusesHoles: a hole in a stream's pending ranges can
// only come from a damaged database; closing it would publish a wrong root.
func TestCapturedManifestRefusesHoles(t *testing.T) {
	_, err := capturedManifest(1, []pendingRange{{stream: "a", first: 1, last: 3}, {stream: "a", first: 5, last: 6}})
	require.ErrorIs(t, err, ErrCorrupt)
	m, err := capturedManifest(1, []pendingRange{{stream: "b", first: 4, last: 6, ingest: 2}, {stream: "a", first: 1, last: 1, ingest: 9}, {stream: "b", first: 1, last: 3, ingest: 5}})
	require.NoError(t, err)
	require.Len(t, m.Batches, 2)
	for _, b := range m.Batches {
		require.Len(t, b.Salt, proof.SaltSize, "a salt is drawn for every batch at capture")
	}
	require.NotEqual(t, m.Batches[0].Salt, m.Batches[1].Salt)
	for i := range m.Batches {
		m.Batches[i].Salt = nil
	}
	require.Equal(t, []proof.Batch{{StreamID: "a", FirstSeq: 1, LastSeq: 1}, {StreamID: "b", FirstSeq: 1, LastSeq: 6}}, m.Batches)
	require.Equal(t, uint64(7), m.ReadingCount)
	require.Equal(t, int64(2), m.WindowStart)
	require.Equal(t, int64(9), m.WindowEnd)
}

// A version 1 manifest (before batch salts) still decodes, its batches
// unsalted, so epochs closed before the upgrade keep proving against the
// roots already on chain; version 2 round-trips the salt.
func TestManifestVersions(t *testing.T) {
	root := bytes.Repeat([]byte{7}, proof.HashSize)
	m := &manifest{Number: 3, Closed: true, ReadingCount: 2, WindowStart: 1, WindowEnd: 2, Root: root,
		Batches: []proof.Batch{{StreamID: "a", FirstSeq: 1, LastSeq: 2, Root: root, Salt: bytes.Repeat([]byte{5}, proof.SaltSize)}}}
	got, err := decodeManifest(3, m.encode())
	require.NoError(t, err)
	require.Equal(t, m, got)

	// The same epoch as version 1 wrote it: no salt field.
	v1 := []byte{manifestVersionV1, 1}
	v1 = binary.AppendUvarint(v1, 2)
	v1 = binary.BigEndian.AppendUint64(v1, 1)
	v1 = binary.BigEndian.AppendUint64(v1, 2)
	v1 = appendBytes(v1, root)
	v1 = binary.AppendUvarint(v1, 1)
	v1 = appendBytes(v1, []byte("a"))
	v1 = binary.BigEndian.AppendUint64(v1, 1)
	v1 = binary.BigEndian.AppendUint64(v1, 2)
	v1 = appendBytes(v1, root)
	got, err = decodeManifest(3, v1)
	require.NoError(t, err)
	m.Batches[0].Salt = nil
	require.Equal(t, m, got)

	bad := m.encode()
	bad[0] = 9
	_, err = decodeManifest(3, bad)
	require.ErrorIs(t, err, ErrCorrupt)
}
