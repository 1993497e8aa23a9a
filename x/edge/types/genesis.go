package types

import (
	"encoding/hex"
	"strings"

	errorsmod "cosmossdk.io/errors"

	"cosmossdk.io/core/address"
)

// DefaultGenesis has no authority and no nodes: `genesis add-edge-node` and
// `genesis set-authority` fill them in before the chain starts.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams()}
}

// Validate decodes every address and key, and rejects duplicates, so a bad
// genesis fails at `genesis validate` and not at InitChain.
func (g GenesisState) Validate(ac address.Codec) error {
	if g.Authority != "" {
		if _, err := ac.StringToBytes(g.Authority); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "authority %q: %v", g.Authority, err)
		}
	}
	if err := g.Params.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidGenesis, "%v", err)
	}
	operators := make(map[string]struct{}, len(g.Nodes))
	committers := make(map[string]string, len(g.Nodes))
	consKeys := make(map[string]struct{}, len(g.Nodes))
	ethSigners := make(map[string]string, len(g.Nodes))
	var total int64
	for i, n := range g.Nodes {
		if err := n.ValidateStored(ac); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %d: %v", i, err)
		}
		bz, _ := ac.StringToBytes(n.Operator)
		if _, dup := operators[string(bz)]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %d: duplicate operator %s", i, n.Operator)
		}
		operators[string(bz)] = struct{}{}
		if n.Committer != "" {
			cbz, _ := ac.StringToBytes(n.Committer)
			if other, dup := committers[string(cbz)]; dup {
				return errorsmod.Wrapf(ErrInvalidGenesis, "node %d: committer %s already commits for %s", i, n.Committer, other)
			}
			committers[string(cbz)] = n.Operator
		}
		pk, _ := n.ConsPubKey()
		if _, dup := consKeys[string(pk.Address())]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %d: consensus key reused by %s", i, n.Operator)
		}
		consKeys[string(pk.Address())] = struct{}{}
		if _, raw, _ := ParseEthAddress(n.EthAddress); raw != nil {
			if other, dup := ethSigners[string(raw)]; dup {
				return errorsmod.Wrapf(ErrInvalidGenesis, "node %d: eth address %s is also node %s's", i, n.EthAddress, other)
			}
			ethSigners[string(raw)] = n.Operator
		}
		if n.IsBonded() {
			total += n.Power
		}
	}
	// A committer is never an operator (its own node's or another's).
	for i, n := range g.Nodes {
		if n.Committer == "" {
			continue
		}
		cbz, _ := ac.StringToBytes(n.Committer)
		if _, isOperator := operators[string(cbz)]; isOperator {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %d: committer %s operates an edge node", i, n.Committer)
		}
	}
	banned := make(map[string]struct{}, len(g.BannedConsensusAddresses))
	for _, h := range g.BannedConsensusAddresses {
		bz, err := hex.DecodeString(h)
		if err != nil || len(bz) != 20 || strings.ToUpper(h) != h {
			return errorsmod.Wrapf(ErrInvalidGenesis, "banned consensus address %q must be 40 upper-case hex digits", h)
		}
		if _, dup := banned[h]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate banned consensus address %s", h)
		}
		banned[h] = struct{}{}
	}
	// A banned key belongs to a jailed node or to none: InitGenesis would
	// otherwise seat a validator whose key was caught misbehaving. And a
	// jailed node's key is banned: the chain jails only for double-signing,
	// which bans the key in the same step, so a jailed node with a free key
	// is a hand-edited genesis in which removing the node would let its key
	// be registered again.
	for i, n := range g.Nodes {
		pk, _ := n.ConsPubKey()
		_, isBanned := banned[strings.ToUpper(hex.EncodeToString(pk.Address()))]
		if isBanned && n.Status != NODE_STATUS_JAILED {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %d (%s): its consensus key is banned, but the node is %s, not jailed", i, n.Operator, n.Status)
		}
		if !isBanned && n.Status == NODE_STATUS_JAILED {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %d (%s) is jailed but its consensus key is not in banned_consensus_addresses", i, n.Operator)
		}
	}
	if len(g.Nodes) > 0 && total == 0 {
		return errorsmod.Wrapf(ErrInvalidGenesis, "nodes are listed but none has power")
	}
	return nil
}

// ValidateStartable is Validate plus what a chain needs to start from this
// genesis: the consortium authority and at least one node with power.
// `trustedged genesis validate` runs it; the step-by-step genesis commands
// run Validate, because a genesis under construction has neither yet.
func (g GenesisState) ValidateStartable(ac address.Codec) error {
	if err := g.Validate(ac); err != nil {
		return err
	}
	if g.Authority == "" {
		return errorsmod.Wrapf(ErrInvalidGenesis, "no consortium authority set (use `trustedged genesis set-authority`)")
	}
	if len(g.Nodes) == 0 {
		return errorsmod.Wrapf(ErrInvalidGenesis, "no edge node, so no validator (use `trustedged genesis add-edge-node`)")
	}
	return nil
}

// ValidateStored checks a full node record (genesis or import).
func (n EdgeNode) ValidateStored(ac address.Codec) error {
	if _, err := ac.StringToBytes(n.Operator); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "operator %q: %v", n.Operator, err)
	}
	if _, err := n.ConsPubKey(); err != nil {
		return err
	}
	if n.Committer != "" {
		if _, err := ac.StringToBytes(n.Committer); err != nil {
			return errorsmod.Wrapf(ErrInvalidCommitter, "%q: %v", n.Committer, err)
		}
	}
	if err := ValidatePower(n.Power, true); err != nil {
		return err
	}
	switch n.Status {
	case NODE_STATUS_ACTIVE, NODE_STATUS_JAILED, NODE_STATUS_STALE:
	default:
		return errorsmod.Wrapf(ErrInvalidNode, "status %s", n.Status)
	}
	return ValidateDescription(n.Moniker, n.Region, n.Endpoints, n.EthAddress)
}
