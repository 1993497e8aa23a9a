package types

import "cosmossdk.io/errors"

// x/access errors. Codes start at 2 (1 is reserved by the SDK).
var (
	ErrUnauthorized     = errors.Register(ModuleName, 2, "signer may not manage this")
	ErrAccessDenied     = errors.Register(ModuleName, 3, "access denied")
	ErrInvalidSubject   = errors.Register(ModuleName, 4, "invalid subject")
	ErrInvalidResource  = errors.Register(ModuleName, 5, "invalid resource")
	ErrInvalidAction    = errors.Register(ModuleName, 6, "invalid action")
	ErrInvalidRole      = errors.Register(ModuleName, 7, "invalid role")
	ErrRoleExists       = errors.Register(ModuleName, 8, "role already exists")
	ErrRoleNotFound     = errors.Register(ModuleName, 9, "role not found")
	ErrRoleInUse        = errors.Register(ModuleName, 10, "role is the subject of grants")
	ErrAlreadyMember    = errors.Register(ModuleName, 11, "already a member of the role")
	ErrNotMember        = errors.Register(ModuleName, 12, "not a member of the role")
	ErrGrantNotFound    = errors.Register(ModuleName, 13, "grant not found")
	ErrInvalidExpiry    = errors.Register(ModuleName, 14, "expiry must be after the current block time")
	ErrTooManyGrants    = errors.Register(ModuleName, 15, "subject has too many grants")
	ErrInvalidNamespace = errors.Register(ModuleName, 16, "invalid namespace")
	ErrInvalidAddress   = errors.Register(ModuleName, 17, "invalid address")
	ErrInvalidGenesis   = errors.Register(ModuleName, 18, "invalid genesis")
	ErrDuplicateGrant   = errors.Register(ModuleName, 19, "an identical grant exists")
)

// ErrSenderNotPermitted is returned by the ante handler's permissioned-sender gate.
var ErrSenderNotPermitted = errors.Register(ModuleName, 20, "sender not permitted: not the authority, an edge operator, a namespace admin, the holder of a live grant, a node's committer sending its node's reports, or a device owner managing its own devices")

// ErrTooManyRoles bounds role memberships, so Check's cost stays bounded.
var ErrTooManyRoles = errors.Register(ModuleName, 21, "member is in too many roles")

// ErrAdminUnchanged refuses a MsgSetNamespaceAdmin that would change nothing
// (and so log a change that did not happen).
var ErrAdminUnchanged = errors.Register(ModuleName, 22, "namespace admin already in that state")
