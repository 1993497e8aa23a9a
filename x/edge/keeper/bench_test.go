package keeper_test

import (
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

const benchNodes = 100

// benchFixture is a chain with benchNodes genesis nodes of power 100. The
// context writes to a cache store, as a block does.
func benchFixture(b *testing.B, params types.Params) (*edgetestutil.Fixture, []edgetestutil.TestNode) {
	b.Helper()
	fx := edgetestutil.NewFixture(b)
	nodes := edgetestutil.NewTestNodes(b, "bench", benchNodes)
	fx.InitGenesis(b, fx.Genesis(params, nodes, 100))
	fx.Ctx, _ = fx.Ctx.CacheContext()
	return fx, nodes
}

// BenchmarkHeartbeat is one MsgHeartbeat on a 100-node chain.
//
//	go test -tags pebbledb -run '^$' -bench . -benchmem ./x/edge/keeper
func BenchmarkHeartbeat(b *testing.B) {
	fx, nodes := benchFixture(b, types.DefaultParams())
	msgs := make([]*types.MsgHeartbeat, len(nodes))
	for i, n := range nodes {
		msgs[i] = &types.MsgHeartbeat{Sender: n.Operator, Load: types.Load{CpuMillicores: uint64(i), ActiveTasks: 3}}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ctx := fx.Ctx.WithBlockHeight(int64(2 + i)).WithEventManager(sdk.NewEventManager())
		if _, err := fx.MsgServer.Heartbeat(ctx, msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkApplyValidatorUpdates is the validator-update pass of a block in
// which all 100 nodes changed power.
func BenchmarkApplyValidatorUpdates(b *testing.B) {
	fx, nodes := benchFixture(b, types.DefaultParams())
	stored := make([]types.EdgeNode, len(nodes))
	for i, n := range nodes {
		stored[i] = fx.Node(b, n)
	}
	b.ReportAllocs()
	round := int64(0)
	for b.Loop() {
		b.StopTimer()
		round++
		for i, n := range nodes {
			stored[i].Power = 100 + round%2
			if err := fx.Keeper.Nodes.Set(fx.Ctx, n.OpAddr, stored[i]); err != nil {
				b.Fatal(err)
			}
			if err := fx.Keeper.Dirty.Set(fx.Ctx, n.ConsAddr); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		updates, err := fx.Keeper.ApplyValidatorUpdates(fx.Ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(updates) != benchNodes {
			b.Fatalf("%d updates, want %d", len(updates), benchNodes)
		}
	}
}

// BenchmarkEndBlockerQuiet is EndBlocker on a 100-node chain where nothing
// changed but the heartbeat check is on: the per-block floor cost.
func BenchmarkEndBlockerQuiet(b *testing.B) {
	fx, _ := benchFixture(b, types.Params{MaxPowerChangeBps: 3000, HeartbeatTimeoutBlocks: 1 << 40})
	b.ReportAllocs()
	for b.Loop() {
		updates, err := fx.Keeper.EndBlocker(fx.Ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(updates) != 0 {
			b.Fatal("unexpected updates")
		}
	}
}

// BenchmarkSetPower is one capped MsgSetPower on a 100-node chain: it walks
// every node to compute the total power.
func BenchmarkSetPower(b *testing.B) {
	fx, nodes := benchFixture(b, types.Params{MaxPowerChangeBps: 3000, BootstrapMode: true})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Each round over the nodes flips every power between 101 and 102.
		msg := &types.MsgSetPower{Authority: fx.Authority, Operator: nodes[i%len(nodes)].Operator, Power: 101 + int64(i/len(nodes)%2)}
		if _, err := fx.MsgServer.SetPower(fx.Ctx.WithEventManager(sdk.NewEventManager()), msg); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
