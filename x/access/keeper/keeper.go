// Package keeper holds the access-control tables and the one decision
// function, Check, that every other module, the ante handler and the
// gateway use.
package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/access/types"
)

// EdgeKeeper is what x/access needs from x/edge: who the authority is.
type EdgeKeeper interface {
	IsAuthority(ctx context.Context, addr string) (bool, error)
}

// GrantIndexes are the secondary indexes of the grant table.
type GrantIndexes struct {
	// BySubject: (subject, id). Check reads a subject's grants through it.
	BySubject *indexes.Multi[string, uint64, types.Grant]
	// ByResource: (pattern, id). The grantees query looks patterns up here.
	ByResource *indexes.Multi[string, uint64, types.Grant]
}

// IndexesList implements collections.Indexes.
func (i GrantIndexes) IndexesList() []collections.Index[uint64, types.Grant] {
	return []collections.Index[uint64, types.Grant]{i.BySubject, i.ByResource}
}

// Keeper is the x/access keeper.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	edge         EdgeKeeper

	Schema collections.Schema
	// key: role name | value: Role.
	Roles collections.Map[string, types.Role]
	// key: (role, member subject).
	RoleMembers collections.KeySet[collections.Pair[string, string]]
	// key: (member subject, role) — the reverse of RoleMembers.
	MemberRoles collections.KeySet[collections.Pair[string, string]]
	// key: grant id | value: Grant.
	Grants *collections.IndexedMap[uint64, types.Grant, GrantIndexes]
	// key: (expires_at, grant id) for grants that expire.
	ExpiryQueue collections.KeySet[collections.Pair[time.Time, uint64]]
	// next grant id.
	NextGrantID collections.Sequence
	// key: (namespace, admin address).
	NamespaceAdmins collections.KeySet[collections.Pair[string, sdk.AccAddress]]
	// key: subject | value: its grants' horizon (see horizon.go).
	GrantHorizons collections.Map[string, int64]
}

// NewKeeper builds the keeper and its collections schema.
func NewKeeper(cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec address.Codec, edge EdgeKeeper) Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	pairSS := collections.PairKeyCodec(collections.StringKey, collections.StringKey)
	k := Keeper{
		cdc:          cdc,
		addressCodec: addressCodec,
		edge:         edge,
		Roles:        collections.NewMap(sb, types.RolesKey, "roles", collections.StringKey, codec.CollValue[types.Role](cdc)),
		RoleMembers:  collections.NewKeySet(sb, types.RoleMembersKey, "role_members", pairSS),
		MemberRoles:  collections.NewKeySet(sb, types.MemberRolesKey, "member_roles", pairSS),
		Grants: collections.NewIndexedMap(sb, types.GrantsKey, "grants", collections.Uint64Key, codec.CollValue[types.Grant](cdc),
			GrantIndexes{
				BySubject: indexes.NewMulti(sb, types.GrantsBySubjectKey, "grants_by_subject",
					collections.StringKey, collections.Uint64Key,
					func(_ uint64, g types.Grant) (string, error) { return g.Subject, nil }),
				ByResource: indexes.NewMulti(sb, types.GrantsByResourceKey, "grants_by_resource",
					collections.StringKey, collections.Uint64Key,
					func(_ uint64, g types.Grant) (string, error) { return g.Resource, nil }),
			}),
		ExpiryQueue: collections.NewKeySet(sb, types.ExpiryQueueKey, "expiry_queue",
			collections.PairKeyCodec(sdk.TimeKey, collections.Uint64Key)),
		NextGrantID: collections.NewSequence(sb, types.NextGrantIDKey, "next_grant_id"),
		NamespaceAdmins: collections.NewKeySet(sb, types.NamespaceAdminsKey, "namespace_admins",
			collections.PairKeyCodec(collections.StringKey, sdk.AccAddressKey)),
		GrantHorizons: collections.NewMap(sb, types.GrantHorizonsKey, "grant_horizons",
			collections.StringKey, collections.Int64Value),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// AddressCodec returns the account address codec.
func (k Keeper) AddressCodec() address.Codec { return k.addressCodec }

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// isAuthority reports whether signer is the consortium authority.
func (k Keeper) isAuthority(ctx context.Context, signer string) (bool, error) {
	return k.edge.IsAuthority(ctx, signer)
}

// isNamespaceAdmin reports whether signer administers namespace ns.
func (k Keeper) isNamespaceAdmin(ctx context.Context, ns string, signer sdk.AccAddress) (bool, error) {
	return k.NamespaceAdmins.Has(ctx, collections.Join(ns, signer))
}

// canManageNamespace: the authority or an admin of ns.
func (k Keeper) canManageNamespace(ctx context.Context, ns, signer string) (bool, error) {
	if ok, err := k.isAuthority(ctx, signer); err != nil || ok {
		return ok, err
	}
	addr, err := k.addressCodec.StringToBytes(signer)
	if err != nil {
		return false, err
	}
	return k.isNamespaceAdmin(ctx, ns, addr)
}

// IsAnyNamespaceAdmin reports whether signer administers some namespace.
// It walks the admin set, which only the authority adds to (a handful of
// entries), so the ante gate can afford it for senders that hold no grant.
func (k Keeper) IsAnyNamespaceAdmin(ctx context.Context, signer sdk.AccAddress) (bool, error) {
	found := false
	err := k.NamespaceAdmins.Walk(ctx, nil, func(key collections.Pair[string, sdk.AccAddress]) (bool, error) {
		found = key.K2().Equals(signer)
		return found, nil
	})
	return found, err
}
