package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names used for ledger/amino-JSON signing.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&MsgRegisterDevice{}, "trustedge/x/device/MsgRegisterDevice", nil)
	cdc.RegisterConcrete(&MsgUpdateDevice{}, "trustedge/x/device/MsgUpdateDevice", nil)
	cdc.RegisterConcrete(&MsgRotateDeviceKey{}, "trustedge/x/device/MsgRotateDeviceKey", nil)
	cdc.RegisterConcrete(&MsgSuspendDevice{}, "trustedge/x/device/MsgSuspendDevice", nil)
	cdc.RegisterConcrete(&MsgResumeDevice{}, "trustedge/x/device/MsgResumeDevice", nil)
	cdc.RegisterConcrete(&MsgRevokeDevice{}, "trustedge/x/device/MsgRevokeDevice", nil)
	cdc.RegisterConcrete(&MsgMoveDevice{}, "trustedge/x/device/MsgMoveDevice", nil)
	cdc.RegisterConcrete(&MsgTransferDevice{}, "trustedge/x/device/MsgTransferDevice", nil)
}

// RegisterInterfaces registers the module's Msgs with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterDevice{},
		&MsgUpdateDevice{},
		&MsgRotateDeviceKey{},
		&MsgSuspendDevice{},
		&MsgResumeDevice{},
		&MsgRevokeDevice{},
		&MsgMoveDevice{},
		&MsgTransferDevice{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
