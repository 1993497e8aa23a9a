package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/access Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{Keeper: k} }

func (k msgServer) signerAddr(signer string) (sdk.AccAddress, error) {
	bz, err := k.addressCodec.StringToBytes(signer)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "signer %q: %v", signer, err)
	}
	return bz, nil
}

// canonicalSigner checks a signer address and returns its canonical
// (lower-case bech32) spelling, which events report: bech32 is
// case-insensitive, so the raw string could name one account two ways.
func (k msgServer) canonicalSigner(signer string) (string, error) {
	bz, err := k.signerAddr(signer)
	if err != nil {
		return "", err
	}
	return k.addressCodec.BytesToString(bz)
}

func (k msgServer) CreateRole(ctx context.Context, msg *types.MsgCreateRole) (*types.MsgCreateRoleResponse, error) {
	signer, err := k.signerAddr(msg.Sender)
	if err != nil {
		return nil, err
	}
	ok, err := k.isAuthority(ctx, msg.Sender)
	if err == nil && !ok {
		ok, err = k.IsAnyNamespaceAdmin(ctx, signer)
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s: only the authority or a namespace admin creates roles", msg.Sender)
	}
	if err := types.ValidateRoleName(msg.Name); err != nil {
		return nil, err
	}
	actions, err := types.NormalizeActions(msg.Actions)
	if err != nil {
		return nil, err
	}
	if len(actions) == 0 {
		return nil, errorsmod.Wrap(types.ErrInvalidRole, "a role needs at least one action")
	}
	if has, err := k.Roles.Has(ctx, msg.Name); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrRoleExists, "%q", msg.Name)
	}
	creator, err := k.addressCodec.BytesToString(signer) // canonical spelling
	if err != nil {
		return nil, err
	}
	role := types.Role{Name: msg.Name, Actions: actions, Creator: creator}
	if err := k.Roles.Set(ctx, msg.Name, role); err != nil {
		return nil, err
	}
	return &types.MsgCreateRoleResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRoleCreated{Role: role})
}

// canManageRole: the authority, or the role's creator while it is still a
// namespace admin. An admin the authority removed loses its roles with its
// namespaces: otherwise it could keep adding members (itself included) to
// roles the authority had granted on.
func (k msgServer) canManageRole(ctx context.Context, role types.Role, signer string) error {
	if ok, err := k.isAuthority(ctx, signer); err != nil || ok {
		return err
	}
	// Compare addresses, not spellings: bech32 is case-insensitive.
	creator, err := k.addressCodec.StringToBytes(role.Creator)
	if err != nil {
		return err
	}
	addr, err := k.addressCodec.StringToBytes(signer)
	if err != nil || !sdk.AccAddress(addr).Equals(sdk.AccAddress(creator)) {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s: only the authority or the creator manages role %q", signer, role.Name)
	}
	if ok, err := k.IsAnyNamespaceAdmin(ctx, addr); err != nil {
		return err
	} else if !ok {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s: created role %q but is no longer a namespace admin; the authority manages it now", signer, role.Name)
	}
	return nil
}

func (k msgServer) getRole(ctx context.Context, name string) (types.Role, error) {
	role, err := k.Roles.Get(ctx, name)
	if isNotFound(err) {
		return role, errorsmod.Wrapf(types.ErrRoleNotFound, "%q", name)
	}
	return role, err
}

func (k msgServer) DeleteRole(ctx context.Context, msg *types.MsgDeleteRole) (*types.MsgDeleteRoleResponse, error) {
	by, err := k.canonicalSigner(msg.Sender)
	if err != nil {
		return nil, err
	}
	role, err := k.getRole(ctx, msg.Name)
	if err != nil {
		return nil, err
	}
	if err := k.canManageRole(ctx, role, msg.Sender); err != nil {
		return nil, err
	}
	it, err := k.Grants.Indexes.BySubject.MatchExact(ctx, types.RoleSubject(msg.Name))
	if err != nil {
		return nil, err
	}
	inUse := it.Valid()
	it.Close()
	if inUse {
		return nil, errorsmod.Wrapf(types.ErrRoleInUse, "%q: revoke its grants first", msg.Name)
	}
	var members []string
	if err := k.RoleMembers.Walk(ctx, collections.NewPrefixedPairRange[string, string](msg.Name),
		func(key collections.Pair[string, string]) (bool, error) {
			members = append(members, key.K2())
			return false, nil
		}); err != nil {
		return nil, err
	}
	// Each member leaving is logged as MsgRemoveRoleMember logs it, so an
	// indexer that follows membership from events alone stays right.
	events := sdk.UnwrapSDKContext(ctx).EventManager()
	for _, m := range members {
		if err := k.removeMember(ctx, msg.Name, m); err != nil {
			return nil, err
		}
		if err := events.EmitTypedEvent(&types.EventRoleMemberRemoved{Role: msg.Name, Member: m, By: by}); err != nil {
			return nil, err
		}
	}
	if err := k.Roles.Remove(ctx, msg.Name); err != nil {
		return nil, err
	}
	return &types.MsgDeleteRoleResponse{}, events.EmitTypedEvent(&types.EventRoleDeleted{
		Name: msg.Name, By: by,
	})
}

// memberChange checks what adding a member to a role or removing one needs
// (a well-formed sender, an existing role the sender may manage, a
// well-formed member) and returns the member and the sender in canonical form.
func (k msgServer) memberChange(ctx context.Context, sender, roleName, member string) (canonMember, by string, err error) {
	if by, err = k.canonicalSigner(sender); err != nil {
		return "", "", err
	}
	role, err := k.getRole(ctx, roleName)
	if err != nil {
		return "", "", err
	}
	if err := k.canManageRole(ctx, role, sender); err != nil {
		return "", "", err
	}
	canonMember, err = types.NormalizeMember(k.addressCodec, member)
	return canonMember, by, err
}

func (k msgServer) AddRoleMember(ctx context.Context, msg *types.MsgAddRoleMember) (*types.MsgAddRoleMemberResponse, error) {
	member, by, err := k.memberChange(ctx, msg.Sender, msg.Role, msg.Member)
	if err != nil {
		return nil, err
	}
	if has, err := k.RoleMembers.Has(ctx, collections.Join(msg.Role, member)); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadyMember, "%s in %q", member, msg.Role)
	}
	if roles, err := k.rolesOf(ctx, member); err != nil {
		return nil, err
	} else if len(roles) >= types.MaxRolesPerMember {
		return nil, errorsmod.Wrapf(types.ErrTooManyRoles, "%s is in %d roles (max %d)", member, len(roles), types.MaxRolesPerMember)
	}
	if err := k.addMember(ctx, msg.Role, member); err != nil {
		return nil, err
	}
	return &types.MsgAddRoleMemberResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRoleMemberAdded{
		Role: msg.Role, Member: member, By: by,
	})
}

func (k msgServer) RemoveRoleMember(ctx context.Context, msg *types.MsgRemoveRoleMember) (*types.MsgRemoveRoleMemberResponse, error) {
	member, by, err := k.memberChange(ctx, msg.Sender, msg.Role, msg.Member)
	if err != nil {
		return nil, err
	}
	if has, err := k.RoleMembers.Has(ctx, collections.Join(msg.Role, member)); err != nil {
		return nil, err
	} else if !has {
		return nil, errorsmod.Wrapf(types.ErrNotMember, "%s in %q", member, msg.Role)
	}
	if err := k.removeMember(ctx, msg.Role, member); err != nil {
		return nil, err
	}
	return &types.MsgRemoveRoleMemberResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRoleMemberRemoved{
		Role: msg.Role, Member: member, By: by,
	})
}

func (k Keeper) addMember(ctx context.Context, role, member string) error {
	if err := k.RoleMembers.Set(ctx, collections.Join(role, member)); err != nil {
		return err
	}
	return k.MemberRoles.Set(ctx, collections.Join(member, role))
}

func (k Keeper) removeMember(ctx context.Context, role, member string) error {
	if err := k.RoleMembers.Remove(ctx, collections.Join(role, member)); err != nil {
		return err
	}
	return k.MemberRoles.Remove(ctx, collections.Join(member, role))
}

func (k msgServer) Grant(ctx context.Context, msg *types.MsgGrant) (*types.MsgGrantResponse, error) {
	granterAddr, err := k.signerAddr(msg.Granter)
	if err != nil {
		return nil, err
	}
	granter, err := k.addressCodec.BytesToString(granterAddr) // canonical spelling
	if err != nil {
		return nil, err
	}
	if err := types.ValidatePattern(msg.Resource); err != nil {
		return nil, err
	}
	ns := types.Namespace(msg.Resource)
	if ok, err := k.canManageNamespace(ctx, ns, msg.Granter); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s: only the authority or an admin of namespace %q grants on %s", msg.Granter, ns, msg.Resource)
	}
	subject, err := types.NormalizeSubject(k.addressCodec, msg.Subject)
	if err != nil {
		return nil, err
	}
	actions, err := types.NormalizeActions(msg.Actions)
	if err != nil {
		return nil, err
	}
	if role, isRole := types.IsRoleSubject(subject); isRole {
		if _, err := k.getRole(ctx, role); err != nil {
			return nil, err
		}
	} else if len(actions) == 0 {
		return nil, errorsmod.Wrap(types.ErrInvalidAction, "a grant to an account or device needs at least one action")
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if msg.ExpiresAt != nil && !msg.ExpiresAt.After(sdkCtx.BlockTime()) {
		return nil, errorsmod.Wrapf(types.ErrInvalidExpiry, "%s is not after block time %s", msg.ExpiresAt.UTC(), sdkCtx.BlockTime().UTC())
	}
	if err := k.checkSubjectGrants(ctx, subject, msg.Resource, actions, sdkCtx.BlockTime()); err != nil {
		return nil, err
	}

	id, err := k.NextGrantID.Next(ctx)
	if err != nil {
		return nil, err
	}
	grant := types.Grant{
		Id: id, Subject: subject, Resource: msg.Resource, Actions: actions,
		ExpiresAt: msg.ExpiresAt, Granter: granter, CreatedHeight: sdkCtx.BlockHeight(),
	}
	if err := k.setGrant(ctx, grant); err != nil {
		return nil, err
	}
	return &types.MsgGrantResponse{GrantId: id}, sdkCtx.EventManager().EmitTypedEvent(&types.EventGranted{Grant: grant})
}

// checkSubjectGrants enforces MaxGrantsPerSubject and refuses an exact
// duplicate (same subject, resource and actions) of a live grant, which
// would only add cost. Grants that have expired but that EndBlocker has not
// pruned yet count for neither: they no longer decide anything, and a
// re-grant right after expiry must not depend on the pruning backlog.
//
// It then deletes those expired grants itself, in this (gas-metered) tx:
// EndBlocker prunes at most MaxExpiredPrunedPerBlock a block chain-wide, so
// with only the live ones counted a namespace admin granting short-lived
// grants could pile any number onto one subject, and Check, this walk and
// EndBlocker's horizon walks (unmetered) would grow without bound. A
// subject so never holds more than MaxGrantsPerSubject grants in all, as
// genesis Validate requires of an export.
func (k msgServer) checkSubjectGrants(ctx context.Context, subject, resource string, actions []string, now time.Time) error {
	count := 0
	var dup uint64
	var expired []types.Grant
	if err := k.walkSubjectGrants(ctx, subject, func(g types.Grant) {
		if !live(g, now) {
			expired = append(expired, g)
			return
		}
		count++
		if g.Resource == resource && equalStrings(g.Actions, actions) {
			dup = g.Id
		}
	}); err != nil {
		return err
	}
	if dup != 0 {
		return errorsmod.Wrapf(types.ErrDuplicateGrant, "grant %d already gives %s %v on %s", dup, subject, actions, resource)
	}
	if count >= types.MaxGrantsPerSubject {
		return errorsmod.Wrapf(types.ErrTooManyGrants, "%s has %d (max %d): use a role or a wildcard", subject, count, types.MaxGrantsPerSubject)
	}
	if len(expired) == 0 {
		return nil
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	for _, g := range expired {
		if err := k.removeGrantEntries(ctx, g); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventGrantExpired{
			GrantId: g.Id, Subject: g.Subject, Resource: g.Resource,
		}); err != nil {
			return err
		}
	}
	return k.recomputeHorizon(ctx, subject)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// setGrant writes a new grant, its expiry-queue entry if it expires, and
// raises its subject's horizon.
func (k Keeper) setGrant(ctx context.Context, g types.Grant) error {
	if err := k.Grants.Set(ctx, g.Id, g); err != nil {
		return err
	}
	if err := k.raiseHorizon(ctx, g); err != nil {
		return err
	}
	if g.ExpiresAt != nil {
		return k.ExpiryQueue.Set(ctx, collections.Join(*g.ExpiresAt, g.Id))
	}
	return nil
}

// removeGrant deletes a grant and its expiry-queue entry, and recomputes
// its subject's horizon.
func (k Keeper) removeGrant(ctx context.Context, g types.Grant) error {
	if err := k.removeGrantEntries(ctx, g); err != nil {
		return err
	}
	return k.recomputeHorizon(ctx, g.Subject)
}

// removeGrantEntries deletes a grant and its expiry-queue entry, leaving
// the subject's horizon to the caller (EndBlocker recomputes each subject
// once after pruning many grants).
func (k Keeper) removeGrantEntries(ctx context.Context, g types.Grant) error {
	if err := k.Grants.Remove(ctx, g.Id); err != nil {
		return err
	}
	if g.ExpiresAt != nil {
		return k.ExpiryQueue.Remove(ctx, collections.Join(*g.ExpiresAt, g.Id))
	}
	return nil
}

func (k msgServer) Revoke(ctx context.Context, msg *types.MsgRevoke) (*types.MsgRevokeResponse, error) {
	by, err := k.canonicalSigner(msg.Sender)
	if err != nil {
		return nil, err
	}
	g, err := k.Grants.Get(ctx, msg.GrantId)
	if isNotFound(err) {
		return nil, errorsmod.Wrapf(types.ErrGrantNotFound, "%d", msg.GrantId)
	} else if err != nil {
		return nil, err
	}
	ns := types.Namespace(g.Resource)
	if ok, err := k.canManageNamespace(ctx, ns, msg.Sender); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s: only the authority or an admin of namespace %q revokes grant %d", msg.Sender, ns, msg.GrantId)
	}
	if err := k.removeGrant(ctx, g); err != nil {
		return nil, err
	}
	return &types.MsgRevokeResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRevoked{
		GrantId: g.Id, Subject: g.Subject, Resource: g.Resource, By: by,
	})
}

func (k msgServer) SetNamespaceAdmin(ctx context.Context, msg *types.MsgSetNamespaceAdmin) (*types.MsgSetNamespaceAdminResponse, error) {
	if ok, err := k.isAuthority(ctx, msg.Authority); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "%v", err)
	} else if !ok {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s: only the authority sets namespace admins", msg.Authority)
	}
	by, err := k.canonicalSigner(msg.Authority)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateNamespace(msg.Namespace); err != nil {
		return nil, err
	}
	admin, err := k.addressCodec.StringToBytes(msg.Admin)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "admin %q: %v", msg.Admin, err)
	}
	key := collections.Join(msg.Namespace, sdk.AccAddress(admin))
	if is, err := k.NamespaceAdmins.Has(ctx, key); err != nil {
		return nil, err
	} else if is && msg.Enabled {
		return nil, errorsmod.Wrapf(types.ErrAdminUnchanged, "%s is already an admin of %q", msg.Admin, msg.Namespace)
	} else if !is && !msg.Enabled {
		return nil, errorsmod.Wrapf(types.ErrAdminUnchanged, "%s is not an admin of %q", msg.Admin, msg.Namespace)
	}
	adminStr, err := k.addressCodec.BytesToString(admin) // canonical spelling for the event
	if err != nil {
		return nil, err
	}
	if msg.Enabled {
		err = k.NamespaceAdmins.Set(ctx, key)
	} else {
		err = k.NamespaceAdmins.Remove(ctx, key)
	}
	if err != nil {
		return nil, err
	}
	return &types.MsgSetNamespaceAdminResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventNamespaceAdminSet{
		Namespace: msg.Namespace, Admin: adminStr, Enabled: msg.Enabled, By: by,
	})
}
