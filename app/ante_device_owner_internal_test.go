package app

import (
	"reflect"
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// TestDeviceOwnerMsgsCoverTheService: every x/device Msg but
// MsgRegisterDevice counts as an owner message, and nothing else does. A
// new x/device Msg fails this test until it is sorted into one or the other
// (left out, a grantless owner could not send it; let in by mistake, a
// registration would need no grant).
func TestDeviceOwnerMsgsCoverTheService(t *testing.T) {
	require.NotEmpty(t, devicetypes.Msg_serviceDesc.Methods)
	for _, m := range devicetypes.Msg_serviceDesc.Methods {
		name := "trustedge.device.v1.Msg" + m.MethodName
		typ := proto.MessageType(name)
		require.NotNil(t, typ, name)
		msg := reflect.New(typ.Elem()).Interface().(sdk.Msg)
		got, ok := deviceOwnerMsgs([]sdk.Msg{msg})
		if m.MethodName == "RegisterDevice" {
			require.False(t, ok, "registration needs a grant")
			continue
		}
		require.True(t, ok, name)
		require.Len(t, got, 1, name)
	}
	_, ok := deviceOwnerMsgs(nil)
	require.False(t, ok, "an empty tx is no owner tx")
}
