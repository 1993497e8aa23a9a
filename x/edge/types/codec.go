package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names used for ledger/amino-JSON signing.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&MsgRegisterNode{}, "trustedge/x/edge/MsgRegisterNode", nil)
	cdc.RegisterConcrete(&MsgRemoveNode{}, "trustedge/x/edge/MsgRemoveNode", nil)
	cdc.RegisterConcrete(&MsgSetPower{}, "trustedge/x/edge/MsgSetPower", nil)
	cdc.RegisterConcrete(&MsgUpdateNode{}, "trustedge/x/edge/MsgUpdateNode", nil)
	cdc.RegisterConcrete(&MsgHeartbeat{}, "trustedge/x/edge/MsgHeartbeat", nil)
	cdc.RegisterConcrete(&MsgSetCommitter{}, "trustedge/x/edge/MsgSetCommitter", nil)
	cdc.RegisterConcrete(&MsgUpdateParams{}, "trustedge/x/edge/MsgUpdateParams", nil)
	cdc.RegisterConcrete(&MsgUpdateAuthority{}, "trustedge/x/edge/MsgUpdateAuthority", nil)
	cdc.RegisterConcrete(&Params{}, "trustedge/x/edge/Params", nil)
}

// RegisterInterfaces registers the module's Msgs with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterNode{},
		&MsgRemoveNode{},
		&MsgSetPower{},
		&MsgUpdateNode{},
		&MsgHeartbeat{},
		&MsgSetCommitter{},
		&MsgUpdateParams{},
		&MsgUpdateAuthority{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
