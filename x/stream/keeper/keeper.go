// Package keeper holds x/stream state: streams, the edge nodes' epoch
// commitments, and readings recorded one per tx (the naive path).
package keeper

import (
	"context"
	"errors"
	"strings"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/stream/types"
)

// Keeper is the x/stream keeper.
type Keeper struct {
	addressCodec address.Codec
	devices      types.DeviceKeeper
	access       types.AccessKeeper
	edge         types.EdgeKeeper

	Schema collections.Schema
	// key: none | value: Params.
	Params collections.Item[types.Params]
	// key: stream id | value: Stream.
	Streams collections.Map[string, types.Stream]
	// key: (node operator address, epoch) | value: EpochCommit with node
	// left empty: the key holds it, and every byte written costs gas on a
	// tx each node sends every block.
	EpochCommits collections.Map[collections.Pair[sdk.AccAddress, uint64], types.EpochCommit]
	// key: node operator address | value: the node's latest epoch. Saves
	// MsgCommitEpoch an iterator to find it.
	LastEpoch collections.Map[sdk.AccAddress, uint64]
	// key: (stream id, seq) | value: Reading with stream id and seq left
	// empty (the key holds them).
	Readings collections.Map[collections.Pair[string, uint64], types.Reading]
	// key: stream id | value: the stream's latest recorded seq.
	LastReadingSeq collections.Map[string, uint64]
	// key: none | value: how many streams exist (created, open or closed).
	StreamCount collections.Item[uint64]
}

// NewKeeper builds the keeper and its collections schema. devices tells
// which devices exist and who owns them, access decides who may create and
// write streams, edge says which accounts run edge nodes and which is the
// consortium authority.
func NewKeeper(
	cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec address.Codec,
	devices types.DeviceKeeper, access types.AccessKeeper, edge types.EdgeKeeper,
) Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		addressCodec: addressCodec,
		devices:      devices,
		access:       access,
		edge:         edge,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Streams:      collections.NewMap(sb, types.StreamsKey, "streams", collections.StringKey, codec.CollValue[types.Stream](cdc)),
		EpochCommits: collections.NewMap(sb, types.EpochCommitsKey, "epoch_commits",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key), codec.CollValue[types.EpochCommit](cdc)),
		LastEpoch: collections.NewMap(sb, types.LastEpochKey, "last_epoch", sdk.AccAddressKey, collections.Uint64Value),
		Readings: collections.NewMap(sb, types.ReadingsKey, "readings",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), codec.CollValue[types.Reading](cdc)),
		LastReadingSeq: collections.NewMap(sb, types.LastReadingSeqKey, "last_reading_seq", collections.StringKey, collections.Uint64Value),
		StreamCount:    collections.NewItem(sb, types.StreamCountKey, "stream_count", collections.Uint64Value),
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

// GetParams returns the module params.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) { return k.Params.Get(ctx) }

// GetStream returns a stream by id, or ErrStreamNotFound.
func (k Keeper) GetStream(ctx context.Context, id string) (types.Stream, error) {
	s, err := k.Streams.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return s, errorsmod.Wrapf(types.ErrStreamNotFound, "%q", id)
	}
	return s, err
}

// GetLastEpoch returns node's latest committed epoch, 0 if it has none.
func (k Keeper) GetLastEpoch(ctx context.Context, node sdk.AccAddress) (uint64, error) {
	e, err := k.LastEpoch.Get(ctx, node)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return e, err
}

// GetEpochCommit returns node's commitment for epoch, with found=false when
// there is none.
func (k Keeper) GetEpochCommit(ctx context.Context, node sdk.AccAddress, epoch uint64) (types.EpochCommit, bool, error) {
	c, err := k.EpochCommits.Get(ctx, collections.Join(node, epoch))
	if errors.Is(err, collections.ErrNotFound) {
		return types.EpochCommit{}, false, nil
	}
	if err != nil {
		return types.EpochCommit{}, false, err
	}
	c.Node = k.addrString(node)
	return c, true, nil
}

// addStreams adds n to the stream count (0 when never set).
func (k Keeper) addStreams(ctx context.Context, n uint64) error {
	count, err := k.StreamCount.Get(ctx)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	return k.StreamCount.Set(ctx, count+n)
}

// GetLastReadingSeq returns the stream's latest recorded seq, 0 if none.
func (k Keeper) GetLastReadingSeq(ctx context.Context, streamID string) (uint64, error) {
	seq, err := k.LastReadingSeq.Get(ctx, streamID)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return seq, err
}

// GetReading returns a reading recorded on chain, or ErrReadingNotFound.
func (k Keeper) GetReading(ctx context.Context, streamID string, seq uint64) (types.Reading, error) {
	r, err := k.Readings.Get(ctx, collections.Join(streamID, seq))
	if errors.Is(err, collections.ErrNotFound) {
		return r, errorsmod.Wrapf(types.ErrReadingNotFound, "stream %q seq %d", streamID, seq)
	}
	if err != nil {
		return r, err
	}
	r.StreamId, r.Seq = streamID, seq
	return r, nil
}

// decodeAddress decodes a bech32 address with a registered error, and
// returns its canonical (lower-case) spelling too.
func (k Keeper) decodeAddress(field, addr string) (sdk.AccAddress, string, error) {
	bz, err := k.addressCodec.StringToBytes(addr)
	if err != nil {
		return nil, "", errorsmod.Wrapf(types.ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return bz, strings.ToLower(addr), nil
}

// addrString is the canonical bech32 form of a stored address.
func (k Keeper) addrString(bz []byte) string {
	s, err := k.addressCodec.BytesToString(bz)
	if err != nil {
		// Stored addresses were decoded from bech32 on the way in.
		return ""
	}
	return s
}
