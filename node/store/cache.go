package store

import (
	"sync"

	"github.com/cometbft/cometbft/crypto/merkle"
)

// proofCacheSize is how many epochs keep their batch paths in memory.
// Proofs are asked mostly for recent readings; an epoch of 1,000 streams
// costs about 1,000 x (10 aunts x 32 bytes) here.
const proofCacheSize = 8

// provableEpoch is a closed epoch and the path of each batch to its root.
// Closed epochs never change, so entries are never invalidated.
type provableEpoch struct {
	m          *manifest
	batchPaths []*merkle.Proof
}

// epochCache is a tiny LRU of provable epochs.
type epochCache struct {
	mu      sync.Mutex
	size    int
	numbers []uint64 // least recently used first
	entries map[uint64]*provableEpoch
}

func (c *epochCache) init(size int) {
	c.size = size
	c.entries = make(map[uint64]*provableEpoch, size)
}

func (c *epochCache) get(n uint64) *provableEpoch {
	c.mu.Lock()
	defer c.mu.Unlock()
	pe, ok := c.entries[n]
	if ok {
		c.touch(n)
	}
	return pe
}

func (c *epochCache) put(n uint64, pe *provableEpoch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[n]; ok {
		c.touch(n)
		return
	}
	if len(c.numbers) == c.size {
		delete(c.entries, c.numbers[0])
		c.numbers = c.numbers[1:]
	}
	c.entries[n] = pe
	c.numbers = append(c.numbers, n)
}

// touch moves n to the most recently used end.
func (c *epochCache) touch(n uint64) {
	for i, x := range c.numbers {
		if x == n {
			c.numbers = append(append(c.numbers[:i:i], c.numbers[i+1:]...), n)
			return
		}
	}
}
