package access

import autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

// Service names as declared in proto/trustedge/access/v1.
const (
	msgServiceName   = "trustedge.access.v1.Msg"
	queryServiceName = "trustedge.access.v1.Query"
)

// AutoCLIOptions describes `trustedged tx access …` and `query access …`.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: queryServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "Check",
					Use:       "check [subject] [action] [resource]",
					Short:     "Is subject allowed action on resource now? Prints the deciding grant",
					Long: "Subjects are account:<address> (or a bare address), device:<id> or role:<name>. " +
						"Deny by default; the most specific live grant decides (see x/access/README.md).",
					Example: "trustedged query access check edge1… register device/pm25-001",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "subject"}, {ProtoField: "action"}, {ProtoField: "resource"},
					},
				},
				{
					RpcMethod:      "Grants",
					Use:            "grants [subject]",
					Short:          "List a subject's own grants (paginated)",
					Example:        "trustedged query access grants edge1…",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "subject"}},
				},
				{
					RpcMethod:      "Grantees",
					Use:            "grantees [resource]",
					Short:          "List the grants whose pattern covers a resource (paginated)",
					Example:        "trustedged query access grantees stream/pm25-001",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "resource"}},
				},
				{
					RpcMethod:      "Grant",
					Use:            "grant [id]",
					Short:          "Show one grant",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{RpcMethod: "Roles", Use: "roles", Short: "List roles"},
				{
					RpcMethod:      "RoleMembers",
					Use:            "role-members [role]",
					Short:          "List a role's members",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "role"}},
				},
				{RpcMethod: "NamespaceAdmins", Use: "namespace-admins", Short: "List namespace admins"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: msgServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "CreateRole",
					Use:            "create-role [name] [action]...",
					Short:          "Create a role: a named set of actions (authority or namespace admin)",
					Example:        "trustedged tx access create-role sensor-writer write read --from admin",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "name"}, {ProtoField: "actions", Varargs: true}},
				},
				{
					RpcMethod:      "DeleteRole",
					Use:            "delete-role [name]",
					Short:          "Delete a role no grant refers to",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "name"}},
				},
				{
					RpcMethod:      "AddRoleMember",
					Use:            "add-member [role] [member]",
					Short:          "Put an account or device in a role",
					Example:        "trustedged tx access add-member sensor-writer device:pm25-001 --from admin",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "role"}, {ProtoField: "member"}},
				},
				{
					RpcMethod:      "RemoveRoleMember",
					Use:            "remove-member [role] [member]",
					Short:          "Take a member out of a role",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "role"}, {ProtoField: "member"}},
				},
				{
					RpcMethod: "Grant",
					Use:       "grant [subject] [resource] [action]...",
					Short:     "Allow a subject actions on a resource pattern (authority or namespace admin)",
					Example: "trustedged tx access grant edge1… 'device/*' register --from admin\n" +
						"trustedged tx access grant role:sensor-writer 'stream/lab-*' write --expires-at 2027-01-01T00:00:00Z --from admin",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"expires_at": {Usage: "RFC 3339 time after which the grant stops working (block time; default: never)"},
					},
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "subject"}, {ProtoField: "resource"}, {ProtoField: "actions", Varargs: true},
					},
				},
				{
					RpcMethod:      "Revoke",
					Use:            "revoke [grant-id]",
					Short:          "Delete a grant",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "grant_id"}},
				},
				{
					RpcMethod:      "SetNamespaceAdmin",
					Use:            "set-namespace-admin [namespace] [admin] [enabled]",
					Short:          "Add (true) or remove (false) a namespace admin (authority only)",
					Example:        "trustedged tx access set-namespace-admin device edge1… true --from admin",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "namespace"}, {ProtoField: "admin"}, {ProtoField: "enabled"}},
				},
			},
		},
	}
}
