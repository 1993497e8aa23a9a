// Package addrcodec wraps an address codec with bounded caches of its
// conversions.
//
// A node converts the same few thousand addresses between bech32 text and
// bytes over and over: every tx's signers, fee payer and message fields are
// decoded in CheckTx, again in the re-check after each block and again in
// the block, and the access gate encodes each signer to read its grants.
// bech32 is a checksummed base-32 code, so each conversion costs a few
// microseconds and a handful of allocations; profiles of a validator under
// the chain benchmark spent ~4 % of its CPU there. Both directions are pure
// functions of their input (the prefix and the address-length rule are
// fixed when the process starts), so a cache returns exactly what the codec
// would.
package addrcodec

import (
	"cosmossdk.io/core/address"
	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultSize is the number of entries each direction keeps. An entry is
// an address in both forms (~100 bytes with the cache's own bookkeeping),
// so a full cache holds a few MiB.
const DefaultSize = 16384

// Codec is an address.Codec answering repeated conversions from memory.
// Failed conversions are not cached: they are rare and their errors carry
// the input.
type Codec struct {
	inner    address.Codec
	toBytes  *lru.Cache[string, []byte]
	toString *lru.Cache[string, string]
}

var _ address.Codec = (*Codec)(nil)

// New wraps inner with caches of size entries in each direction.
func New(inner address.Codec, size int) *Codec {
	toBytes, err := lru.New[string, []byte](size)
	if err != nil {
		panic(err) // only for size <= 0, a programming error
	}
	toString, err := lru.New[string, string](size)
	if err != nil {
		panic(err)
	}
	return &Codec{inner: inner, toBytes: toBytes, toString: toString}
}

// StringToBytes implements address.Codec. It returns a fresh slice: callers
// own the bytes they get (some append to or reslice addresses).
func (c *Codec) StringToBytes(text string) ([]byte, error) {
	if bz, ok := c.toBytes.Get(text); ok {
		return append(make([]byte, 0, len(bz)), bz...), nil
	}
	bz, err := c.inner.StringToBytes(text)
	if err != nil {
		return bz, err
	}
	c.toBytes.Add(text, append([]byte(nil), bz...))
	return bz, nil
}

// BytesToString implements address.Codec.
func (c *Codec) BytesToString(bz []byte) (string, error) {
	if s, ok := c.toString.Get(string(bz)); ok {
		return s, nil
	}
	s, err := c.inner.BytesToString(bz)
	if err != nil {
		return s, err
	}
	c.toString.Add(string(bz), s)
	return s, nil
}
