package addrcodec

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec/address"
)

func addr(i int) []byte {
	bz := make([]byte, 20)
	copy(bz, fmt.Sprintf("acct-%d", i))
	return bz
}

// TestSameAnswersAsInner: hits and misses give what the plain codec gives,
// for good input, upper-case bech32, a wrong prefix, a bad checksum and
// empty input, and errors are not cached.
func TestSameAnswersAsInner(t *testing.T) {
	inner := address.NewBech32Codec("edge")
	c := New(inner, 8)
	good, err := inner.BytesToString(addr(1))
	require.NoError(t, err)
	other, err := address.NewBech32Codec("cosmos").BytesToString(addr(1))
	require.NoError(t, err)
	inputs := []string{good, strings.ToUpper(good), other, good[:len(good)-1] + "q", "", "  "}
	for round := 0; round < 2; round++ { // miss, then hit
		for _, in := range inputs {
			want, wantErr := inner.StringToBytes(in)
			got, gotErr := c.StringToBytes(in)
			requireSameErr(t, wantErr, gotErr)
			require.Equal(t, want, got, "input %q round %d", in, round)
		}
		for _, bz := range [][]byte{addr(1), addr(2), nil, {}, make([]byte, 300)} {
			want, wantErr := inner.BytesToString(bz)
			got, gotErr := c.BytesToString(bz)
			requireSameErr(t, wantErr, gotErr)
			require.Equal(t, want, got)
		}
	}
	require.Equal(t, 2, c.toBytes.Len(), "only the two valid spellings are cached")
}

// requireSameErr: both nil, or both errors with the same message (the
// codec wraps a fresh error each call).
func requireSameErr(t *testing.T, want, got error) {
	t.Helper()
	if want == nil {
		require.NoError(t, got)
		return
	}
	require.EqualError(t, got, want.Error())
}

// TestCallerOwnsBytes: editing a returned address changes neither the
// cache nor later answers.
func TestCallerOwnsBytes(t *testing.T) {
	c := New(address.NewBech32Codec("edge"), 8)
	s, err := c.BytesToString(addr(7))
	require.NoError(t, err)
	first, err := c.StringToBytes(s) // miss
	require.NoError(t, err)
	first[0] ^= 0xff
	second, err := c.StringToBytes(s) // hit
	require.NoError(t, err)
	require.Equal(t, addr(7), second)
	second[1] ^= 0xff
	third, err := c.StringToBytes(s)
	require.NoError(t, err)
	require.Equal(t, addr(7), third)

	in := addr(8)
	s8, err := c.BytesToString(in)
	require.NoError(t, err)
	in[0] ^= 0xff // the key was copied too
	again, err := c.BytesToString(addr(8))
	require.NoError(t, err)
	require.Equal(t, s8, again)
}

// TestBounded: the cache never holds more than its size.
func TestBounded(t *testing.T) {
	c := New(address.NewBech32Codec("edge"), 16)
	for i := 0; i < 100; i++ {
		s, err := c.BytesToString(addr(i))
		require.NoError(t, err)
		_, err = c.StringToBytes(s)
		require.NoError(t, err)
	}
	require.Equal(t, 16, c.toBytes.Len())
	require.Equal(t, 16, c.toString.Len())
}

// TestConcurrent: CheckTx, blocks and queries convert at once (run with
// -race).
func TestConcurrent(t *testing.T) {
	inner := address.NewBech32Codec("edge")
	c := New(inner, 32)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				bz := addr((i * (g + 1)) % 64)
				s, err := c.BytesToString(bz)
				if err != nil {
					t.Error(err)
					return
				}
				back, err := c.StringToBytes(s)
				if err != nil || string(back) != string(bz) {
					t.Errorf("round trip of %x: %x, %v", bz, back, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func BenchmarkStringToBytes(b *testing.B) {
	inner := address.NewBech32Codec("edge")
	s, err := inner.BytesToString(addr(1))
	require.NoError(b, err)
	b.Run("bech32", func(b *testing.B) {
		for b.Loop() {
			_, _ = inner.StringToBytes(s)
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := New(inner, DefaultSize)
		for b.Loop() {
			_, _ = c.StringToBytes(s)
		}
	})
}

func BenchmarkBytesToString(b *testing.B) {
	inner := address.NewBech32Codec("edge")
	bz := addr(1)
	b.Run("bech32", func(b *testing.B) {
		for b.Loop() {
			_, _ = inner.BytesToString(bz)
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := New(inner, DefaultSize)
		for b.Loop() {
			_, _ = c.BytesToString(bz)
		}
	})
}
