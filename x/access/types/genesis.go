package types

import (
	"slices"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis is empty: deny everything until the authority grants.
func DefaultGenesis() *GenesisState { return &GenesisState{NextGrantId: 1} }

// Validate checks every table and the references between them: members and
// role grants name existing roles, ids are unique and below next_grant_id.
func (g GenesisState) Validate(ac address.Codec) error {
	roles := make(map[string]struct{}, len(g.Roles))
	for _, r := range g.Roles {
		if err := r.Validate(ac); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "role %q: %v", r.Name, err)
		}
		if _, dup := roles[r.Name]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate role %q", r.Name)
		}
		roles[r.Name] = struct{}{}
	}
	members := make(map[[2]string]struct{}, len(g.RoleMembers))
	rolesPerMember := make(map[string]int)
	for _, m := range g.RoleMembers {
		if _, ok := roles[m.Role]; !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "member %q of unknown role %q", m.Member, m.Role)
		}
		canon, err := NormalizeMember(ac, m.Member)
		if err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "role %q: %v", m.Role, err)
		}
		if canon != m.Member {
			return errorsmod.Wrapf(ErrInvalidGenesis, "member %q is not canonical (%q)", m.Member, canon)
		}
		key := [2]string{m.Role, m.Member}
		if _, dup := members[key]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate member %q of role %q", m.Member, m.Role)
		}
		members[key] = struct{}{}
		if rolesPerMember[m.Member]++; rolesPerMember[m.Member] > MaxRolesPerMember {
			return errorsmod.Wrapf(ErrInvalidGenesis, "member %q is in more than %d roles", m.Member, MaxRolesPerMember)
		}
	}
	admins := make(map[[2]string]struct{}, len(g.NamespaceAdmins))
	for _, a := range g.NamespaceAdmins {
		if err := ValidateNamespace(a.Namespace); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "namespace admin: %v", err)
		}
		if err := requireCanonical(ac, a.Admin); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "namespace %q admin: %v", a.Namespace, err)
		}
		key := [2]string{a.Namespace, a.Admin}
		if _, dup := admins[key]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate admin %q of namespace %q", a.Admin, a.Namespace)
		}
		admins[key] = struct{}{}
	}
	if g.NextGrantId == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "next_grant_id must be >= 1")
	}
	ids := make(map[uint64]struct{}, len(g.Grants))
	perSubject := make(map[string]int)
	for _, gr := range g.Grants {
		if gr.Id == 0 || gr.Id >= g.NextGrantId {
			return errorsmod.Wrapf(ErrInvalidGenesis, "grant id %d must be in [1, next_grant_id=%d)", gr.Id, g.NextGrantId)
		}
		if _, dup := ids[gr.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate grant id %d", gr.Id)
		}
		ids[gr.Id] = struct{}{}
		if err := gr.Validate(ac); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "grant %d: %v", gr.Id, err)
		}
		if role, ok := IsRoleSubject(gr.Subject); ok {
			if _, exists := roles[role]; !exists {
				return errorsmod.Wrapf(ErrInvalidGenesis, "grant %d names unknown role %q", gr.Id, role)
			}
		}
		if perSubject[gr.Subject]++; perSubject[gr.Subject] > MaxGrantsPerSubject {
			return errorsmod.Wrapf(ErrInvalidGenesis, "subject %q has more than %d grants", gr.Subject, MaxGrantsPerSubject)
		}
	}
	return nil
}

// Validate checks a role record.
func (r Role) Validate(ac address.Codec) error {
	if err := ValidateRoleName(r.Name); err != nil {
		return err
	}
	if len(r.Actions) == 0 {
		return errorsmod.Wrap(ErrInvalidRole, "a role needs at least one action")
	}
	norm, err := NormalizeActions(r.Actions)
	if err != nil {
		return err
	}
	if !slices.Equal(norm, r.Actions) {
		return errorsmod.Wrap(ErrInvalidRole, "actions must be sorted and unique")
	}
	if err := requireCanonical(ac, r.Creator); err != nil {
		return errorsmod.Wrapf(err, "creator")
	}
	return nil
}

// Validate checks a stored grant (not its expiry against a block time).
func (g Grant) Validate(ac address.Codec) error {
	canon, err := NormalizeSubject(ac, g.Subject)
	if err != nil {
		return err
	}
	if canon != g.Subject {
		return errorsmod.Wrapf(ErrInvalidSubject, "%q is not canonical (%q)", g.Subject, canon)
	}
	if err := ValidatePattern(g.Resource); err != nil {
		return err
	}
	norm, err := NormalizeActions(g.Actions)
	if err != nil {
		return err
	}
	if !slices.Equal(norm, g.Actions) {
		return errorsmod.Wrap(ErrInvalidAction, "actions must be sorted and unique")
	}
	if _, isRole := IsRoleSubject(g.Subject); len(g.Actions) == 0 && !isRole {
		return errorsmod.Wrap(ErrInvalidAction, "a grant to an account or device needs actions")
	}
	if err := requireCanonical(ac, g.Granter); err != nil {
		return errorsmod.Wrapf(err, "granter")
	}
	return nil
}

// NormalizeMember checks a role member: an account or a device (roles do
// not nest, so Check stays one level deep).
func NormalizeMember(ac address.Codec, s string) (string, error) {
	canon, err := NormalizeSubject(ac, s)
	if err != nil {
		return "", err
	}
	if _, isRole := IsRoleSubject(canon); isRole {
		return "", errorsmod.Wrapf(ErrInvalidSubject, "%q: roles cannot be members of roles", s)
	}
	return canon, nil
}

// requireCanonical checks that s is an account address in its canonical
// (lower-case bech32) spelling, the one the keeper stores. Genesis compares
// addresses as strings, so one account in two spellings would otherwise
// pass as two (and export differently from how it was imported).
func requireCanonical(ac address.Codec, s string) error {
	bz, err := ac.StringToBytes(s)
	if err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%q: %v", s, err)
	}
	canon, err := ac.BytesToString(bz)
	if err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%q: %v", s, err)
	}
	if canon != s {
		return errorsmod.Wrapf(ErrInvalidAddress, "%q is not canonical (%q)", s, canon)
	}
	return nil
}
