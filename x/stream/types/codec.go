package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names used for ledger/amino-JSON signing.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&MsgCreateStream{}, "trustedge/x/stream/MsgCreateStream", nil)
	cdc.RegisterConcrete(&MsgCloseStream{}, "trustedge/x/stream/MsgCloseStream", nil)
	cdc.RegisterConcrete(&MsgCommitEpoch{}, "trustedge/x/stream/MsgCommitEpoch", nil)
	cdc.RegisterConcrete(&MsgRecordReading{}, "trustedge/x/stream/MsgRecordReading", nil)
	cdc.RegisterConcrete(&MsgUpdateParams{}, "trustedge/x/stream/MsgUpdateParams", nil)
}

// RegisterInterfaces registers the module's Msgs with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgCreateStream{},
		&MsgCloseStream{},
		&MsgCommitEpoch{},
		&MsgRecordReading{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
