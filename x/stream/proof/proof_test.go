package proof_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/cometbft/cometbft/crypto/merkle"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// epochFixture builds an epoch over streams s0..s(n-1), stream i holding
// readings first..first+counts[i]-1, and returns a proof builder.
type epochFixture struct {
	readings map[string][]proof.Reading
	batches  []proof.Batch
	root     []byte
}

func newEpoch(t testing.TB, counts ...int) *epochFixture {
	t.Helper()
	f := &epochFixture{readings: map[string][]proof.Reading{}}
	for i, n := range counts {
		id := fmt.Sprintf("s%02d", i)
		first := uint64(10*i + 1)
		leaves := make([][]byte, n)
		for j := 0; j < n; j++ {
			r := proof.Reading{StreamID: id, Seq: first + uint64(j), Time: int64(1e9 + j), Payload: []byte(fmt.Sprintf(`{"v":%d}`, j))}
			f.readings[id] = append(f.readings[id], r)
			leaves[j] = r.Leaf()
		}
		f.batches = append(f.batches, proof.Batch{StreamID: id, FirstSeq: first, LastSeq: first + uint64(n) - 1, Root: proof.BatchRoot(leaves)})
	}
	proof.SortBatches(f.batches)
	if err := proof.ValidateBatches(f.batches); err != nil {
		t.Fatal(err)
	}
	f.root = proof.EpochRoot(f.batches)
	return f
}

func (f *epochFixture) prove(t testing.TB, stream string, seq uint64) *proof.ReadingProof {
	t.Helper()
	rs := f.readings[stream]
	leaves := make([][]byte, len(rs))
	for i, r := range rs {
		leaves[i] = r.Leaf()
	}
	idx := int(seq - rs[0].Seq)
	_, rp, err := proof.ReadingInclusion(leaves, idx)
	if err != nil {
		t.Fatal(err)
	}
	root, bp, bi, err := proof.BatchInclusion(f.batches, stream)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(root, f.root) {
		t.Fatalf("BatchInclusion root %X != EpochRoot %X", root, f.root)
	}
	return &proof.ReadingProof{Node: "edge1node", Epoch: 7, Reading: rs[idx], Batch: f.batches[bi], ReadingPath: rp, BatchPath: bp, EpochRoot: root}
}

func TestEveryReadingProves(t *testing.T) {
	f := newEpoch(t, 1, 2, 3, 7, 16, 33)
	for id, rs := range f.readings {
		for _, r := range rs {
			p := f.prove(t, id, r.Seq)
			if err := p.Verify(f.root, uint64(len(f.batches))); err != nil {
				t.Fatalf("%s/%d: %v", id, r.Seq, err)
			}
		}
	}
}

func TestRootsAreRFC6962(t *testing.T) {
	// A single-reading batch's root is the RFC 6962 leaf hash sha256(0x00 || leaf).
	r := proof.Reading{StreamID: "a", Seq: 1, Time: 5, Payload: []byte("x")}
	want := sha256.Sum256(append([]byte{0}, r.Leaf()...))
	if got := proof.BatchRoot([][]byte{r.Leaf()}); !bytes.Equal(got, want[:]) {
		t.Fatalf("root %X, want %X", got, want)
	}
}

func TestTamperedProofsFail(t *testing.T) {
	f := newEpoch(t, 5, 9, 4)
	cases := []struct {
		name   string
		mutate func(p *proof.ReadingProof)
		root   func() []byte
		want   error
	}{
		{"wrong leaf payload", func(p *proof.ReadingProof) { p.Reading.Payload = []byte(`{"v":999}`) }, nil, proof.ErrWrongRoot},
		{"wrong leaf time", func(p *proof.ReadingProof) { p.Reading.Time++ }, nil, proof.ErrWrongRoot},
		{"wrong seq, same index", func(p *proof.ReadingProof) { p.Reading.Seq++ }, nil, proof.ErrMalformed},
		{"wrong index", func(p *proof.ReadingProof) { p.ReadingPath.Index++ }, nil, proof.ErrMalformed},
		{"wrong index and seq together", func(p *proof.ReadingProof) { p.ReadingPath.Index++; p.Reading.Seq++ }, nil, proof.ErrWrongRoot},
		{"truncated reading aunts", func(p *proof.ReadingProof) { p.ReadingPath.Aunts = p.ReadingPath.Aunts[:len(p.ReadingPath.Aunts)-1] }, nil, proof.ErrWrongRoot},
		{"truncated batch aunts", func(p *proof.ReadingProof) { p.BatchPath.Aunts = p.BatchPath.Aunts[:len(p.BatchPath.Aunts)-1] }, nil, proof.ErrWrongRoot},
		{"short aunt", func(p *proof.ReadingProof) { p.ReadingPath.Aunts[0] = p.ReadingPath.Aunts[0][:31] }, nil, proof.ErrMalformed},
		{"batch range lies", func(p *proof.ReadingProof) { p.Batch.LastSeq++ }, nil, proof.ErrMalformed},
		{"batch of another stream", func(p *proof.ReadingProof) { p.Batch.StreamID = "s00"; p.Reading.StreamID = "s00" }, nil, proof.ErrWrongRoot},
		{"wrong batch index", func(p *proof.ReadingProof) { p.BatchPath.Index = (p.BatchPath.Index + 1) % p.BatchPath.Total }, nil, proof.ErrWrongRoot},
		{"batch total lies", func(p *proof.ReadingProof) { p.BatchPath.Total++ }, nil, proof.ErrMalformed},
		{"root mismatch", func(p *proof.ReadingProof) {}, func() []byte { r := bytes.Clone(f.root); r[0] ^= 1; return r }, proof.ErrRootMismatch},
		{"self-consistent forged root", func(p *proof.ReadingProof) { p.EpochRoot[0] ^= 1 }, nil, proof.ErrRootMismatch},
		{"missing path", func(p *proof.ReadingProof) { p.BatchPath = nil }, nil, proof.ErrMalformed},
		{"epoch zero", func(p *proof.ReadingProof) { p.Epoch = 0 }, nil, proof.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := f.prove(t, "s01", 14)
			p.EpochRoot = bytes.Clone(p.EpochRoot)
			if err := p.Verify(f.root, 3); err != nil {
				t.Fatalf("untampered proof fails: %v", err)
			}
			tc.mutate(p)
			root := f.root
			if tc.root != nil {
				root = tc.root()
			}
			err := p.Verify(root, 3)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestValidateBatches(t *testing.T) {
	root := make([]byte, 32)
	ok := []proof.Batch{{StreamID: "a", FirstSeq: 1, LastSeq: 1, Root: root}, {StreamID: "b", FirstSeq: 3, LastSeq: 9, Root: root}}
	if err := proof.ValidateBatches(ok); err != nil {
		t.Fatal(err)
	}
	bad := map[string][]proof.Batch{
		"empty":      nil,
		"duplicate":  {ok[0], ok[0]},
		"unsorted":   {ok[1], ok[0]},
		"zero first": {{StreamID: "a", FirstSeq: 0, LastSeq: 1, Root: root}},
		"inverted":   {{StreamID: "a", FirstSeq: 5, LastSeq: 4, Root: root}},
		"short root": {{StreamID: "a", FirstSeq: 1, LastSeq: 1, Root: root[:5]}},
		"empty id":   {{StreamID: "", FirstSeq: 1, LastSeq: 1, Root: root}},
	}
	for name, bs := range bad {
		if err := proof.ValidateBatches(bs); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLeafEncodingsAreInjective(t *testing.T) {
	// Moving bytes between the stream id and the payload must change the leaf.
	a := proof.ReadingLeaf("ab", 1, 2, []byte("c"))
	b := proof.ReadingLeaf("a", 1, 2, []byte("bc"))
	if bytes.Equal(a, b) {
		t.Fatal("reading leaves collide")
	}
	// A reading leaf never equals a batch leaf (domain tags): a reading
	// whose fields carry exactly a batch's (seq = first, time = last,
	// payload = root) still encodes differently, and each kind starts with
	// its own tag (salted batches with a third).
	root := bytes.Repeat([]byte{7}, proof.HashSize)
	salt := bytes.Repeat([]byte{9}, proof.SaltSize)
	batch := proof.BatchLeaf("a", 1, 2, root, nil)
	salted := proof.BatchLeaf("a", 1, 2, root, salt)
	reading := proof.ReadingLeaf("a", 1, 2, root)
	if bytes.Equal(reading, batch) || bytes.Equal(proof.LeafHash(reading), proof.LeafHash(batch)) {
		t.Fatal("a reading leaf equals a batch leaf")
	}
	if bytes.Equal(batch, salted[:len(batch)]) {
		t.Fatal("a salted batch leaf extends the unsalted one")
	}
	for leaf, tag := range map[string]string{string(reading): "trustedge/reading/v1", string(batch): "trustedge/batch/v1", string(salted): "trustedge/batch/v2"} {
		if !bytes.HasPrefix([]byte(leaf), []byte(tag)) {
			t.Errorf("leaf %q does not start with its tag %q", leaf, tag)
		}
	}
}

func TestInclusionOutOfRange(t *testing.T) {
	if _, _, err := proof.ReadingInclusion([][]byte{{1}}, 1); err == nil {
		t.Fatal("index past the end accepted")
	}
	if _, _, _, err := proof.BatchInclusion([]proof.Batch{{StreamID: "a"}}, "b"); err == nil {
		t.Fatal("unknown stream accepted")
	}
}

// ReadingInclusion builds one path itself; it must equal CometBFT's proofs
// for every size and index (including odd and power-of-two sizes).
func TestReadingInclusionMatchesCometBFT(t *testing.T) {
	for n := 1; n <= 70; n++ {
		leaves := make([][]byte, n)
		for i := range leaves {
			leaves[i] = []byte(fmt.Sprintf("leaf-%d-%d", n, i))
		}
		wantRoot, want := merkle.ProofsFromByteSlices(leaves)
		for i := 0; i < n; i++ {
			root, p, err := proof.ReadingInclusion(leaves, i)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(root, wantRoot) {
				t.Fatalf("n=%d: root %X, CometBFT %X", n, root, wantRoot)
			}
			if p.Total != want[i].Total || p.Index != want[i].Index || !bytes.Equal(p.LeafHash, want[i].LeafHash) || len(p.Aunts) != len(want[i].Aunts) {
				t.Fatalf("n=%d i=%d: proof %+v, CometBFT %+v", n, i, p, want[i])
			}
			for k := range p.Aunts {
				if !bytes.Equal(p.Aunts[k], want[i].Aunts[k]) {
					t.Fatalf("n=%d i=%d aunt %d differs", n, i, k)
				}
			}
			if err := p.Verify(root, leaves[i]); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
		}
	}
}

// RootFromLeafHashes must give CometBFT's root over the same leaves, for
// every size (none, one, odd, powers of two).
func TestRootFromLeafHashes(t *testing.T) {
	for n := 0; n <= 70; n++ {
		leaves := make([][]byte, n)
		hashes := make([][]byte, n)
		for i := range leaves {
			leaves[i] = []byte(fmt.Sprintf("leaf-%d-%d", n, i))
			hashes[i] = proof.LeafHash(leaves[i])
		}
		if got, want := proof.RootFromLeafHashes(hashes), merkle.HashFromByteSlices(leaves); !bytes.Equal(got, want) {
			t.Fatalf("n=%d: root %X, CometBFT %X", n, got, want)
		}
	}
	if _, _, err := proof.InclusionFromLeafHashes(nil, 0); err == nil {
		t.Fatal("inclusion in an empty batch accepted")
	}
}

func TestLeafHasherMatchesLeafHash(t *testing.T) {
	var lh proof.LeafHasher
	var flat []byte
	for i := range 5 {
		leaf := bytes.Repeat([]byte{byte(i)}, i*100)
		flat = lh.Append(flat, leaf)
		if !bytes.Equal(flat[i*32:], proof.LeafHash(leaf)) {
			t.Fatalf("leaf %d: hasher and LeafHash differ", i)
		}
	}
}
