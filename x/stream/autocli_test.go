package stream_test

import (
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoregistry"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/client/v2/autocli/flag"
	"cosmossdk.io/core/appmodule"

	"github.com/cosmos/cosmos-sdk/client/flags"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"

	"github.com/trustedge/trustedge/x/stream"
	streamtestutil "github.com/trustedge/trustedge/x/stream/testutil"
)

// TestAutoCLI builds the root command the way trustedged does and checks
// that `query stream` holds both the hand-written prove command and the
// generated queries, and that `tx stream` holds the generated messages.
func TestAutoCLI(t *testing.T) {
	mod := stream.AppModule{}
	opts := autocli.AppOptions{
		Modules:       map[string]appmodule.AppModule{"stream": mod},
		ModuleOptions: nil, // taken from the module, as runtimeservices does
	}
	b := &autocli.Builder{
		Builder: flag.Builder{
			TypeResolver:          protoregistry.GlobalTypes,
			FileResolver:          proto.HybridResolver,
			AddressCodec:          streamtestutil.AddressCodec(),
			ValidatorAddressCodec: addresscodec.NewBech32Codec("edgevaloper"),
			ConsensusAddressCodec: addresscodec.NewBech32Codec("edgevalcons"),
		},
		AddQueryConnFlags: flags.AddQueryFlagsToCmd,
		AddTxConnFlags:    flags.AddTxFlagsToCmd,
	}
	root := &cobra.Command{Use: "trustedged"}
	root.AddCommand(&cobra.Command{Use: "query"}, &cobra.Command{Use: "tx"})
	require.NoError(t, opts.EnhanceRootCommandWithBuilder(root, b))

	find := func(path ...string) *cobra.Command {
		t.Helper()
		c, _, err := root.Find(path)
		require.NoError(t, err, path)
		require.Equal(t, path[len(path)-1], c.Name(), path)
		return c
	}
	for _, name := range []string{"prove", "params", "stream", "streams", "epoch", "epochs", "latest-epochs", "reading"} {
		find("query", "stream", name)
	}
	for _, name := range []string{"create", "close", "commit-epoch", "record-reading"} {
		find("tx", "stream", name)
	}
	q, _, err := root.Find([]string{"query", "stream"})
	require.NoError(t, err)
	for _, c := range q.Commands() {
		require.NotEqual(t, "verify", c.Name(), "verify is gRPC/REST only")
	}

	create := find("tx", "stream", "create")
	for flagName, value := range map[string]string{
		"schema": "pm25.v1", "unit": "ug/m3", "retention-seconds": "86400", "replication": "2",
	} {
		f := create.Flags().Lookup(flagName)
		require.NotNil(t, f, flagName)
		require.NoError(t, f.Value.Set(value), "--%s %s", flagName, value)
	}
	require.Error(t, create.Flags().Lookup("replication").Value.Set("-1"))
	require.NotNil(t, find("tx", "stream", "record-reading").Flags().Lookup("time"))
	require.NotNil(t, find("query", "stream", "epochs").Flags().Lookup("page-reverse"))
	require.NotNil(t, find("query", "stream", "prove").Flags().Lookup("gateway"))
}
