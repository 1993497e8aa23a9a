package app

import (
	"context"
	"fmt"
	"strings"

	msgv1 "cosmossdk.io/api/cosmos/msg/v1"
	errorsmod "cosmossdk.io/errors"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// authorityCircuit holds back the SDK modules' authority messages (bank,
// consensus, upgrade, auth: every Msg whose signer is its "authority" field,
// outside trustedge's own modules) while the consensus params the tx started
// with name someone other than the current consortium authority.
//
// The SDK checks those messages against ctx.ConsensusParams(), loaded when
// the tx starts (sdk.ValidateAuthority), not against the params x/edge
// MsgUpdateAuthority has just written in the same tx. Without this, the
// outgoing authority could hand over and, in the same tx, still schedule a
// software upgrade or write itself back as the consensus-params authority:
// two authorities. The next tx (even in the same block) loads the new params.
// trustedge's modules read the authority from x/edge's store and see a
// handover at once, so they are not held back.
type authorityCircuit struct {
	edge interface {
		IsAuthority(ctx context.Context, addr string) (bool, error)
	}
	// held is the set of type URLs the SDK checks against the tx-start
	// consensus params.
	held map[string]struct{}
}

// IsAllowed implements baseapp.CircuitBreaker.
func (c authorityCircuit) IsAllowed(ctx context.Context, typeURL string) (bool, error) {
	if _, ok := c.held[typeURL]; !ok {
		return true, nil
	}
	blockAuthority := sdk.UnwrapSDKContext(ctx).ConsensusParams().Authority.GetAuthority()
	if blockAuthority != "" {
		if same, err := c.edge.IsAuthority(ctx, blockAuthority); err != nil || same {
			return same, err
		}
	}
	return false, errorsmod.Wrapf(edgetypes.ErrUnauthorized,
		"the consortium authority changed in this tx: %s runs in a later tx, when bank, consensus and upgrade see the new authority", typeURL)
}

// sdkAuthorityMsgs lists the registered Msgs signed by an "authority" field
// that do not belong to trustedge's modules, read from their descriptors
// (cosmos.msg.v1.signer) so a module added later is covered too.
func sdkAuthorityMsgs(ir codectypes.InterfaceRegistry) (map[string]struct{}, error) {
	held := map[string]struct{}{}
	for _, typeURL := range ir.ListImplementations(sdk.MsgInterfaceProtoName) {
		name := strings.TrimPrefix(typeURL, "/")
		if strings.HasPrefix(name, "trustedge.") {
			continue
		}
		d, err := ir.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			return nil, fmt.Errorf("descriptor of %s: %w", typeURL, err)
		}
		md, ok := d.(protoreflect.MessageDescriptor)
		if !ok {
			return nil, fmt.Errorf("%s is not a message", typeURL)
		}
		signers, _ := proto.GetExtension(md.Options(), msgv1.E_Signer).([]string)
		if len(signers) == 1 && signers[0] == "authority" {
			held[typeURL] = struct{}{}
		}
	}
	return held, nil
}
