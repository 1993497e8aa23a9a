// Package keeper holds x/edge state: the edge nodes, the consortium
// authority, and the validator set as CometBFT knows it.
package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/edge/types"
)

// NodeIndexes are the secondary indexes of the node table.
type NodeIndexes struct {
	// ConsAddr maps a CometBFT validator address to the operator, for
	// evidence handling and the unique-key rule.
	ConsAddr *indexes.Unique[[]byte, sdk.AccAddress, types.EdgeNode]
}

// IndexesList implements collections.Indexes.
func (i NodeIndexes) IndexesList() []collections.Index[sdk.AccAddress, types.EdgeNode] {
	return []collections.Index[sdk.AccAddress, types.EdgeNode]{i.ConsAddr}
}

// ConsensusParamsStore is the x/consensus params item. The SDK modules
// (bank, consensus, upgrade, auth) accept the consensus-params authority in
// place of their own (sdk.ValidateAuthority), so x/edge keeps it equal to the
// consortium authority: one authority for the whole chain.
type ConsensusParamsStore interface {
	Get(ctx context.Context) (cmtproto.ConsensusParams, error)
	Set(ctx context.Context, params cmtproto.ConsensusParams) error
}

// Option configures the keeper.
type Option func(*Keeper)

// WithConsensusParamsStore lets MsgUpdateAuthority move the consensus-params
// authority together with the x/edge one.
func WithConsensusParamsStore(s ConsensusParamsStore) Option {
	return func(k *Keeper) { k.consensusParams = s }
}

// Keeper is the x/edge keeper.
type Keeper struct {
	cdc             codec.BinaryCodec
	addressCodec    address.Codec
	consensusParams ConsensusParamsStore

	Schema collections.Schema
	// key: none | value: consortium authority address bytes.
	Authority collections.Item[[]byte]
	// key: none | value: Params.
	Params collections.Item[types.Params]
	// key: operator address | value: EdgeNode.
	Nodes *collections.IndexedMap[sdk.AccAddress, types.EdgeNode, NodeIndexes]
	// key: consensus address | value: the update CometBFT last applied for it
	// (power > 0 only). What CometBFT has, not what we want it to have.
	Validators collections.Map[[]byte, abci.ValidatorUpdate]
	// key: consensus address touched in this block. Emptied in EndBlock.
	Dirty collections.KeySet[[]byte]
	// key: none | value: (total power at the block's first change, sum of
	// |power changes| so far). Removed in EndBlock.
	BlockPowerChange collections.Item[collections.Pair[int64, int64]]
	// key: consensus address jailed for misbehavior; never registered again.
	BannedConsAddrs collections.KeySet[[]byte]
	// key: committer address | value: operator of the node it commits for.
	// The reverse of EdgeNode.committer, kept by MsgSetCommitter, RemoveNode
	// and InitGenesis; the ante gate and x/stream read it.
	Committers collections.Map[sdk.AccAddress, sdk.AccAddress]
	// value: params set by MsgUpdateParams in this block, in force from
	// the end of the block (so a tx cannot lift the power cap, change the
	// validator set and restore the cap in one go). Removed in EndBlock.
	PendingParams collections.Item[types.Params]
	// key: a node's Ethereum address (20 bytes) | value: its operator. The
	// reverse of EdgeNode.eth_address, kept by RegisterNode, UpdateNode,
	// RemoveNode and InitGenesis: one bridge signer, one node.
	EthSigners collections.Map[[]byte, sdk.AccAddress]
}

// NewKeeper builds the keeper and its collections schema.
func NewKeeper(cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec address.Codec, opts ...Option) Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:          cdc,
		addressCodec: addressCodec,
		Authority:    collections.NewItem(sb, types.AuthorityKey, "authority", collections.BytesValue),
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Nodes: collections.NewIndexedMap(sb, types.NodesKey, "nodes", sdk.AccAddressKey, codec.CollValue[types.EdgeNode](cdc),
			NodeIndexes{
				ConsAddr: indexes.NewUnique(sb, types.NodesByConsAddrKey, "nodes_by_cons_addr",
					collections.BytesKey, sdk.AccAddressKey, consAddrOf),
			}),
		Validators: collections.NewMap(sb, types.ValidatorsKey, "validators", collections.BytesKey, codec.CollValue[abci.ValidatorUpdate](cdc)),
		Dirty:      collections.NewKeySet(sb, types.DirtyKey, "dirty", collections.BytesKey),
		BlockPowerChange: collections.NewItem(sb, types.BlockPowerChangeKey, "block_power_change",
			collcodec.KeyToValueCodec(collections.PairKeyCodec(collections.Int64Key, collections.Int64Key))),
		BannedConsAddrs: collections.NewKeySet(sb, types.BannedConsAddrsKey, "banned_cons_addrs", collections.BytesKey),
		Committers: collections.NewMap(sb, types.CommittersKey, "committers", sdk.AccAddressKey,
			collcodec.KeyToValueCodec(sdk.AccAddressKey)),
		PendingParams: collections.NewItem(sb, types.PendingParamsKey, "pending_params", codec.CollValue[types.Params](cdc)),
		EthSigners: collections.NewMap(sb, types.EthSignersKey, "eth_signers", collections.BytesKey,
			collcodec.KeyToValueCodec(sdk.AccAddressKey)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	for _, opt := range opts {
		opt(&k)
	}
	return k
}

// consAddrOf is the unique-index function. Stored nodes always carry a
// resolved ed25519 key (checked before every write).
func consAddrOf(_ sdk.AccAddress, n types.EdgeNode) ([]byte, error) {
	pk, err := n.ConsPubKey()
	if err != nil {
		return nil, err
	}
	return pk.Address(), nil
}

// AddressCodec returns the account address codec.
func (k Keeper) AddressCodec() address.Codec { return k.addressCodec }

// IsAuthority reports whether addr (bech32) is the consortium authority.
func (k Keeper) IsAuthority(ctx context.Context, addr string) (bool, error) {
	bz, err := k.addressCodec.StringToBytes(addr)
	if err != nil {
		return false, errorsmod.Wrapf(types.ErrInvalidAddress, "%q: %v", addr, err)
	}
	auth, err := k.Authority.Get(ctx)
	if err != nil {
		return false, err
	}
	return sdk.AccAddress(bz).Equals(sdk.AccAddress(auth)), nil
}

// IsAuthorityAddr is IsAuthority for raw address bytes (no bech32 on the
// ante path).
func (k Keeper) IsAuthorityAddr(ctx context.Context, addr sdk.AccAddress) (bool, error) {
	auth, err := k.Authority.Get(ctx)
	if err != nil {
		return false, err
	}
	return addr.Equals(sdk.AccAddress(auth)), nil
}

// GetNode returns the node run by operator.
func (k Keeper) GetNode(ctx context.Context, operator sdk.AccAddress) (types.EdgeNode, error) {
	n, err := k.Nodes.Get(ctx, operator)
	if err != nil {
		if errorsIsNotFound(err) {
			return n, errorsmod.Wrapf(types.ErrNodeNotFound, "%s", operator)
		}
		return n, err
	}
	return n, nil
}

// IsOperator reports whether addr runs a registered edge node. Used by the
// ante handler's permissioned-sender gate.
func (k Keeper) IsOperator(ctx context.Context, addr sdk.AccAddress) (bool, error) {
	return k.Nodes.Has(ctx, addr)
}

// TotalBondedPower sums the power of nodes that should be validators.
func (k Keeper) TotalBondedPower(ctx context.Context) (int64, error) {
	var total int64
	err := k.Nodes.Walk(ctx, nil, func(_ sdk.AccAddress, n types.EdgeNode) (bool, error) {
		if n.IsBonded() {
			total += n.Power
		}
		return false, nil
	})
	return total, err
}
