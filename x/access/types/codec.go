package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names used for amino-JSON signing.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&MsgCreateRole{}, "trustedge/x/access/MsgCreateRole", nil)
	cdc.RegisterConcrete(&MsgDeleteRole{}, "trustedge/x/access/MsgDeleteRole", nil)
	cdc.RegisterConcrete(&MsgAddRoleMember{}, "trustedge/x/access/MsgAddRoleMember", nil)
	cdc.RegisterConcrete(&MsgRemoveRoleMember{}, "trustedge/x/access/MsgRemoveRoleMember", nil)
	cdc.RegisterConcrete(&MsgGrant{}, "trustedge/x/access/MsgGrant", nil)
	cdc.RegisterConcrete(&MsgRevoke{}, "trustedge/x/access/MsgRevoke", nil)
	cdc.RegisterConcrete(&MsgSetNamespaceAdmin{}, "trustedge/x/access/MsgSetNamespaceAdmin", nil)
}

// RegisterInterfaces registers the module's Msgs.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgCreateRole{},
		&MsgDeleteRole{},
		&MsgAddRoleMember{},
		&MsgRemoveRoleMember{},
		&MsgGrant{},
		&MsgRevoke{},
		&MsgSetNamespaceAdmin{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
