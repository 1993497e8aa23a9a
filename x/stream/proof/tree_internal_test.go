package proof

import (
	"bytes"
	"fmt"
	"testing"
)

// The stack fold and the recursion agree on every size; hashes of another
// length (never made by LeafHash) take the recursion.
func TestRootFoldMatchesRecursion(t *testing.T) {
	for n := 1; n <= 130; n++ {
		hashes := make([][]byte, n)
		for i := range hashes {
			hashes[i] = LeafHash([]byte(fmt.Sprintf("%d/%d", n, i)))
		}
		if !bytes.Equal(RootFromLeafHashes(hashes), rootFromLeafHashesSlow(hashes)) {
			t.Fatalf("n=%d: fold and recursion differ", n)
		}
	}
	odd := [][]byte{{1}, {2, 3}, {4}}
	if !bytes.Equal(RootFromLeafHashes(odd), rootFromLeafHashesSlow(odd)) {
		t.Fatal("short hashes not handled by the recursion")
	}
}
