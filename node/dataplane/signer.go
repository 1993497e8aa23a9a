package dataplane

import (
	"errors"
	"fmt"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// errNoSigner is resolveSigner's answer when neither key flag is set (Run
// asks hasSigningKey first and then starts no data plane at all).
var errNoSigner = errors.New("no signing key")

// Signer is who the data plane signs epoch commitments as, and for which
// node.
type Signer struct {
	// KeyName is the keyring key that signs MsgCommitEpoch.
	KeyName string
	// Address is that key's account (the MsgCommitEpoch sender).
	Address sdk.AccAddress
	// Operator is the node's operator: the gateway serves the devices homed
	// on it and the chain records the epochs under it.
	Operator sdk.AccAddress
}

// hasSigningKey reports whether the config names a key to sign epoch
// commitments with (without one a node runs as a plain validator); an
// operator address with no key is a mistake, not a choice.
func hasSigningKey(cfg Config) (bool, error) {
	if cfg.OperatorKey != "" || cfg.CommitterKey != "" {
		return true, nil
	}
	if cfg.Operator != "" {
		return false, fmt.Errorf("--%s is set but no key signs for it: pass --%s", FlagOperator, FlagCommitterKey)
	}
	return false, nil
}

// resolveSigner picks the signing key and the node from the config:
//
//	--dataplane.committer-key K --dataplane.operator ADDR   K signs for node ADDR (the operator key stays elsewhere)
//	--dataplane.committer-key K --dataplane.operator-key O  K signs for O's node
//	--dataplane.operator-key O                              O signs for its own node
//
// A committer must also be named on chain (`tx edge set-committer`), or the
// chain refuses its commitments; that is checked by the chain, not here.
func resolveSigner(cfg Config, kr keyring.Keyring) (Signer, error) {
	var s Signer
	var opFromKey sdk.AccAddress
	if cfg.OperatorKey != "" {
		addr, err := keyAddress(kr, cfg.OperatorKey)
		if err != nil {
			return s, fmt.Errorf("--%s: %w", FlagOperatorKey, err)
		}
		opFromKey = addr
	}
	if cfg.Operator != "" {
		addr, err := sdk.AccAddressFromBech32(cfg.Operator)
		if err != nil {
			return s, fmt.Errorf("--%s %q: %w", FlagOperator, cfg.Operator, err)
		}
		if opFromKey != nil && !addr.Equals(opFromKey) {
			return s, fmt.Errorf("--%s %s is not the address of --%s %q (%s)", FlagOperator, addr, FlagOperatorKey, cfg.OperatorKey, opFromKey)
		}
		s.Operator = addr
	} else {
		s.Operator = opFromKey
	}
	switch {
	case cfg.CommitterKey != "":
		addr, err := keyAddress(kr, cfg.CommitterKey)
		if err != nil {
			return s, fmt.Errorf("--%s: %w", FlagCommitterKey, err)
		}
		if s.Operator == nil {
			return s, fmt.Errorf("--%s needs the node it commits for: pass --%s <operator address>", FlagCommitterKey, FlagOperator)
		}
		if addr.Equals(s.Operator) {
			return s, fmt.Errorf("--%s %q is the operator's own key: use --%s alone", FlagCommitterKey, cfg.CommitterKey, FlagOperatorKey)
		}
		s.KeyName, s.Address = cfg.CommitterKey, addr
	case cfg.OperatorKey != "":
		s.KeyName, s.Address = cfg.OperatorKey, opFromKey
	default:
		return s, errNoSigner
	}
	return s, nil
}

func keyAddress(kr keyring.Keyring, name string) (sdk.AccAddress, error) {
	rec, err := kr.Key(name)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	return rec.GetAddress()
}
