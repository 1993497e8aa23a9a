package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the edge module: edge servers and the validator set.
	ModuleName = "edge"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Store prefixes. One byte each; never reuse a retired one.
var (
	// AuthorityKey holds the consortium authority address.
	AuthorityKey = collections.NewPrefix(0)
	// ParamsKey holds the module params.
	ParamsKey = collections.NewPrefix(1)
	// NodesKey holds edge nodes. key: operator address | value: EdgeNode.
	NodesKey = collections.NewPrefix(2)
	// NodesByConsAddrKey is the unique index consensus address -> operator.
	NodesByConsAddrKey = collections.NewPrefix(3)
	// ValidatorsKey holds the validator set as CometBFT knows it after the
	// last EndBlock. key: consensus address | value: abci.ValidatorUpdate.
	ValidatorsKey = collections.NewPrefix(4)
	// DirtyKey holds the consensus addresses touched in the current block.
	// key: consensus address. Emptied in EndBlock.
	DirtyKey = collections.NewPrefix(5)
	// BlockPowerChangeKey holds the power-change accounting of the current
	// block. Removed in EndBlock.
	BlockPowerChangeKey = collections.NewPrefix(6)
	// BannedConsAddrsKey holds consensus addresses jailed for misbehavior.
	// key: consensus address. They can never be registered again.
	BannedConsAddrsKey = collections.NewPrefix(7)
	// CommittersKey maps a node's committer to its operator (MsgSetCommitter).
	// key: committer address | value: operator address.
	CommittersKey = collections.NewPrefix(8)
	// PendingParamsKey holds params MsgUpdateParams set in the current
	// block; EndBlock makes them the params. Removed in EndBlock.
	PendingParamsKey = collections.NewPrefix(9)
	// EthSignersKey maps a node's Ethereum address to its operator, so no
	// two nodes name the same bridge signer. key: 20-byte address | value:
	// operator address. Derived from the nodes; not exported.
	EthSignersKey = collections.NewPrefix(10)
)
