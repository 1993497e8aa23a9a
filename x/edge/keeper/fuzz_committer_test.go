package keeper_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

// FuzzMsgSetCommitter runs a program of up to 16 MsgSetCommitter calls (each
// op is two bytes: which node signs, which committer it names) on a
// four-node chain. It must never panic; a rejection must be a registered
// error and leave the store untouched; after every call the committer index
// must be exactly the nodes' committers, with no committer an operator and
// none serving two nodes.
//
//	go test -tags pebbledb -run '^$' -fuzz FuzzMsgSetCommitter ./x/edge/keeper
func FuzzMsgSetCommitter(f *testing.F) {
	fx := edgetestutil.NewFixture(f)
	nodes := edgetestutil.NewTestNodes(f, "fc", 4)
	fx.InitGenesis(f, fx.Genesis(types.DefaultParams(), nodes, 100))

	// op[0] % 5: nodes 0-3, or 4 = a stranger. op[1] % 8: committer pool
	// 0-3, 4 = clear, 5 = the signer itself, 6 = another operator, 7 = garbage.
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 0, 0, 0, 1, 0, 0, 4, 0, 4})
	f.Add([]byte{0, 1, 1, 1, 0, 2, 1, 4, 2, 1})
	f.Add([]byte{4, 0, 0, 5, 0, 6, 0, 7, 3, 3})
	f.Fuzz(func(t *testing.T, program []byte) {
		ctx, _ := fx.Ctx.CacheContext()
		for i := 0; i+1 < len(program) && i < 32; i += 2 {
			signer, target := program[i]%5, program[i+1]%8
			msg := &types.MsgSetCommitter{Operator: edgetestutil.AddrStr("stranger")}
			if signer < 4 {
				msg.Operator = nodes[signer].Operator
			}
			switch {
			case target < 4:
				msg.Committer = edgetestutil.AddrStr("committer/" + string(rune('a'+target)))
			case target == 4:
			case target == 5:
				msg.Committer = msg.Operator
			case target == 6:
				msg.Committer = nodes[(int(signer)+1)%4].Operator
			default:
				msg.Committer = "edge1garbage"
			}

			before := edgetestutil.Snapshot(ctx, fx.StoreKey)
			ctx = ctx.WithEventManager(sdk.NewEventManager())
			_, err := fx.MsgServer.SetCommitter(ctx, msg)
			if err != nil {
				require.Truef(t, errors.Is(err, types.ErrInvalidCommitter) || errors.Is(err, types.ErrInvalidAddress) ||
					errors.Is(err, types.ErrNodeNotFound), "unregistered error: %v", err)
				require.Equal(t, before, edgetestutil.Snapshot(ctx, fx.StoreKey), "state changed after %v", err)
				require.Empty(t, ctx.EventManager().Events())
			} else {
				require.Len(t, ctx.EventManager().Events(), 1)
			}
			requireCommitterIndexConsistent(t, ctx, fx, nodes)
		}
	})
}

// requireCommitterIndexConsistent: the index holds exactly the nodes'
// non-empty committers, each pointing back at its node, none an operator.
func requireCommitterIndexConsistent(t *testing.T, ctx sdk.Context, fx *edgetestutil.Fixture, nodes []edgetestutil.TestNode) {
	t.Helper()
	want := map[string]string{}
	for _, n := range nodes {
		node, err := fx.Keeper.Nodes.Get(ctx, n.OpAddr)
		require.NoError(t, err)
		if node.Committer == "" {
			continue
		}
		c, err := fx.AddrCodec.StringToBytes(node.Committer)
		require.NoError(t, err)
		_, dup := want[string(c)]
		require.False(t, dup, "committer %s serves two nodes", node.Committer)
		want[string(c)] = string(n.OpAddr)
		isOperator, err := fx.Keeper.Nodes.Has(ctx, c)
		require.NoError(t, err)
		require.False(t, isOperator, "committer %s is an operator", node.Committer)
	}
	got := map[string]string{}
	require.NoError(t, fx.Keeper.Committers.Walk(ctx, nil, func(c, op sdk.AccAddress) (bool, error) {
		got[string(c)] = string(op)
		return false, nil
	}))
	require.Equal(t, want, got)
}
