package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/types"
)

// Check is the one decision function: may subject do action on resource at
// the current block time? Deny by default. Every live grant that matches
// allows; when several do, the one reported is the most specific:
//  1. a grant to the subject itself before one to a role it is in,
//  2. an exact resource before a wildcard, a longer prefix before a shorter,
//  3. the lower grant id.
//
// The cost is one index read per grant of the subject and of its roles
// (both bounded by MaxGrantsPerSubject), never a scan of all grants.
func (k Keeper) Check(ctx context.Context, subject, action, resource string) (types.Decision, error) {
	subject, err := types.NormalizeSubject(k.addressCodec, subject)
	if err != nil {
		return types.Decision{}, err
	}
	if err := types.ValidateAction(action); err != nil {
		return types.Decision{}, err
	}
	if err := types.ValidateResource(resource); err != nil {
		return types.Decision{}, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()

	// A grant to a role without actions gives the role's actions, also when
	// the role itself is the subject checked (as the Check query allows).
	var roleActions []string
	if role, isRole := types.IsRoleSubject(subject); isRole {
		r, err := k.Roles.Get(ctx, role)
		if err != nil && !isNotFound(err) {
			return types.Decision{}, err
		}
		roleActions = r.Actions
	}
	var best candidate
	if err := k.walkSubjectGrants(ctx, subject, func(g types.Grant) {
		actions := g.Actions
		if len(actions) == 0 {
			actions = roleActions
		}
		if live(g, now) && types.Matches(g.Resource, resource) && types.Allows(actions, action) {
			best = best.better(candidate{grant: g, ok: true})
		}
	}); err != nil {
		return types.Decision{}, err
	}
	if _, isRole := types.IsRoleSubject(subject); !isRole {
		roles, err := k.rolesOf(ctx, subject)
		if err != nil {
			return types.Decision{}, err
		}
		for _, role := range roles {
			r, err := k.Roles.Get(ctx, role)
			if err != nil {
				return types.Decision{}, err
			}
			if err := k.walkSubjectGrants(ctx, types.RoleSubject(role), func(g types.Grant) {
				actions := g.Actions
				if len(actions) == 0 {
					actions = r.Actions
				}
				if live(g, now) && types.Matches(g.Resource, resource) && types.Allows(actions, action) {
					best = best.better(candidate{grant: g, viaRole: role, ok: true})
				}
			}); err != nil {
				return types.Decision{}, err
			}
		}
	}
	if !best.ok {
		return types.Decision{Allowed: false, Reason: "no live grant allows " + action + " on " + resource + " for " + subject}, nil
	}
	g := best.grant
	return types.Decision{Allowed: true, Grant: &g, ViaRole: best.viaRole, Reason: "allowed by grant"}, nil
}

// Authorize is Check as an error: nil when allowed, ErrAccessDenied otherwise.
func (k Keeper) Authorize(ctx context.Context, subject, action, resource string) error {
	d, err := k.Check(ctx, subject, action, resource)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return errorsmod.Wrapf(types.ErrAccessDenied, "%s may not %s %s", subject, action, resource)
	}
	return nil
}

// HasLiveGrant reports whether an account holds at least one unexpired
// grant, directly or through a role. The ante handler admits such senders.
func (k Keeper) HasLiveGrant(ctx context.Context, addr sdk.AccAddress) (bool, error) {
	bech, err := k.addressCodec.BytesToString(addr)
	if err != nil {
		return false, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	subject := types.AccountSubject(bech)
	if ok, err := k.liveAt(ctx, subject, now); err != nil || ok {
		return ok, err
	}
	roles, err := k.rolesOf(ctx, subject)
	if err != nil {
		return false, err
	}
	for _, role := range roles {
		if ok, err := k.liveAt(ctx, types.RoleSubject(role), now); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// walkSubjectGrants calls fn for each grant whose subject is exactly subject.
func (k Keeper) walkSubjectGrants(ctx context.Context, subject string, fn func(types.Grant)) error {
	return k.walkSubjectGrantsUntil(ctx, subject, func(g types.Grant) bool { fn(g); return false })
}

// walkSubjectGrantsUntil is walkSubjectGrants that stops when fn returns true.
func (k Keeper) walkSubjectGrantsUntil(ctx context.Context, subject string, fn func(types.Grant) bool) error {
	it, err := k.Grants.Indexes.BySubject.MatchExact(ctx, subject)
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		id, err := it.PrimaryKey()
		if err != nil {
			return err
		}
		g, err := k.Grants.Get(ctx, id)
		if err != nil {
			return err
		}
		if fn(g) {
			return nil
		}
	}
	return nil
}

// rolesOf lists the roles a member subject is in, in name order.
func (k Keeper) rolesOf(ctx context.Context, member string) ([]string, error) {
	var roles []string
	err := k.MemberRoles.Walk(ctx, collections.NewPrefixedPairRange[string, string](member),
		func(key collections.Pair[string, string]) (bool, error) {
			roles = append(roles, key.K2())
			return false, nil
		})
	return roles, err
}

// live: not expired at now. A grant expiring exactly now is expired.
func live(g types.Grant, now time.Time) bool {
	return g.ExpiresAt == nil || now.Before(*g.ExpiresAt)
}

// candidate is a matching grant while Check looks for the most specific.
type candidate struct {
	grant   types.Grant
	viaRole string
	ok      bool
}

func (c candidate) better(o candidate) candidate {
	switch {
	case !c.ok:
		return o
	case (c.viaRole == "") != (o.viaRole == ""):
		if o.viaRole == "" {
			return o
		}
		return c
	case types.IsWildcard(c.grant.Resource) != types.IsWildcard(o.grant.Resource):
		if !types.IsWildcard(o.grant.Resource) {
			return o
		}
		return c
	case len(c.grant.Resource) != len(o.grant.Resource):
		if len(o.grant.Resource) > len(c.grant.Resource) {
			return o
		}
		return c
	case o.grant.Id < c.grant.Id:
		return o
	default:
		return c
	}
}
