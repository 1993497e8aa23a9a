package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/types"
)

// InitGenesis writes the validated tables.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(k.addressCodec); err != nil {
		return err
	}
	for _, r := range gs.Roles {
		if err := k.Roles.Set(ctx, r.Name, r); err != nil {
			return err
		}
	}
	for _, m := range gs.RoleMembers {
		if err := k.addMember(ctx, m.Role, m.Member); err != nil {
			return err
		}
	}
	for _, a := range gs.NamespaceAdmins {
		addr, err := k.addressCodec.StringToBytes(a.Admin)
		if err != nil {
			return err
		}
		if err := k.NamespaceAdmins.Set(ctx, collections.Join(a.Namespace, sdk.AccAddress(addr))); err != nil {
			return err
		}
	}
	for _, g := range gs.Grants {
		if err := k.setGrant(ctx, g); err != nil {
			return err
		}
	}
	return k.NextGrantID.Set(ctx, gs.NextGrantId)
}

// ExportGenesis reads every table back, in key order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	if err := k.Roles.Walk(ctx, nil, func(_ string, r types.Role) (bool, error) {
		gs.Roles = append(gs.Roles, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.RoleMembers.Walk(ctx, nil, func(key collections.Pair[string, string]) (bool, error) {
		gs.RoleMembers = append(gs.RoleMembers, types.RoleMember{Role: key.K1(), Member: key.K2()})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.NamespaceAdmins.Walk(ctx, nil, func(key collections.Pair[string, sdk.AccAddress]) (bool, error) {
		admin, err := k.addressCodec.BytesToString(key.K2())
		gs.NamespaceAdmins = append(gs.NamespaceAdmins, types.NamespaceAdmin{Namespace: key.K1(), Admin: admin})
		return false, err
	}); err != nil {
		return nil, err
	}
	if err := k.Grants.Walk(ctx, nil, func(_ uint64, g types.Grant) (bool, error) {
		gs.Grants = append(gs.Grants, g)
		return false, nil
	}); err != nil {
		return nil, err
	}
	next, err := k.NextGrantID.Peek(ctx)
	if err != nil {
		return nil, err
	}
	gs.NextGrantId = next
	return gs, nil
}
