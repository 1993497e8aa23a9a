package edge

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// Service names as declared in proto/trustedge/edge/v1.
const (
	msgServiceName   = "trustedge.edge.v1.Msg"
	queryServiceName = "trustedge.edge.v1.Query"
)

// AutoCLIOptions describes the `trustedged tx edge …` and `query edge …` commands.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: queryServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "Node",
					Use:            "node [operator]",
					Short:          "Show one edge node",
					Example:        "trustedged query edge node edge1…",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{
					RpcMethod: "Nodes",
					Use:       "nodes",
					Short:     "List edge nodes (paginated)",
					Example:   "trustedged query edge nodes --limit 10",
				},
				{
					RpcMethod: "ValidatorSet",
					Use:       "validator-set",
					Short:     "List nodes with voting power and the total power",
				},
				{RpcMethod: "Params", Use: "params", Short: "Show the x/edge params"},
				{RpcMethod: "Authority", Use: "authority", Short: "Show the consortium authority"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: msgServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RegisterNode",
					Use:       "register-node [operator] [consensus-pubkey-json] [power] [moniker]",
					Short:     "Add an edge node and its validator (authority only)",
					Long: "Add an edge node. The consensus key is the JSON `trustedged comet show-validator` prints on the new server. " +
						"The per-block power cap applies (see `query edge params`).",
					Example: `trustedged tx edge register-node edge1… "$(trustedged comet show-validator --home ~/.node5)" 10 node5 --region eu-west --from authority`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "operator"}, {ProtoField: "consensus_pubkey"}, {ProtoField: "power"}, {ProtoField: "moniker"},
					},
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"region":      {Usage: "where the server is (free text, e.g. eu-west)"},
						"capacity":    {Usage: `what the server offers, JSON: {"cpu_millicores","memory_mib","bandwidth_kbps","storage_gib"}`},
						"endpoints":   {Usage: `where to reach it, JSON: {"gateway":"http(s)://…","peer_id":"…","multiaddrs":["/ip4/…"]}`},
						"eth_address": {Usage: "the node's Ethereum signer address for bridge checkpoints (0x + 40 hex)"},
					},
				},
				{
					RpcMethod:      "RemoveNode",
					Use:            "remove-node [operator]",
					Short:          "Remove an edge node and drop its validator (authority only)",
					Example:        "trustedged tx edge remove-node edge1… --from authority",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{
					RpcMethod:      "SetPower",
					Use:            "set-power [operator] [power]",
					Short:          "Change a node's voting power (authority only)",
					Example:        "trustedged tx edge set-power edge1… 20 --from authority",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}, {ProtoField: "power"}},
				},
				{
					RpcMethod: "UpdateNode",
					Use:       "update-node [moniker]",
					Short:     "Replace your node's description, capacity and endpoints (operator only)",
					Example:   `trustedged tx edge update-node node0 --region eu-west --endpoints '{"gateway":"http://127.0.0.1:8080"}' --from node0`,
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"region":      {Usage: "where the server is (free text, e.g. eu-west)"},
						"capacity":    {Usage: `what the server offers, JSON: {"cpu_millicores","memory_mib","bandwidth_kbps","storage_gib"}`},
						"endpoints":   {Usage: `where to reach it, JSON: {"gateway":"http(s)://…","peer_id":"…","multiaddrs":["/ip4/…"]}`},
						"eth_address": {Usage: "the node's Ethereum signer address for bridge checkpoints (0x + 40 hex)"},
					},
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "moniker"}},
				},
				{
					RpcMethod: "Heartbeat",
					Use:       "heartbeat",
					Short:     "Report your node's load (its operator or committer; the node's data plane does this every 30 blocks)",
					Example:   `trustedged tx edge heartbeat --load '{"cpu_millicores":500,"active_tasks":2}' --from node0`,
					// The msg's `node` field would clash with the RPC --node flag.
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"node": {Name: "for-node", Usage: "operator address of the node reporting (default: the signer's own node)"},
						"load": {Usage: `measured load, JSON: {"cpu_millicores","memory_mib","bandwidth_kbps","storage_gib","active_tasks"}`},
					},
				},
				{
					RpcMethod: "SetCommitter",
					Use:       "set-committer [committer]",
					Short:     "Name the account your node's data plane signs epoch commitments with (operator only)",
					Long: "The committer signs MsgCommitEpoch for your node in place of the operator key, so the operator key " +
						"can stay off the edge server and your own txs never race the committer's account sequence. " +
						"A committer serves one node and must not operate one. Omit the argument to clear it.",
					Example:        "trustedged tx edge set-committer edge1... --from node0",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "committer", Optional: true}},
				},
				{
					RpcMethod:      "UpdateAuthority",
					Use:            "update-authority [new-authority]",
					Short:          "Hand the consortium authority to another account (authority only)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "new_authority"}},
				},
				{
					RpcMethod: "UpdateParams",
					Use:       "update-params",
					Short:     "Replace the x/edge params (authority only)",
					Example:   `trustedged tx edge update-params --params '{"max_power_change_bps":3000,"bootstrap_mode":false,"heartbeat_timeout_blocks":300}' --from authority`,
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"params": {Usage: `all the params, JSON (fields left out become 0/false): {"max_power_change_bps","bootstrap_mode","heartbeat_timeout_blocks"}`},
					},
				},
			},
		},
	}
}
