// Package appdb opens the application state database (IAVL over pebble)
// with options tuned for it, where cosmos-db's pebble backend uses
// pebble's defaults: an 8 MB block cache, no bloom filters, 4 MB
// memtables.
//
// IAVL asks pebble for many keys that are not there (fast-node lookups of
// new keys, uniqueness checks such as a device id before registration):
// without bloom filters each such miss reads index and data blocks of
// every level, and with an 8 MB cache most of those reads are syscalls.
// Profiles of the x/device registration benchmark spent ~14% of CPU in
// pebble Get, most of it in readBlock. The files stay compatible both
// ways: pebble reads tables written with or without filters, so a node
// opened once by plain cosmos-db (export, rollback) is still fine.
package appdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/bloom"
	dbm "github.com/cosmos/cosmos-db"
)

// Name is the application DB's name (directory data/application.db), as
// the SDK's server names it.
const Name = "application"

// DefaultCacheMB is pebble's block cache for the application DB, unless
// TRUSTEDGED_APPDB_CACHE_MB says otherwise.
const DefaultCacheMB = 256

// CacheEnv overrides DefaultCacheMB.
const CacheEnv = "TRUSTEDGED_APPDB_CACHE_MB"

var (
	errKeyEmpty    = errors.New("key cannot be empty")
	errValueNil    = errors.New("value cannot be nil")
	errBatchClosed = errors.New("batch has been written or closed")
)

// Options are the pebble options the application DB is opened with.
func Options() (*pebble.Options, error) {
	cacheMB := DefaultCacheMB
	if v := os.Getenv(CacheEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 8 {
			return nil, fmt.Errorf("%s=%q: want a number of megabytes >= 8", CacheEnv, v)
		}
		cacheMB = n
	}
	o := &pebble.Options{
		Logger:                   quietLogger{},
		MaxConcurrentCompactions: func() int { return 3 }, // as cosmos-db
		// Fewer, larger L0 files: IAVL commits write bursts of new nodes.
		MemTableSize: 64 << 20,
		Cache:        pebble.NewCache(int64(cacheMB) << 20),
	}
	o.Levels = make([]pebble.LevelOptions, 7)
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10) // ~1% false positives
		o.Levels[i].FilterType = pebble.TableFilter
		// 2 MiB at L0, doubling per level (128 MiB at L6), as pebble's
		// defaults and cosmos-db give: set per level here, or every level
		// would get 2 MiB files and the bottom one ~64 times as many.
		o.Levels[i].TargetFileSize = 2 << 20 << i
	}
	o.EnsureDefaults()
	return o, nil
}

// Open opens (or creates) dir/<name>.db with Options.
func Open(name, dir string) (dbm.DB, error) {
	o, err := Options()
	if err != nil {
		return nil, err
	}
	defer o.Cache.Unref() // pebble holds its own reference
	p, err := pebble.Open(filepath.Join(dir, name+".db"), o)
	if err != nil {
		return nil, err
	}
	return &DB{db: p}, nil
}

// DB is a dbm.DB on pebble. Writes through Set/Delete/Write are not synced
// (as cosmos-db's, including its ForceSync build switch, see noSync): the
// SDK syncs at commit through WriteSync of its batch.
type DB struct{ db *pebble.DB }

var _ dbm.DB = (*DB)(nil)

// Pebble is the underlying pebble DB (metrics, compaction in tests).
func (d *DB) Pebble() *pebble.DB { return d.db }

// Get implements dbm.DB; a missing key is (nil, nil).
func (d *DB) Get(key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, errKeyEmpty
	}
	v, closer, err := d.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return cp(v), nil
}

// cp copies b into a non-nil slice: the dbm contract reads nil as "no such
// key", and IAVL stores empty values (an empty tree's root) that must come
// back as []byte{}. pebble may hand out nil for an empty value.
func cp(b []byte) []byte { return append([]byte{}, b...) }

// Has implements dbm.DB.
func (d *DB) Has(key []byte) (bool, error) {
	if len(key) == 0 {
		return false, errKeyEmpty
	}
	_, closer, err := d.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, closer.Close()
}

func (d *DB) set(key, value []byte, o *pebble.WriteOptions) error {
	if len(key) == 0 {
		return errKeyEmpty
	}
	if value == nil {
		return errValueNil
	}
	return d.db.Set(key, value, o)
}

// noSync is the write option of the unsynced writes: unsynced unless the
// binary was built with cosmos-db's ForceSync=1 (-X …/cosmos-db.ForceSync=1,
// the SDK's workaround for halts at upgrade heights), which it honours too.
func noSync() *pebble.WriteOptions {
	if dbm.ForceSync == "1" {
		return pebble.Sync
	}
	return pebble.NoSync
}

// Set implements dbm.DB.
func (d *DB) Set(key, value []byte) error { return d.set(key, value, noSync()) }

// SetSync implements dbm.DB.
func (d *DB) SetSync(key, value []byte) error { return d.set(key, value, pebble.Sync) }

func (d *DB) del(key []byte, o *pebble.WriteOptions) error {
	if len(key) == 0 {
		return errKeyEmpty
	}
	return d.db.Delete(key, o)
}

// Delete implements dbm.DB.
func (d *DB) Delete(key []byte) error { return d.del(key, noSync()) }

// DeleteSync implements dbm.DB.
func (d *DB) DeleteSync(key []byte) error { return d.del(key, pebble.Sync) }

// Close implements dbm.DB.
func (d *DB) Close() error { return d.db.Close() }

// Print implements dbm.DB.
func (d *DB) Print() error {
	it, err := d.Iterator(nil, nil)
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		fmt.Printf("[%X]:\t[%X]\n", it.Key(), it.Value())
	}
	return it.Error()
}

// Stats implements dbm.DB: pebble's metrics summary.
func (d *DB) Stats() map[string]string {
	return map[string]string{"pebble": d.db.Metrics().String()}
}

// NewBatch implements dbm.DB.
func (d *DB) NewBatch() dbm.Batch { return &batch{b: d.db.NewBatch()} }

// NewBatchWithSize implements dbm.DB.
func (d *DB) NewBatchWithSize(size int) dbm.Batch {
	return &batch{b: d.db.NewBatchWithSize(size)}
}

// Iterator implements dbm.DB: [start, end), nil meaning unbounded.
func (d *DB) Iterator(start, end []byte) (dbm.Iterator, error) {
	return d.newIterator(start, end, false)
}

// ReverseIterator implements dbm.DB.
func (d *DB) ReverseIterator(start, end []byte) (dbm.Iterator, error) {
	return d.newIterator(start, end, true)
}

func (d *DB) newIterator(start, end []byte, reverse bool) (dbm.Iterator, error) {
	if (start != nil && len(start) == 0) || (end != nil && len(end) == 0) {
		return nil, errKeyEmpty
	}
	src, err := d.db.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return nil, err
	}
	if reverse {
		src.Last()
	} else {
		src.First()
	}
	return &iterator{src: src, start: start, end: end, reverse: reverse}, nil
}

type batch struct{ b *pebble.Batch }

func (b *batch) Set(key, value []byte) error {
	switch {
	case len(key) == 0:
		return errKeyEmpty
	case value == nil:
		return errValueNil
	case b.b == nil:
		return errBatchClosed
	}
	return b.b.Set(key, value, nil)
}

func (b *batch) Delete(key []byte) error {
	switch {
	case len(key) == 0:
		return errKeyEmpty
	case b.b == nil:
		return errBatchClosed
	}
	return b.b.Delete(key, nil)
}

func (b *batch) commit(o *pebble.WriteOptions) error {
	if b.b == nil {
		return errBatchClosed
	}
	if err := b.b.Commit(o); err != nil {
		return err
	}
	return b.Close()
}

func (b *batch) Write() error     { return b.commit(noSync()) }
func (b *batch) WriteSync() error { return b.commit(pebble.Sync) }

func (b *batch) Close() error {
	if b.b == nil {
		return nil
	}
	err := b.b.Close()
	b.b = nil
	return err
}

func (b *batch) GetByteSize() (int, error) {
	if b.b == nil {
		return 0, errBatchClosed
	}
	return b.b.Len(), nil
}

// iterator is a dbm.Iterator; pebble already enforces the bounds. pebble
// recycles a closed iterator, so after Close this one is invalid for good
// and does not touch it again (cosmos-db's would).
type iterator struct {
	src        *pebble.Iterator
	start, end []byte
	reverse    bool
	closed     bool
	closeErr   error
}

func (it *iterator) Domain() ([]byte, []byte) { return it.start, it.end }
func (it *iterator) Valid() bool              { return !it.closed && it.src.Valid() }

func (it *iterator) Error() error {
	if it.closed {
		return it.closeErr
	}
	return it.src.Error()
}

func (it *iterator) Close() error {
	if !it.closed {
		it.closed = true
		it.closeErr = it.src.Close()
	}
	return it.closeErr
}

func (it *iterator) Key() []byte {
	it.mustBeValid()
	return cp(it.src.Key())
}

func (it *iterator) Value() []byte {
	it.mustBeValid()
	return cp(it.src.Value())
}

func (it *iterator) Next() {
	it.mustBeValid()
	if it.reverse {
		it.src.Prev()
	} else {
		it.src.Next()
	}
}

func (it *iterator) mustBeValid() {
	if !it.Valid() {
		panic("appdb: iterator is invalid")
	}
}

// quietLogger drops pebble's info logs (they would interleave with the
// node's structured log) and keeps fatal errors fatal.
type quietLogger struct{}

func (quietLogger) Infof(string, ...interface{}) {}
func (quietLogger) Fatalf(format string, args ...interface{}) {
	pebble.DefaultLogger.Fatalf(format, args...)
}
