package stream

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// Service names as declared in proto/trustedge/stream/v1.
const (
	msgServiceName   = "trustedge.stream.v1.Msg"
	queryServiceName = "trustedge.stream.v1.Query"
)

// AutoCLIOptions describes the `trustedged tx stream …` and `query stream …`
// commands. The query commands are added to the module's own query command
// (GetQueryCmd, which holds `prove`): EnhanceCustomCommand. Verify takes a
// whole ReadingProof and is served over gRPC and REST only; `query stream
// prove` fetches a proof and runs it. UpdateParams has no command: the
// authority builds it as a JSON tx and signs it with `tx sign` (see README).
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service:              queryServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "Params",
					Use:       "params",
					Short:     "Show the module parameters",
				},
				{
					RpcMethod:      "Stream",
					Use:            "stream [stream-id]",
					Short:          "Show one stream",
					Example:        "trustedged query stream stream pm25-001",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod: "Streams",
					Use:       "streams",
					Short:     "List streams by id (paginated)",
					Example:   "trustedged query stream streams --limit 50",
				},
				{
					RpcMethod:      "Epoch",
					Use:            "epoch [node] [epoch]",
					Short:          "Show an edge node's commitment for one epoch",
					Example:        "trustedged query stream epoch edge1… 42",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node"}, {ProtoField: "epoch"}},
				},
				{
					RpcMethod:      "Epochs",
					Use:            "epochs [node]",
					Short:          "List an edge node's commitments, newest first (paginated; --page-reverse for oldest first)",
					Example:        "trustedged query stream epochs edge1… --limit 10",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node"}},
				},
				{
					RpcMethod: "LatestEpochs",
					Use:       "latest-epochs",
					Short:     "Show every edge node's latest commitment, by node address",
				},
				{
					RpcMethod:      "Reading",
					Use:            "reading [stream-id] [seq]",
					Short:          "Show a reading recorded on chain with record-reading",
					Example:        "trustedged query stream reading pm25-001 7",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}, {ProtoField: "seq"}},
				},
				{RpcMethod: "Verify", Skip: true},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: msgServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "CreateStream",
					Use:       "create [stream-id] [device-id]",
					Short:     "Open a stream for a device you own (needs x/access \"create\" on stream/<id>)",
					Long: "Open a stream. The device must be ACTIVE and yours; its home node ingests and commits the stream. " +
						"--schema (≤ 64 bytes) names the payload format, --unit (≤ 32 bytes) is informative, " +
						"--retention-seconds is how long edge nodes keep raw readings (0 = forever), " +
						"--replication is how many edge nodes hold each batch (0 = 1, at most max_replication).",
					Example:        `trustedged tx stream create pm25-001 sensor-0001 --schema pm25.v1 --unit ug/m3 --replication 2 --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}, {ProtoField: "device_id"}},
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"schema":            {Usage: "payload format name (≤ 64 bytes), e.g. pm25.v1"},
						"unit":              {Usage: "unit of the values (≤ 32 bytes, informative), e.g. ug/m3"},
						"retention_seconds": {Usage: "how long edge nodes keep raw readings (0 = forever)"},
						"replication":       {Usage: "edge nodes holding each batch (0 = 1, at most the max_replication param)"},
					},
				},
				{
					RpcMethod:      "CloseStream",
					Use:            "close [stream-id]",
					Short:          "Close an open stream for good (owner or authority)",
					Example:        "trustedged tx stream close pm25-001 --from owner",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod: "CommitEpoch",
					Use:       "commit-epoch [epoch] [root] [reading-count] [stream-count] [window-start] [window-end]",
					Short:     "Commit an epoch root as an edge node operator (the node's data plane does this every block)",
					Long: "root is the 32-byte epoch root (hex or base64); epochs are contiguous per node from 1; " +
						"window-start and window-end are the ingest times (unix ns) of the epoch's first and last reading.",
					// The msg's `node` field would clash with the RPC --node flag.
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"node": {Name: "for-node", Usage: "operator address of the node the epoch belongs to (default: the signer's own node)"},
					},
					Example: "trustedged tx stream commit-epoch 1 <root-hex> 120 3 1767225600000000000 1767225605000000000 --from operator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "epoch"}, {ProtoField: "root"}, {ProtoField: "reading_count"},
						{ProtoField: "stream_count"}, {ProtoField: "window_start"}, {ProtoField: "window_end"},
					},
				},
				{
					RpcMethod: "RecordReading",
					Use:       "record-reading [stream-id] [seq] [payload]",
					Short:     "Store one reading on chain (the naive one-tx-per-reading path; owner or \"write\" grant)",
					Long: "seq must be the stream's next on-chain seq (1 first); payload (≤ 1024 bytes) is hex, base64 or a file path; " +
						"--time is the device time in unix ns.",
					Example: "trustedged tx stream record-reading pm25-001 1 0a0b --time 1767225600000000000 --from owner",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"time": {Usage: "device time of the reading, unix nanoseconds"},
					},
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "stream_id"}, {ProtoField: "seq"}, {ProtoField: "payload"},
					},
				},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
