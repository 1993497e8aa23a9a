package appdb

import (
	"fmt"
	"math/rand/v2"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"
)

func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(Name, dir)
	require.NoError(t, err)
	return db.(*DB), dir
}

// TestMatchesMemDB: random sets, deletes and batches give the same reads
// and the same forward and reverse iteration over random bounds as
// cosmos-db's MemDB, the reference of the dbm.DB contract.
func TestMatchesMemDB(t *testing.T) {
	db, _ := openTemp(t)
	defer db.Close()
	ref := dbm.NewMemDB()
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() []byte { return []byte(fmt.Sprintf("k%03d", rng.IntN(300))) }

	for step := 0; step < 3000; step++ {
		switch op := rng.IntN(10); {
		case op < 5:
			k, v := key(), []byte(fmt.Sprintf("v%d", step))
			require.NoError(t, db.Set(k, v))
			require.NoError(t, ref.Set(k, v))
		case op < 7:
			k := key()
			require.NoError(t, db.Delete(k))
			require.NoError(t, ref.Delete(k))
		case op < 8:
			b, rb := db.NewBatch(), ref.NewBatch()
			for i := 0; i < 5; i++ {
				k, v := key(), []byte(fmt.Sprintf("b%d.%d", step, i))
				require.NoError(t, b.Set(k, v))
				require.NoError(t, rb.Set(k, v))
			}
			require.NoError(t, b.WriteSync())
			require.NoError(t, rb.WriteSync())
			require.NoError(t, b.Close())
		default:
			var start, end []byte
			if rng.IntN(3) > 0 {
				start = key()
			}
			if rng.IntN(3) > 0 {
				end = key()
			}
			for _, reverse := range []bool{false, true} {
				require.Equal(t, collect(t, ref, start, end, reverse), collect(t, db, start, end, reverse),
					"step %d [%s, %s) reverse=%v", step, start, end, reverse)
			}
		}
		k := key()
		want, err := ref.Get(k)
		require.NoError(t, err)
		got, err := db.Get(k)
		require.NoError(t, err)
		require.Equal(t, want, got)
		has, err := db.Has(k)
		require.NoError(t, err)
		require.Equal(t, want != nil, has)
	}
}

func collect(t *testing.T, db dbm.DB, start, end []byte, reverse bool) []string {
	t.Helper()
	var it dbm.Iterator
	var err error
	if reverse {
		it, err = db.ReverseIterator(start, end)
	} else {
		it, err = db.Iterator(start, end)
	}
	require.NoError(t, err)
	defer it.Close()
	out := []string{}
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	require.NoError(t, it.Error())
	return out
}

// TestRefusesBadInput: empty keys, nil values and a used batch are errors,
// and the refused writes leave nothing behind.
func TestRefusesBadInput(t *testing.T) {
	db, _ := openTemp(t)
	defer db.Close()
	require.ErrorIs(t, db.Set(nil, []byte("v")), errKeyEmpty)
	require.ErrorIs(t, db.Set([]byte("k"), nil), errValueNil)
	require.ErrorIs(t, db.SetSync([]byte{}, []byte("v")), errKeyEmpty)
	require.ErrorIs(t, db.Delete(nil), errKeyEmpty)
	_, err := db.Get(nil)
	require.ErrorIs(t, err, errKeyEmpty)
	_, err = db.Has([]byte{})
	require.ErrorIs(t, err, errKeyEmpty)
	_, err = db.Iterator([]byte{}, nil)
	require.ErrorIs(t, err, errKeyEmpty)
	_, err = db.ReverseIterator(nil, []byte{})
	require.ErrorIs(t, err, errKeyEmpty)

	b := db.NewBatch()
	require.NoError(t, b.Set([]byte("k"), []byte("v")))
	n, err := b.GetByteSize()
	require.NoError(t, err)
	require.Positive(t, n)
	require.NoError(t, b.Write())
	require.ErrorIs(t, b.Set([]byte("k2"), []byte("v")), errBatchClosed)
	require.ErrorIs(t, b.Write(), errBatchClosed)
	require.NoError(t, b.Close(), "closing twice is fine")
	require.Equal(t, []string{"k=v"}, collect(t, db, nil, nil, false))

	it, err := db.Iterator([]byte("x"), nil)
	require.NoError(t, err)
	require.False(t, it.Valid())
	require.Panics(t, func() { it.Key() })
	require.NoError(t, it.Close())
}

// TestReopen: synced writes survive closing and reopening.
func TestReopen(t *testing.T) {
	db, dir := openTemp(t)
	require.NoError(t, db.SetSync([]byte("a"), []byte("1")))
	b := db.NewBatchWithSize(64)
	require.NoError(t, b.Set([]byte("b"), []byte("2")))
	require.NoError(t, b.WriteSync())
	require.NoError(t, db.Close())

	again, err := Open(Name, dir)
	require.NoError(t, err)
	defer again.Close()
	require.Equal(t, []string{"a=1", "b=2"}, collect(t, again, nil, nil, false))
	require.Contains(t, again.Stats()["pebble"], "level")
}

// TestCacheEnv: the cache size comes from the environment when set, and a
// bad value is a clear error.
func TestCacheEnv(t *testing.T) {
	t.Setenv(CacheEnv, "64")
	o, err := Options()
	require.NoError(t, err)
	require.EqualValues(t, 64<<20, o.Cache.MaxSize())
	o.Cache.Unref()
	for _, bad := range []string{"lots", "-1", "4"} {
		t.Setenv(CacheEnv, bad)
		_, err = Options()
		require.ErrorContains(t, err, CacheEnv)
	}
}

// TestLevelOptions: every level has a bloom filter, and target file sizes
// double from 2 MiB at L0 (128 MiB at L6), as pebble's defaults would.
func TestLevelOptions(t *testing.T) {
	o, err := Options()
	require.NoError(t, err)
	defer o.Cache.Unref()
	require.Len(t, o.Levels, 7)
	for i, l := range o.Levels {
		require.NotNil(t, l.FilterPolicy, "L%d", i)
		require.EqualValues(t, int64(2<<20)<<i, l.TargetFileSize, "L%d", i)
	}
}

// TestEmptyValues: an empty value is a present key with a non-nil empty
// value through Get, Has and both iteration directions, from the memtable
// and after a flush to tables (IAVL stores an empty tree's root this way;
// nil would read as "missing").
func TestEmptyValues(t *testing.T) {
	db, _ := openTemp(t)
	defer db.Close()
	require.NoError(t, db.Set([]byte("empty"), []byte{}))
	require.NoError(t, db.Set([]byte("full"), []byte("x")))
	check := func(when string) {
		v, err := db.Get([]byte("empty"))
		require.NoError(t, err)
		require.NotNil(t, v, when)
		require.Empty(t, v, when)
		has, err := db.Has([]byte("empty"))
		require.NoError(t, err)
		require.True(t, has, when)
		for _, reverse := range []bool{false, true} {
			var it dbm.Iterator
			if reverse {
				it, err = db.ReverseIterator(nil, nil)
			} else {
				it, err = db.Iterator(nil, nil)
			}
			require.NoError(t, err)
			found := false
			for ; it.Valid(); it.Next() {
				if string(it.Key()) == "empty" {
					found = true
					require.NotNil(t, it.Value(), "%s reverse=%v", when, reverse)
					require.Empty(t, it.Value())
				}
			}
			require.NoError(t, it.Close())
			require.True(t, found, when)
		}
	}
	check("memtable")
	require.NoError(t, db.Pebble().Flush())
	check("flushed")
}

// TestIteratorCloseTwice: a closed iterator stays invalid and closing it
// again is harmless (pebble recycles closed iterators).
func TestIteratorCloseTwice(t *testing.T) {
	db, _ := openTemp(t)
	defer db.Close()
	require.NoError(t, db.Set([]byte("a"), []byte("1")))
	it, err := db.Iterator(nil, nil)
	require.NoError(t, err)
	require.True(t, it.Valid())
	require.NoError(t, it.Close())
	require.False(t, it.Valid())
	require.NoError(t, it.Close())
	require.NoError(t, it.Error())
	require.Panics(t, func() { it.Next() })
}
