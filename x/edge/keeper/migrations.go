package keeper

import (
	"context"
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// MigrateEthSigners is the consensus-version 1 → 2 migration. Version 1
// stored a node's Ethereum signer address as given (any letter case, no
// checksum check) and kept no index of addresses; version 2 stores the
// EIP-55 form and indexes every address to the one node that uses it
// (EthSigners), so one bridge checkpoint signature never counts for two
// nodes' power.
//
// Nodes are visited in operator-address order (deterministic on every
// validator). A node keeps its address in EIP-55 form unless the address
// does not parse (not 0x and 40 hex digits) or an earlier node already
// holds it: then the later node's address is cleared, with an
// EventNodeUpdated and a log line, and its operator sets one again with
// MsgUpdateNode. Running it twice changes nothing.
func (k Keeper) MigrateEthSigners(ctx context.Context) error {
	if err := k.EthSigners.Clear(ctx, nil); err != nil {
		return err
	}
	type change struct {
		operator sdk.AccAddress
		node     types.EdgeNode
		cleared  string // why the address was cleared, "" when kept
	}
	var changes []change
	held := map[string]string{} // raw address (as a string) -> operator holding it
	// Read every node first: nothing is written while the store iterates.
	iter, err := k.Nodes.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	kvs, err := iter.KeyValues()
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		node := kv.Value
		if node.EthAddress == "" {
			continue
		}
		c := change{operator: kv.Key, node: node}
		canonical, raw, err := types.ParseEthAddress(normalizeEthCase(node.EthAddress))
		switch {
		case err != nil:
			c.cleared = fmt.Sprintf("address %q does not parse: %v", node.EthAddress, err)
		case held[string(raw)] != "":
			c.cleared = fmt.Sprintf("address %s is already node %s's", canonical, held[string(raw)])
		default:
			held[string(raw)] = node.Operator
			if err := k.EthSigners.Set(ctx, raw, kv.Key); err != nil {
				return err
			}
		}
		if c.cleared != "" {
			c.node.EthAddress = ""
		} else {
			c.node.EthAddress = canonical
		}
		if c.node.EthAddress != node.EthAddress {
			changes = append(changes, c)
		}
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	for _, c := range changes {
		if err := k.Nodes.Set(ctx, c.operator, c.node); err != nil {
			return err
		}
		if c.cleared == "" {
			continue // only the spelling changed
		}
		sdkCtx.Logger().Error("x/edge migration cleared a node's Ethereum signer address; its operator must set one with MsgUpdateNode",
			"node", c.node.Operator, "reason", c.cleared)
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeUpdated{Operator: c.node.Operator}); err != nil {
			return err
		}
	}
	return nil
}

// normalizeEthCase lower-cases a mixed-case address: version 1 never
// checked checksums, so a stored mixed-case address may fail EIP-55
// although its hex names a valid address.
func normalizeEthCase(addr string) string {
	b := []byte(addr)
	for i, c := range b {
		if c >= 'A' && c <= 'F' && i >= 2 {
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}
