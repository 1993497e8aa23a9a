package keeper

import (
	"context"
	"encoding/hex"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	abci "github.com/cometbft/cometbft/abci/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// InitGenesis writes the genesis state and returns the initial validator set.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) ([]abci.ValidatorUpdate, error) {
	if err := gs.Validate(k.addressCodec); err != nil {
		return nil, err
	}
	if gs.Authority == "" {
		return nil, errorsmod.Wrapf(types.ErrInvalidGenesis, "no consortium authority set (use `trustedged genesis set-authority`)")
	}
	// Canonical (lower-case) bech32, as the SDK modules compare it.
	auth, err := k.addressCodec.StringToBytes(gs.Authority)
	if err != nil {
		return nil, err
	}
	if gs.Authority, err = k.addressCodec.BytesToString(auth); err != nil {
		return nil, err
	}
	if err := checkConsensusAuthority(ctx, gs.Authority); err != nil {
		return nil, err
	}
	// A genesis whose consensus params name no authority — as the SDK's
	// `export` writes one: it keeps only the block, evidence and validator
	// params — gets the edge authority, or the SDK modules would fall back
	// to a module address nobody can sign for.
	if err := k.syncConsensusAuthority(ctx, gs.Authority); err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	if err := k.Authority.Set(ctx, auth); err != nil {
		return nil, err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return nil, err
	}
	for _, n := range gs.Nodes {
		operator, err := k.addressCodec.StringToBytes(n.Operator)
		if err != nil {
			return nil, err
		}
		// Stored canonical (lower case), as MsgRegisterNode stores it.
		if n.Operator, err = k.addressCodec.BytesToString(operator); err != nil {
			return nil, err
		}
		if n.Committer != "" {
			committer, err := k.addressCodec.StringToBytes(n.Committer)
			if err != nil {
				return nil, err
			}
			// Stored canonical (lower case), as MsgSetCommitter stores it.
			if n.Committer, err = k.addressCodec.BytesToString(committer); err != nil {
				return nil, err
			}
			if err := k.Committers.Set(ctx, committer, operator); err != nil {
				return nil, err
			}
		}
		// Stored in EIP-55 form, as RegisterNode and UpdateNode store it;
		// Validate refused two nodes with one address.
		var ethRaw []byte
		if n.EthAddress, ethRaw, err = types.ParseEthAddress(n.EthAddress); err != nil {
			return nil, err
		}
		if err := k.setEthSigner(ctx, operator, "", ethRaw); err != nil {
			return nil, err
		}
		if err := k.Nodes.Set(ctx, operator, n); err != nil {
			return nil, err
		}
		pk, err := n.ConsPubKey()
		if err != nil {
			return nil, err
		}
		if err := k.Dirty.Set(ctx, pk.Address()); err != nil {
			return nil, err
		}
	}
	for _, h := range gs.BannedConsensusAddresses {
		addr, err := hex.DecodeString(h)
		if err != nil {
			return nil, err
		}
		if err := k.BannedConsAddrs.Set(ctx, addr); err != nil {
			return nil, err
		}
	}
	// Genesis is not subject to the power cap: it is the starting set.
	return k.ApplyValidatorUpdates(ctx)
}

// ExportGenesis reads the state back. The validator bookkeeping (Validators,
// Dirty) and the committer and Ethereum-signer indexes are derived from the nodes on import, so
// they are not exported.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	auth, err := k.Authority.Get(ctx)
	if err != nil {
		return nil, err
	}
	authStr, err := k.addressCodec.BytesToString(auth)
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Authority: authStr, Params: params}
	if err := k.Nodes.Walk(ctx, nil, func(_ sdk.AccAddress, n types.EdgeNode) (bool, error) {
		gs.Nodes = append(gs.Nodes, n)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.BannedConsAddrs.Walk(ctx, nil, func(addr []byte) (bool, error) {
		gs.BannedConsensusAddresses = append(gs.BannedConsensusAddresses, consAddrHex(addr))
		return false, nil
	})
	return gs, err
}
