// Package keeper holds x/device state: device identities, their current keys
// and the keys they retired, indexed by owner and by home edge node.
package keeper

import (
	"context"
	"errors"
	"strings"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// DeviceIndexes are the secondary indexes of the device table. Each entry
// is a key only: prefix | len | address (20) | device id.
type DeviceIndexes struct {
	// Owner lists an owner's devices. key: (owner address, device id).
	Owner *indexes.Multi[sdk.AccAddress, string, types.DeviceRecord]
	// Node lists the devices homed on an edge node. key: (operator address, device id).
	Node *indexes.Multi[sdk.AccAddress, string, types.DeviceRecord]
}

// IndexesList implements collections.Indexes.
func (i DeviceIndexes) IndexesList() []collections.Index[string, types.DeviceRecord] {
	return []collections.Index[string, types.DeviceRecord]{i.Owner, i.Node}
}

// Keeper is the x/device keeper.
type Keeper struct {
	addressCodec address.Codec
	access       types.AccessKeeper
	edge         types.EdgeKeeper

	Schema collections.Schema
	// key: device id | value: DeviceRecord (the current key included).
	Devices *collections.IndexedMap[string, types.DeviceRecord, DeviceIndexes]
	// key: (device id, key version) | value: KeyRecord — the keys a device
	// retired, with the heights each was valid for. Written only on rotation.
	KeyHistory collections.Map[collections.Pair[string, uint64], types.KeyRecord]
}

// NewKeeper builds the keeper and its collections schema. access decides
// who may register and administer devices; edge says which accounts run
// edge nodes and which is the consortium authority.
func NewKeeper(
	cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec address.Codec,
	access types.AccessKeeper, edge types.EdgeKeeper,
) Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		addressCodec: addressCodec,
		access:       access,
		edge:         edge,
		Devices: collections.NewIndexedMap(sb, types.DevicesKey, "devices", collections.StringKey, codec.CollValue[types.DeviceRecord](cdc),
			DeviceIndexes{
				Owner: indexes.NewMulti(sb, types.DevicesByOwnerKey, "devices_by_owner", sdk.AccAddressKey, collections.StringKey,
					func(_ string, r types.DeviceRecord) (sdk.AccAddress, error) { return r.Owner, nil }),
				Node: indexes.NewMulti(sb, types.DevicesByNodeKey, "devices_by_node", sdk.AccAddressKey, collections.StringKey,
					func(_ string, r types.DeviceRecord) (sdk.AccAddress, error) { return r.HomeNode, nil }),
			}),
		KeyHistory: collections.NewMap(sb, types.KeyHistoryKey, "key_history",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), codec.CollValue[types.KeyRecord](cdc)),
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

// GetDevice returns a device by id, or ErrDeviceNotFound.
func (k Keeper) GetDevice(ctx context.Context, id string) (types.Device, error) {
	r, err := k.record(ctx, id)
	if err != nil {
		return types.Device{}, err
	}
	return r.ToDevice(k.addressCodec, id)
}

// record returns the stored form of a device, or ErrDeviceNotFound.
func (k Keeper) record(ctx context.Context, id string) (types.DeviceRecord, error) {
	r, err := k.Devices.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return r, errorsmod.Wrapf(types.ErrDeviceNotFound, "%q", id)
	}
	return r, err
}

// decodeAddress decodes a bech32 address with a registered error, and
// returns its canonical spelling too: bech32 is case-insensitive and the
// canonical form is lower case, so no re-encoding is needed.
func (k Keeper) decodeAddress(field, addr string) (sdk.AccAddress, string, error) {
	bz, err := k.addressCodec.StringToBytes(addr)
	if err != nil {
		return nil, "", errorsmod.Wrapf(types.ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return bz, strings.ToLower(addr), nil
}

// addrString is the canonical bech32 form of a stored address (events).
func (k Keeper) addrString(bz []byte) string {
	s, err := k.addressCodec.BytesToString(bz)
	if err != nil {
		// Stored addresses were decoded from bech32 on the way in.
		return ""
	}
	return s
}
