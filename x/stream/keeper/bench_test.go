package keeper_test

import (
	"fmt"
	"testing"
	"time"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
	"github.com/trustedge/trustedge/x/stream/types"
)

// Benchmarks of the two ways readings reach the chain.
//
//	go test -tags pebbledb -run '^$' -bench . -benchtime 20000x ./x/stream/keeper/
//
// BenchmarkMsgCommitEpoch and BenchmarkMsgRecordReading time one message
// through the msg server on a cache store over an in-memory IAVL tree (no
// commit, no ante handler, no signature check) and report its gas.
// BenchmarkReadingsPerBlock puts the same number of readings per block on
// a pebble-backed store with a commit per block, both ways, and reports
// cost per reading: that is the comparison the design rests on.

// benchPayload is a typical small reading (a few floats and a timestamp).
var benchPayload = make([]byte, 64)

// gasPerOp reports the gas a context's meter used per op.
func gasPerOp(b *testing.B, ctx sdk.Context, n int) {
	b.ReportMetric(float64(ctx.GasMeter().GasConsumed())/float64(n), "gas/op")
}

func BenchmarkMsgCommitEpoch(b *testing.B) {
	f := streamtestutil.NewFixture(b)
	node := f.AddNode(b, "node0")
	msgs := make([]*types.MsgCommitEpoch, b.N)
	for i := range msgs {
		msgs[i] = streamtestutil.CommitMsg(node, uint64(i+1))
	}
	ctx, _ := f.Ctx.CacheContext()
	ctx = ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	b.ResetTimer()
	for _, m := range msgs {
		if _, err := f.MsgServer.CommitEpoch(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	gasPerOp(b, ctx, b.N)
}

func BenchmarkMsgRecordReading(b *testing.B) {
	for _, tc := range []struct {
		name   string
		sender func(f *streamtestutil.Fixture, owner string) string
	}{
		// The owner pays for the device read and one x/access Check (its
		// own write grant vouches for the device).
		{"owner", func(_ *streamtestutil.Fixture, owner string) string { return owner }},
		// A granted writer pays for a second Check: its own grant.
		{"granted-writer", func(f *streamtestutil.Fixture, _ string) string {
			w := streamtestutil.AddrStr("writer")
			f.AllowWrite(b, w, "s")
			return w
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			f := streamtestutil.NewFixture(b)
			owner := streamtestutil.AddrStr("alice")
			f.RegisterDevice(b, "d", owner, f.AddNode(b, "node0"))
			f.CreateStream(b, owner, "s", "d")
			f.AllowWrite(b, owner, "s")
			sender := tc.sender(f, owner)
			msgs := make([]*types.MsgRecordReading, b.N)
			for i := range msgs {
				msgs[i] = &types.MsgRecordReading{Sender: sender, StreamId: "s", Seq: uint64(i + 1), Time: int64(i), Payload: benchPayload}
			}
			ctx, _ := f.Ctx.CacheContext()
			ctx = ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
			b.ResetTimer()
			for _, m := range msgs {
				if _, err := f.MsgServer.RecordReading(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			gasPerOp(b, ctx, b.N)
		})
	}
}

// BenchmarkReadingsPerBlock: each block carries readingsPerBlock readings
// from benchStreams streams homed on benchNodes nodes. "epoch" commits them
// as one MsgCommitEpoch per node (the root is computed off chain and not
// timed); "naive" records each reading with its own MsgRecordReading. Both
// run on pebble with a cache store per tx and a commit per block. b.N is
// the number of readings; metrics are per reading.
func BenchmarkReadingsPerBlock(b *testing.B) {
	const (
		readingsPerBlock = 1_000
		benchNodes       = 4
		benchStreams     = 100
	)
	for _, mode := range []string{"epoch", "naive"} {
		b.Run(mode, func(b *testing.B) {
			f := streamtestutil.NewDiskFixture(b)
			owner := streamtestutil.AddrStr("owner")
			nodes := make([]string, benchNodes)
			for i := range nodes {
				nodes[i] = f.AddNode(b, fmt.Sprintf("node%d", i))
			}
			// One grant per kind, as an owner of many devices holds them
			// (Check reads all of a subject's grants).
			f.Grant(b, types.AccountSubject(owner), "stream/*", types.ActionCreate, types.ActionWrite)
			f.Grant(b, devicetypes.AccountSubject(owner), "device/*", devicetypes.ActionRegister)
			for i := 0; i < benchStreams; i++ {
				d := fmt.Sprintf("d%03d", i)
				if _, err := f.DeviceMsgs.RegisterDevice(f.Ctx, devtestutil.NewTestDevice(d, owner, nodes[i%benchNodes]).RegisterMsg()); err != nil {
					b.Fatal(err)
				}
				_, err := f.MsgServer.CreateStream(f.Ctx, streamtestutil.CreateMsg(owner, fmt.Sprintf("s%03d", i), d))
				if err != nil {
					b.Fatal(err)
				}
			}
			f.Commit()
			stateBefore := storeBytes(f)

			blocks := max(1, b.N/readingsPerBlock)
			seq := make([]uint64, benchStreams)
			epoch := make([]uint64, benchNodes)
			var gas uint64
			b.ResetTimer()
			start := time.Now()
			for blk := 0; blk < blocks; blk++ {
				var msgs []sdk.Msg
				switch mode {
				case "epoch":
					for n := range nodes {
						epoch[n]++
						m := streamtestutil.CommitMsg(nodes[n], epoch[n])
						m.ReadingCount, m.StreamCount = readingsPerBlock/benchNodes, benchStreams/benchNodes
						msgs = append(msgs, m)
					}
				case "naive":
					for r := 0; r < readingsPerBlock; r++ {
						s := r % benchStreams
						seq[s]++
						msgs = append(msgs, &types.MsgRecordReading{
							Sender: owner, StreamId: fmt.Sprintf("s%03d", s), Seq: seq[s], Time: int64(r), Payload: benchPayload,
						})
					}
				}
				for _, m := range msgs {
					txCtx, write := f.Ctx.CacheContext()
					txCtx = txCtx.WithGasMeter(storetypes.NewInfiniteGasMeter())
					var err error
					switch m := m.(type) {
					case *types.MsgCommitEpoch:
						_, err = f.MsgServer.CommitEpoch(txCtx, m)
					case *types.MsgRecordReading:
						_, err = f.MsgServer.RecordReading(txCtx, m)
					}
					if err != nil {
						b.Fatal(err)
					}
					write()
					gas += txCtx.GasMeter().GasConsumed()
				}
				f.Commit()
			}
			elapsed := time.Since(start)
			b.StopTimer()
			readings := float64(blocks * readingsPerBlock)
			b.ReportMetric(float64(elapsed.Nanoseconds())/readings, "ns/op")
			b.ReportMetric(float64(gas)/readings, "gas/reading")
			b.ReportMetric(float64(storeBytes(f)-stateBefore)/readings, "state_B/reading")
			b.ReportMetric(float64(elapsed.Microseconds())/float64(blocks), "µs/block")
		})
	}
}

// storeBytes sums len(key)+len(value) over the committed x/stream store.
func storeBytes(f *streamtestutil.Fixture) int {
	it := f.CMS.GetKVStore(f.Keys[types.StoreKey]).Iterator(nil, nil)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n += len(it.Key()) + len(it.Value())
	}
	return n
}
