package device_test

import (
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoregistry"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/client/v2/autocli/flag"

	"github.com/cosmos/cosmos-sdk/client/flags"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"

	"github.com/trustedge/trustedge/x/device"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
)

// TestAutoCLI builds the tx and query commands from the module's options
// and checks the names and flag values the README and examples use.
func TestAutoCLI(t *testing.T) {
	opts := device.AppModule{}.AutoCLIOptions()
	b := &autocli.Builder{
		Builder: flag.Builder{
			TypeResolver:          protoregistry.GlobalTypes,
			FileResolver:          proto.HybridResolver,
			AddressCodec:          devtestutil.AddressCodec(),
			ValidatorAddressCodec: addresscodec.NewBech32Codec("edgevaloper"),
			ConsensusAddressCodec: addresscodec.NewBech32Codec("edgevalcons"),
		},
		AddQueryConnFlags: flags.AddQueryFlagsToCmd,
		AddTxConnFlags:    flags.AddTxFlagsToCmd,
	}
	require.NoError(t, b.ValidateAndComplete())

	tx := &cobra.Command{Use: "device"}
	require.NoError(t, b.AddMsgServiceCommands(tx, opts.Tx))
	q := &cobra.Command{Use: "device"}
	require.NoError(t, b.AddQueryServiceCommands(q, opts.Query))

	sub := func(root *cobra.Command, name string) *cobra.Command {
		t.Helper()
		c, _, err := root.Find([]string{name})
		require.NoError(t, err, name)
		require.Equal(t, name, c.Name())
		return c
	}
	for _, name := range []string{"register", "update", "rotate-key", "suspend", "resume", "revoke", "move", "transfer"} {
		sub(tx, name)
	}
	for _, name := range []string{"show", "by-owner", "by-node", "key-history", "verify"} {
		sub(q, name)
	}

	reg := sub(tx, "register")
	for flagName, values := range map[string][]string{
		"key-type":  {"ed25519", "secp256-k1"}, // autocli kebab-cases SECP256K1
		"kind":      {"collector", "actuator", "both"},
		"protocols": {"nb-iot", "lora", "wifi", "nfc", "ble", "ethernet", "zigbee", "lte-m", "cellular"},
		"pubkey":    {"q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="},
		"metadata":  {`{"key":"model","value":"th-100"}`},
	} {
		f := reg.Flags().Lookup(flagName)
		require.NotNil(t, f, flagName)
		for _, v := range values {
			require.NoError(t, f.Value.Set(v), "--%s %s", flagName, v)
		}
	}
	require.Error(t, reg.Flags().Lookup("key-type").Value.Set("rsa"))
	require.NotNil(t, sub(tx, "rotate-key").Flags().Lookup("new-key-type"))
	require.NotNil(t, sub(tx, "suspend").Flags().Lookup("reason"))
	require.NotNil(t, sub(q, "verify").Flags().Lookup("at-height"))
}
