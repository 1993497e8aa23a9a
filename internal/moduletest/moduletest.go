// Package moduletest holds the fixtures every module's test support shares:
// the app's address codec, a proto codec with signing options, seeded
// account addresses, typed-event decoding and store snapshots. Test support
// only: nothing in the app imports it. Each x/<module>/testutil builds its
// keeper fixture on top of these, so a test address or an event decodes the
// same way in every module's tests.
package moduletest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/std"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"
)

// Bech32Prefix is the account prefix the app uses.
const Bech32Prefix = "edge"

// AddressCodec is the account address codec the app gives the keepers.
func AddressCodec() address.Codec { return addresscodec.NewBech32Codec(Bech32Prefix) }

// NewCodec returns a proto codec whose registry knows the std types and
// whatever register adds (the modules' RegisterInterfaces), with signing
// options so GetMsgV1Signers works.
func NewCodec(register ...func(codectypes.InterfaceRegistry)) (codec.Codec, codectypes.InterfaceRegistry) {
	registry, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          AddressCodec(),
			ValidatorAddressCodec: addresscodec.NewBech32Codec(Bech32Prefix + "valoper"),
		},
	})
	if err != nil {
		panic(err)
	}
	std.RegisterInterfaces(registry)
	for _, r := range register {
		r(registry)
	}
	return codec.NewProtoCodec(registry), registry
}

// Addr derives a deterministic account address from seed: the same seed
// names the same account in every module's tests.
func Addr(seed string) sdk.AccAddress {
	h := sha256.Sum256([]byte(seed))
	return sdk.AccAddress(h[:20])
}

// AddrStr is Addr in bech32 with the edge prefix.
func AddrStr(seed string) string {
	s, err := AddressCodec().BytesToString(Addr(seed))
	if err != nil {
		panic(err)
	}
	return s
}

// TypedEvents decodes every event on ctx's event manager.
func TypedEvents(tb testing.TB, ctx sdk.Context) []proto.Message {
	tb.Helper()
	var out []proto.Message
	for _, ev := range ctx.EventManager().Events() {
		msg, err := sdk.ParseTypedEvent(abci.Event(ev))
		require.NoError(tb, err)
		out = append(out, msg)
	}
	return out
}

// Snapshot copies every key/value of the store under key as ctx sees it,
// hex-encoded, so a rejected call can be shown to have changed nothing.
// prefix is put before each key (to tell several stores apart in one map).
func Snapshot(ctx sdk.Context, key storetypes.StoreKey, prefix string) map[string]string {
	out := map[string]string{}
	AddSnapshot(out, ctx, key, prefix)
	return out
}

// AddSnapshot adds the store under key to out, as Snapshot does.
func AddSnapshot(out map[string]string, ctx sdk.Context, key storetypes.StoreKey, prefix string) {
	it := ctx.KVStore(key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out[prefix+hex.EncodeToString(it.Key())] = hex.EncodeToString(it.Value())
	}
}
