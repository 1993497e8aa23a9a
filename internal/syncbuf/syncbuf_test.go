package syncbuf_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/internal/syncbuf"
)

// Concurrent writers and a reader lose nothing (run with -race).
func TestBufferConcurrent(t *testing.T) {
	var b syncbuf.Buffer
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				n, err := b.Write([]byte("x"))
				require.NoError(t, err)
				require.Equal(t, 1, n)
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, strings.Repeat("x", 400), b.String())
}
