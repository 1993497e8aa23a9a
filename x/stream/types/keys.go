package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the stream module: device streams and the
	// edge nodes' epoch commitments.
	ModuleName = "stream"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Store prefixes. One byte each; never reuse a retired one.
var (
	// ParamsKey holds the module params.
	ParamsKey = collections.NewPrefix(0)
	// StreamsKey holds streams. key: stream id | value: Stream.
	StreamsKey = collections.NewPrefix(1)
	// EpochCommitsKey holds epoch commitments.
	// key: (node operator address, epoch) | value: EpochCommit without node.
	EpochCommitsKey = collections.NewPrefix(2)
	// LastEpochKey holds each node's latest committed epoch.
	// key: node operator address | value: epoch.
	LastEpochKey = collections.NewPrefix(3)
	// ReadingsKey holds readings recorded one per tx (the naive path).
	// key: (stream id, seq) | value: Reading without stream id and seq.
	ReadingsKey = collections.NewPrefix(4)
	// LastReadingSeqKey holds each stream's latest recorded seq.
	// key: stream id | value: seq.
	LastReadingSeqKey = collections.NewPrefix(5)
	// StreamCountKey holds the number of streams ever created (they are
	// never deleted): the Streams query's total without a walk.
	StreamCountKey = collections.NewPrefix(6)
)
