package types_test

import (
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"

	"github.com/trustedge/trustedge/x/access/types"
)

// TestMsgSigners checks every Msg is registered and signed by the field
// the keeper authorizes (cosmos.msg.v1.signer).
func TestMsgSigners(t *testing.T) {
	reg, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          ac,
			ValidatorAddressCodec: addresscodec.NewBech32Codec("edgevaloper"),
		},
	})
	require.NoError(t, err)
	types.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)

	signer := addr("signer")
	other := addr("other")
	msgs := []sdk.Msg{
		&types.MsgCreateRole{Sender: signer, Name: "ops", Actions: []string{"read"}},
		&types.MsgDeleteRole{Sender: signer, Name: "ops"},
		&types.MsgAddRoleMember{Sender: signer, Role: "ops", Member: other},
		&types.MsgRemoveRoleMember{Sender: signer, Role: "ops", Member: other},
		&types.MsgGrant{Granter: signer, Subject: other, Resource: "stream/a", Actions: []string{"read"}},
		&types.MsgRevoke{Sender: signer, GrantId: 1},
		&types.MsgSetNamespaceAdmin{Authority: signer, Namespace: "stream", Admin: other, Enabled: true},
	}
	want, err := ac.StringToBytes(signer)
	require.NoError(t, err)
	for _, m := range msgs {
		name := sdk.MsgTypeURL(m)
		_, err := reg.Resolve(name)
		require.NoError(t, err, "%s registered", name)
		signers, _, err := cdc.GetMsgV1Signers(m)
		require.NoError(t, err, name)
		require.Equal(t, [][]byte{want}, signers, name)
	}
}
