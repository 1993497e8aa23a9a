package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the access-control module.
	ModuleName = "access"
	// StoreKey is the KV store key of the module. Not "access": the SDK
	// refuses store names that prefix one another, and auth's is "acc".
	StoreKey = "acl"
)

// Store prefixes. One byte each; never reuse a retired one.
var (
	// RolesKey: key role name | value Role.
	RolesKey = collections.NewPrefix(0)
	// RoleMembersKey: key (role, member subject) | no value.
	RoleMembersKey = collections.NewPrefix(1)
	// MemberRolesKey: key (member subject, role) | no value. Reverse of RoleMembersKey,
	// so Check finds a subject's roles without scanning.
	MemberRolesKey = collections.NewPrefix(2)
	// GrantsKey: key grant id | value Grant.
	GrantsKey = collections.NewPrefix(3)
	// GrantsBySubjectKey: index (subject, grant id).
	GrantsBySubjectKey = collections.NewPrefix(4)
	// GrantsByResourceKey: index (resource pattern, grant id).
	GrantsByResourceKey = collections.NewPrefix(5)
	// ExpiryQueueKey: key (expires_at, grant id) for grants that expire.
	ExpiryQueueKey = collections.NewPrefix(6)
	// NextGrantIDKey: sequence of grant ids.
	NextGrantIDKey = collections.NewPrefix(7)
	// NamespaceAdminsKey: key (namespace, admin address) | no value.
	NamespaceAdminsKey = collections.NewPrefix(8)
	// GrantHorizonsKey: key subject | value the latest expiry among its
	// grants (unix ns; max int64 when one never expires). Derived from the
	// grants (not in genesis), so the ante gate decides with one read.
	GrantHorizonsKey = collections.NewPrefix(9)
)

// Limits that keep Check cheap and records small.
const (
	// MaxGrantsPerSubject bounds the grants Check reads for one subject.
	MaxGrantsPerSubject = 128
	// MaxExpiredPrunedPerBlock bounds EndBlock work; the rest waits a block.
	MaxExpiredPrunedPerBlock = 256
	// MaxActions bounds a role's or grant's action list.
	MaxActions = 32
	// MaxRolesPerMember bounds the roles Check walks for one subject.
	MaxRolesPerMember = 16
)

// Well-known actions. Any action matching the action grammar may be granted;
// these are the ones TrustEdge modules check.
const (
	ActionAll      = "*"
	ActionRegister = "register"
	ActionAdmin    = "admin"
	ActionRead     = "read"
	ActionWrite    = "write"
	ActionCreate   = "create"
	ActionActuate  = "actuate"
)
