package proof_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/trustedge/trustedge/x/stream/proof"
)

// salted gives every batch of f a distinct salt and recomputes the root.
func salted(f *epochFixture) *epochFixture {
	for i := range f.batches {
		f.batches[i].Salt = bytes.Repeat([]byte{byte(i + 1)}, proof.SaltSize)
	}
	f.root = proof.EpochRoot(f.batches)
	return f
}

// Salted batches prove like unsalted ones; the salt is bound (another salt
// or none breaks the proof) and must be 32 bytes.
func TestSaltedBatchesProve(t *testing.T) {
	f := salted(newEpoch(t, 1, 3, 5))
	for id, rs := range f.readings {
		for _, r := range rs {
			if err := f.prove(t, id, r.Seq).Verify(f.root, uint64(len(f.batches))); err != nil {
				t.Fatalf("%s/%d: %v", id, r.Seq, err)
			}
		}
	}
	p := f.prove(t, "s01", 12)
	for name, salt := range map[string][]byte{
		"another salt": bytes.Repeat([]byte{9}, proof.SaltSize),
		"no salt":      nil,
	} {
		q := *p
		q.Batch.Salt = salt
		if err := q.Verify(f.root, 3); !errors.Is(err, proof.ErrWrongRoot) {
			t.Errorf("%s: %v, want ErrWrongRoot", name, err)
		}
	}
	q := *p
	q.Batch.Salt = make([]byte, 31)
	if err := q.Verify(f.root, 3); !errors.Is(err, proof.ErrMalformed) {
		t.Errorf("31-byte salt: %v, want ErrMalformed", err)
	}
	bad := append([]proof.Batch(nil), f.batches...)
	bad[0].Salt = []byte{1}
	if proof.ValidateBatches(bad) == nil {
		t.Error("ValidateBatches took a 1-byte salt")
	}
}

// The point of the salt: a proof of one stream carries the leaf hash of a
// neighbouring stream's batch. Unsalted, a one-reading batch's leaf hash
// confirms a guess of its reading (payload and time); salted, even the
// exact reading does not reproduce it.
func TestSaltHidesNeighbourBatches(t *testing.T) {
	for _, withSalt := range []bool{false, true} {
		f := newEpoch(t, 2, 1) // s01 holds one reading
		if withSalt {
			f = salted(f)
		}
		p := f.prove(t, "s00", 1)
		neighbour := p.BatchPath.Aunts[0]
		secret := f.readings["s01"][0] // the guesser's best case: the exact reading
		guess := proof.LeafHash(proof.BatchLeaf("s01", secret.Seq, secret.Seq, proof.LeafHash(secret.Leaf()), nil))
		if confirmed := bytes.Equal(guess, neighbour); confirmed == withSalt {
			t.Fatalf("salted=%v: a guess of the neighbour's reading confirmed=%v", withSalt, confirmed)
		}
	}
}

// A salted leaf never equals an unsalted one, whatever the bytes (the tags
// differ).
func TestSaltedLeafTagDiffers(t *testing.T) {
	root := make([]byte, proof.HashSize)
	a := proof.BatchLeaf("a", 1, 1, root, nil)
	b := proof.BatchLeaf("a", 1, 1, root, make([]byte, proof.SaltSize))
	if bytes.Equal(a[:len("trustedge/batch/vN")], b[:len("trustedge/batch/vN")]) {
		t.Fatal("salted and unsalted leaves share a tag")
	}
}
