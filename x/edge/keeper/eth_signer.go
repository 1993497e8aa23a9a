package keeper

import (
	"context"
	"encoding/hex"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// claimEthAddress validates addr, refuses it if another node's bridge
// signer already uses it, and returns its canonical (EIP-55) form and raw
// bytes. It writes nothing: the caller sets the index with setEthSigner
// once every other check has passed.
func (k Keeper) claimEthAddress(ctx context.Context, operator sdk.AccAddress, addr string) (string, []byte, error) {
	canonical, raw, err := types.ParseEthAddress(addr)
	if err != nil || raw == nil {
		return canonical, raw, err
	}
	owner, err := k.EthSigners.Get(ctx, raw)
	switch {
	case err == nil && !owner.Equals(operator):
		ownerStr, err := k.addressCodec.BytesToString(owner)
		if err != nil {
			return "", nil, err
		}
		return "", nil, errorsmod.Wrapf(types.ErrEthAddressInUse, "%s is node %s's", canonical, ownerStr)
	case err != nil && !errorsIsNotFound(err):
		return "", nil, err
	}
	return canonical, raw, nil
}

// setEthSigner moves operator's index entry from its old address (EIP-55
// string, may be "") to newRaw (may be nil).
func (k Keeper) setEthSigner(ctx context.Context, operator sdk.AccAddress, old string, newRaw []byte) error {
	if err := k.removeEthSigner(ctx, operator, old); err != nil {
		return err
	}
	if newRaw == nil {
		return nil
	}
	return k.EthSigners.Set(ctx, newRaw, operator)
}

// removeEthSigner drops operator's index entry for its stored address, if
// it has one. The hex is decoded without the checksum rule (a stored
// address that no longer parses must not make the node impossible to
// remove), and an entry that names another node is left alone (a node
// stored before the index existed has none of its own).
func (k Keeper) removeEthSigner(ctx context.Context, operator sdk.AccAddress, addr string) error {
	if len(addr) != 2+2*types.EthAddressLen {
		return nil
	}
	raw, err := hex.DecodeString(addr[2:])
	if err != nil {
		return nil
	}
	owner, err := k.EthSigners.Get(ctx, raw)
	switch {
	case errorsIsNotFound(err):
		return nil
	case err != nil:
		return err
	case !owner.Equals(operator):
		return nil
	}
	return k.EthSigners.Remove(ctx, raw)
}
