package moduletest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdktestutil "github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/internal/moduletest"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

func TestAddrIsDeterministicAndBech32(t *testing.T) {
	require.Equal(t, moduletest.Addr("alice"), moduletest.Addr("alice"))
	require.NotEqual(t, moduletest.Addr("alice"), moduletest.Addr("bob"))
	require.Len(t, moduletest.Addr("alice"), 20)

	s := moduletest.AddrStr("alice")
	require.True(t, strings.HasPrefix(s, moduletest.Bech32Prefix+"1"), s)
	bz, err := moduletest.AddressCodec().StringToBytes(s)
	require.NoError(t, err)
	require.Equal(t, []byte(moduletest.Addr("alice")), bz)
}

func TestNewCodecRegistersWhatItIsGiven(t *testing.T) {
	_, reg := moduletest.NewCodec()
	_, err := reg.Resolve(sdk.MsgTypeURL(&edgetypes.MsgHeartbeat{}))
	require.Error(t, err, "x/edge Msgs are not in a registry built without them")

	cdc, reg := moduletest.NewCodec(edgetypes.RegisterInterfaces)
	_, err = reg.Resolve(sdk.MsgTypeURL(&edgetypes.MsgHeartbeat{}))
	require.NoError(t, err)
	// Signing options are set: the signer of a Msg resolves to its bytes.
	signers, _, err := cdc.GetMsgV1Signers(&edgetypes.MsgHeartbeat{Sender: moduletest.AddrStr("op")})
	require.NoError(t, err)
	require.Equal(t, [][]byte{moduletest.Addr("op")}, signers)
}

func TestTypedEventsAndSnapshot(t *testing.T) {
	key := storetypes.NewKVStoreKey("mt")
	ctx := sdktestutil.DefaultContext(key, storetypes.NewTransientStoreKey("mt_t")).WithEventManager(sdk.NewEventManager())

	require.Empty(t, moduletest.Snapshot(ctx, key, ""))
	ctx.KVStore(key).Set([]byte{0x01, 0xab}, []byte("v"))
	require.Equal(t, map[string]string{"01ab": "76"}, moduletest.Snapshot(ctx, key, ""))
	out := map[string]string{"other": "x"}
	moduletest.AddSnapshot(out, ctx, key, "mt/")
	require.Equal(t, map[string]string{"other": "x", "mt/01ab": "76"}, out)

	ev := &edgetypes.EventHeartbeat{Operator: moduletest.AddrStr("op")}
	require.NoError(t, ctx.EventManager().EmitTypedEvent(ev))
	got := moduletest.TypedEvents(t, ctx)
	require.Len(t, got, 1)
	require.Equal(t, ev.Operator, got[0].(*edgetypes.EventHeartbeat).Operator)
}
