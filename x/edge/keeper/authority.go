package keeper

import (
	"context"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// syncConsensusAuthority writes the consortium authority into the consensus
// params, where the SDK modules look for it. Without a params store (unit
// tests) there is nothing to keep in sync.
func (k Keeper) syncConsensusAuthority(ctx context.Context, authority string) error {
	if k.consensusParams == nil {
		return nil
	}
	params, err := k.consensusParams.Get(ctx)
	if err != nil {
		return err
	}
	if params.Authority == nil || params.Authority.Authority != authority {
		params.Authority = &cmtproto.AuthorityParams{Authority: authority}
		return k.consensusParams.Set(ctx, params)
	}
	return nil
}

// checkConsensusAuthority refuses a genesis whose consensus-params authority
// names someone other than the x/edge authority: two authorities would
// split control of the chain.
func checkConsensusAuthority(ctx context.Context, authority string) error {
	cp := sdk.UnwrapSDKContext(ctx).ConsensusParams()
	if cp.Authority != nil && cp.Authority.Authority != "" && cp.Authority.Authority != authority {
		return errorsmod.Wrapf(types.ErrInvalidGenesis,
			"consensus params authority %s differs from the edge authority %s (use `trustedged genesis set-authority`)",
			cp.Authority.Authority, authority)
	}
	return nil
}
