//go:build unix

package keeper_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	pruningtypes "github.com/cosmos/cosmos-sdk/store/v2/pruning/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/node/appdb"
	"github.com/trustedge/trustedge/x/device/keeper"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

// Scale benchmark: register N devices through the msg server into an
// IAVL store on pebble, committing every benchBlockSize registrations as a
// block would, then measure state size and lookup latency at that size.
//
//	go test -tags pebbledb -run '^$' -bench 'BenchmarkRegister100k$' ./x/device/keeper/   # quick
//	go test -tags pebbledb -run '^$' -bench 'BenchmarkRegister1M$' -timeout 60m ./x/device/keeper/
//	DEVICE_BENCH_N=250000 go test … -bench 'BenchmarkRegister1M$'                    # other sizes
//	DEVICE_BENCH_IAVL_CACHE=8000000 go test …    # IAVL node cache (app.toml iavl-cache-size)
//	DEVICE_BENCH_NO_FASTNODE=1 go test …         # no fast-node index (app.toml iavl-disable-fastnode)
//
// Each benchmark runs its workload once whatever b.N is; ns/op is per
// registration. The timed part is what a node does per block for these txs
// (a cache store per block, one per tx, write, commit); generating keys and
// messages is not timed. x/access and x/edge are in-memory fakes, so the
// real Authorize cost (an index read or two) comes on top, and so does the
// ante handler (tx signature checks), which this does not run.
const (
	benchBlockSize  = 10_000
	benchNodes      = 16
	devicesPerOwner = 100
	benchReads      = 10_000
)

func BenchmarkRegister100k(b *testing.B) { benchRegister(b, 100_000) }

func BenchmarkRegister1M(b *testing.B) { benchRegister(b, envInt(b, "DEVICE_BENCH_N", 1_000_000)) }

// envInt reads a positive integer knob from the environment.
func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return v
}

// envFlag reads a 0/1 switch from the environment (unset = 0).
func envFlag(b *testing.B, name string) bool {
	switch s := os.Getenv(name); s {
	case "", "0":
		return false
	case "1":
		return true
	default:
		b.Fatalf("%s=%q: want 0 or 1", name, s)
		return false
	}
}

// benchID is a 16-character id in pseudo-random order, so inserts land all
// over the tree as real serial numbers from many vendors would.
func benchID(i int) string {
	h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("id"), uint64(i)))
	return "dev-" + hex.EncodeToString(h[:6])
}

// benchMsgs builds registrations [from, to) with fresh ed25519 keys, on all
// cores (key generation dominates and is not what is measured).
func benchMsgs(from, to int, owners, nodes []string) []*types.MsgRegisterDevice {
	msgs := make([]*types.MsgRegisterDevice, to-from)
	var wg sync.WaitGroup
	workers := 4
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := from + w; i < to; i += workers {
				seed := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("key"), uint64(i)))
				pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
				msgs[i-from] = &types.MsgRegisterDevice{
					Owner:     owners[i%len(owners)],
					DeviceId:  benchID(i),
					KeyType:   types.KEY_TYPE_ED25519,
					Pubkey:    pub,
					Kind:      types.DEVICE_KIND_COLLECTOR,
					Protocols: []types.Protocol{types.PROTOCOL_LORA, types.PROTOCOL_BLE},
					HomeNode:  nodes[i%len(nodes)],
					Metadata:  []types.MetadataEntry{{Key: "fw", Value: "1.0.3"}, {Key: "model", Value: "th-100"}},
				}
			}
		}(w)
	}
	wg.Wait()
	return msgs
}

func benchRegister(b *testing.B, n int) {
	b.StopTimer()
	dir := b.TempDir()
	db, err := appdb.Open(appdb.Name, dir) // as trustedged opens it
	if err != nil {
		b.Fatal(err)
	}
	// The node's defaults: pruning "default", 781250 IAVL cache nodes
	// (iavl-cache-size; DEVICE_BENCH_IAVL_CACHE overrides), fast nodes on
	// (iavl-disable-fastnode; DEVICE_BENCH_NO_FASTNODE=1 turns them off).
	cms := store.NewCommitMultiStore(db, log.NewNopLogger())
	cms.SetPruning(pruningtypes.NewPruningOptions(pruningtypes.PruningDefault))
	cms.SetIAVLCacheSize(envInt(b, "DEVICE_BENCH_IAVL_CACHE", 781250))
	cms.SetIAVLDisableFastNode(envFlag(b, "DEVICE_BENCH_NO_FASTNODE"))
	key := storetypes.NewKVStoreKey(types.StoreKey)
	cms.MountStoreWithDB(key, storetypes.StoreTypeIAVL, nil)
	if err := cms.LoadLatestVersion(); err != nil {
		b.Fatal(err)
	}

	ac := devtestutil.AddressCodec()
	cdc, _ := devtestutil.MakeCodec()
	edge := devtestutil.NewFakeEdge(ac, devtestutil.Addr("authority"))
	nodes := make([]string, benchNodes)
	for i := range nodes {
		edge.AddOperator(devtestutil.Addr(fmt.Sprintf("node%d", i)))
		nodes[i] = devtestutil.AddrStr(fmt.Sprintf("node%d", i))
	}
	owners := make([]string, max(1, n/devicesPerOwner))
	for i := range owners {
		owners[i] = devtestutil.AddrStr(fmt.Sprintf("owner%d", i))
	}
	k := keeper.NewKeeper(cdc, runtime.NewKVStoreService(key), ac, devtestutil.AllowAll{}, edge)
	msgServer := keeper.NewMsgServerImpl(k)
	logger := log.NewNopLogger()

	b.Logf("load average at start: %s", loadAvg())
	var busy, committing, cpu time.Duration
	height := int64(1)
	for from := 0; from < n; from += benchBlockSize {
		msgs := benchMsgs(from, min(n, from+benchBlockSize), owners, nodes)
		start, cpuStart := time.Now(), cpuTime(b)
		b.StartTimer()
		block := cms.CacheMultiStore()
		ctx := sdk.NewContext(block, cmtproto.Header{Height: height, ChainID: devtestutil.ChainID}, false, logger)
		for _, m := range msgs {
			txCtx, write := ctx.CacheContext()
			if _, err := msgServer.RegisterDevice(txCtx, m); err != nil {
				b.Fatalf("register %s: %v", m.DeviceId, err)
			}
			write()
		}
		block.Write()
		commitStart := time.Now()
		cms.Commit()
		b.StopTimer()
		committing += time.Since(commitStart)
		busy += time.Since(start)
		cpu += cpuTime(b) - cpuStart
		height++
	}

	b.ReportMetric(float64(busy.Nanoseconds())/float64(n), "ns/op")
	b.ReportMetric(float64(n)/busy.Seconds(), "regs/s")
	b.ReportMetric(float64(committing.Milliseconds())/float64(height-1), "commit_ms/block")
	// CPU time of the whole process (GC and pebble's background work
	// included) per registration: on a shared machine it shows what the
	// wall-clock rate would be with the cores to ourselves.
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu_µs/reg")
	b.Logf("load average after registering: %s", loadAvg())

	// Logical state: every key and value under the module's store.
	var stateBytes, entries int
	it := cms.GetKVStore(key).Iterator(nil, nil)
	for ; it.Valid(); it.Next() {
		stateBytes += len(it.Key()) + len(it.Value())
		entries++
	}
	it.Close()
	if entries != 3*n {
		b.Fatalf("%d store entries, want %d (record + 2 index entries per device)", entries, 3*n)
	}
	b.ReportMetric(float64(stateBytes)/float64(n), "state_B/device")

	// On disk: the pebble directory after the last commit with memtables
	// flushed, then (after the lookups) fully compacted and closed, so
	// obsolete files are gone. IAVL inner nodes, fast-node copies, versions
	// and pebble's own files are all in here.
	pdb := db.(*appdb.DB).Pebble()
	if err := pdb.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(dirSize(b, dir))/float64(n), "disk_B/device")

	// Lookups right after the last commit, while pebble still compacts what
	// it wrote (a node under write load), then once compactions are done.
	benchLookups(b, cms, k, n, owners, "")
	deadline := time.Now().Add(2 * time.Minute)
	for pdb.Metrics().Compact.NumInProgress > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	benchLookups(b, cms, k, n, owners, "_settled")

	if err := pdb.Compact([]byte{0}, bytes.Repeat([]byte{0xff}, 64), true); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(dirSize(b, dir))/float64(n), "disk_compacted_B/device")
}

// benchLookups times reads the way the gateway and gRPC queries make them:
// on an immutable view of the last committed version.
func benchLookups(b *testing.B, cms storetypes.CommitMultiStore, k keeper.Keeper, n int, owners []string, suffix string) {
	view, err := cms.CacheMultiStoreWithVersion(cms.LatestVersion())
	if err != nil {
		b.Fatal(err)
	}
	ctx := sdk.NewContext(view, cmtproto.Header{Height: cms.LatestVersion(), ChainID: devtestutil.ChainID}, false, log.NewNopLogger())
	rng := rand.New(rand.NewPCG(1, 2))
	qs := keeper.NewQueryServerImpl(k)

	start := time.Now()
	for i := 0; i < benchReads; i++ {
		if _, err := k.GetDevice(ctx, benchID(rng.IntN(n))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/benchReads, "get"+suffix+"_µs")

	byOwner := func(limit uint64, unit string) {
		start := time.Now()
		for i := 0; i < benchReads/10; i++ {
			resp, err := qs.DevicesByOwner(ctx, &types.QueryDevicesByOwnerRequest{
				Owner: owners[rng.IntN(len(owners))], Pagination: &query.PageRequest{Limit: limit},
			})
			if err != nil {
				b.Fatal(err)
			}
			if len(resp.Devices) == 0 {
				b.Fatal("owner without devices")
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/(benchReads/10), unit)
	}
	byOwner(1, "by_owner_first"+suffix+"_µs")
	byOwner(10, "by_owner_page10"+suffix+"_µs")
	byOwner(devicesPerOwner, fmt.Sprintf("by_owner_all%d%s_µs", devicesPerOwner, suffix))
}

func dirSize(b *testing.B, dir string) int64 {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// cpuTime is the user+system CPU time the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is /proc/loadavg where there is one: benchmark numbers from a
// busy machine must say so.
func loadAvg() string {
	bz, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(bz))
}

// BenchmarkMsgRegisterDevice is the module's own cost per registration:
// the msg server on a cache store over an in-memory IAVL tree, no commit,
// no disk. The difference to BenchmarkRegister* is the storage stack.
func BenchmarkMsgRegisterDevice(b *testing.B) {
	f := devtestutil.NewFixture(b)
	nodes := []string{f.AddNode("node0")}
	owners := []string{devtestutil.AddrStr("owner0"), devtestutil.AddrStr("owner1")}
	k := keeper.NewKeeper(f.Codec, runtime.NewKVStoreService(f.StoreKey), f.AddrCodec, devtestutil.AllowAll{}, f.Edge)
	ms := keeper.NewMsgServerImpl(k)
	msgs := benchMsgs(0, b.N, owners, nodes)
	ctx, _ := f.Ctx.CacheContext()
	b.ResetTimer()
	for _, m := range msgs {
		if _, err := ms.RegisterDevice(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
}
