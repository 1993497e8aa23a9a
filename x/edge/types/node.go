package types

import (
	"net/url"
	"strings"

	errorsmod "cosmossdk.io/errors"

	gogoprotoany "github.com/cosmos/gogoproto/types/any"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
)

// Limits on operator-supplied text, so a node record stays small.
const (
	MaxMonikerLen    = 64
	MaxRegionLen     = 64
	MaxMultiaddrs    = 8
	MaxMultiaddrLen  = 256
	MaxPeerIDLen     = 128
	MaxGatewayURLLen = 256
	// MaxPower keeps the sum of all powers far from CometBFT's
	// MaxTotalVotingPower (MaxInt64/8) even with thousands of nodes.
	MaxPower = int64(1) << 40
)

var (
	_ gogoprotoany.UnpackInterfacesMessage = (*EdgeNode)(nil)
	_ gogoprotoany.UnpackInterfacesMessage = (*MsgRegisterNode)(nil)
	_ gogoprotoany.UnpackInterfacesMessage = (*GenesisState)(nil)
	_ gogoprotoany.UnpackInterfacesMessage = (*QueryNodeResponse)(nil)
	_ gogoprotoany.UnpackInterfacesMessage = (*QueryNodesResponse)(nil)
)

// UnpackInterfaces lets the codec resolve the consensus key Any.
func (n EdgeNode) UnpackInterfaces(unpacker gogoprotoany.AnyUnpacker) error {
	var pk cryptotypes.PubKey
	return unpacker.UnpackAny(n.ConsensusPubkey, &pk)
}

// UnpackInterfaces lets the codec resolve the consensus key Any.
func (m MsgRegisterNode) UnpackInterfaces(unpacker gogoprotoany.AnyUnpacker) error {
	var pk cryptotypes.PubKey
	return unpacker.UnpackAny(m.ConsensusPubkey, &pk)
}

// UnpackInterfaces resolves the consensus keys of every genesis node.
func (g GenesisState) UnpackInterfaces(unpacker gogoprotoany.AnyUnpacker) error {
	for _, n := range g.Nodes {
		if err := n.UnpackInterfaces(unpacker); err != nil {
			return err
		}
	}
	return nil
}

// UnpackInterfaces resolves the node's key in a gRPC client's reply.
func (r QueryNodeResponse) UnpackInterfaces(unpacker gogoprotoany.AnyUnpacker) error {
	return r.Node.UnpackInterfaces(unpacker)
}

// UnpackInterfaces resolves every node's key in a gRPC client's reply.
func (r QueryNodesResponse) UnpackInterfaces(unpacker gogoprotoany.AnyUnpacker) error {
	for _, n := range r.Nodes {
		if err := n.UnpackInterfaces(unpacker); err != nil {
			return err
		}
	}
	return nil
}

// ConsPubKey returns the node's consensus key. Only ed25519 keys are
// accepted: it is the key type CometBFT's default consensus params allow.
func ConsPubKey(anyPk *codectypes.Any) (cryptotypes.PubKey, error) {
	if anyPk == nil {
		return nil, errorsmod.Wrapf(ErrInvalidPubKey, "missing")
	}
	pk, ok := anyPk.GetCachedValue().(cryptotypes.PubKey)
	if !ok || pk == nil {
		return nil, errorsmod.Wrapf(ErrInvalidPubKey, "%s is not a resolved public key", anyPk.TypeUrl)
	}
	edPk, ok := pk.(*ed25519.PubKey)
	if !ok {
		return nil, errorsmod.Wrapf(ErrInvalidPubKey, "type %s not allowed, use ed25519", pk.Type())
	}
	if len(edPk.Key) != ed25519.PubKeySize {
		return nil, errorsmod.Wrapf(ErrInvalidPubKey, "ed25519 key must be %d bytes, got %d", ed25519.PubKeySize, len(edPk.Key))
	}
	return pk, nil
}

// ConsPubKey returns the node's consensus key.
func (n EdgeNode) ConsPubKey() (cryptotypes.PubKey, error) { return ConsPubKey(n.ConsensusPubkey) }

// IsBonded reports whether the node should be in CometBFT's validator set.
func (n EdgeNode) IsBonded() bool { return n.Power > 0 && n.Status != NODE_STATUS_JAILED }

// ValidatePower checks a requested voting power.
func ValidatePower(power int64, allowZero bool) error {
	lowest := int64(1)
	if allowZero {
		lowest = 0
	}
	if power < lowest || power > MaxPower {
		return errorsmod.Wrapf(ErrInvalidPower, "%d not in [%d, %d]", power, lowest, MaxPower)
	}
	return nil
}

// ValidateDescription checks the operator-editable fields of a node.
func ValidateDescription(moniker, region string, endpoints Endpoints, ethAddress string) error {
	if moniker == "" || len(moniker) > MaxMonikerLen {
		return errorsmod.Wrapf(ErrInvalidNode, "moniker must be 1..%d bytes", MaxMonikerLen)
	}
	if len(region) > MaxRegionLen {
		return errorsmod.Wrapf(ErrInvalidNode, "region longer than %d bytes", MaxRegionLen)
	}
	if err := endpoints.Validate(); err != nil {
		return err
	}
	return ValidateEthAddress(ethAddress)
}

// Validate checks the node's endpoints are well formed (when set).
func (e Endpoints) Validate() error {
	if len(e.PeerId) > MaxPeerIDLen || strings.ContainsAny(e.PeerId, " /\t\n") {
		return errorsmod.Wrapf(ErrInvalidNode, "peer id %q", e.PeerId)
	}
	if len(e.Multiaddrs) > MaxMultiaddrs {
		return errorsmod.Wrapf(ErrInvalidNode, "at most %d multiaddrs", MaxMultiaddrs)
	}
	for _, ma := range e.Multiaddrs {
		if len(ma) == 0 || len(ma) > MaxMultiaddrLen || !strings.HasPrefix(ma, "/") {
			return errorsmod.Wrapf(ErrInvalidNode, "multiaddr %q must start with / and be 1..%d bytes", ma, MaxMultiaddrLen)
		}
	}
	if e.Gateway != "" {
		if len(e.Gateway) > MaxGatewayURLLen {
			return errorsmod.Wrapf(ErrInvalidNode, "gateway URL longer than %d bytes", MaxGatewayURLLen)
		}
		u, err := url.Parse(e.Gateway)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errorsmod.Wrapf(ErrInvalidNode, "gateway %q must be an http(s) URL with a host", e.Gateway)
		}
	}
	return nil
}
