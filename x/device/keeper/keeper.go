// Package keeper holds x/device state: device identities, their current keys
// and the keys they retired, indexed by owner and by home edge node.
package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/x/device/types"
)

// DeviceIndexes are the secondary indexes of the device table. Both key on
// address bytes (21 bytes with the length prefix) rather than bech32, so an
// index entry is about 22 + len(id) bytes.
type DeviceIndexes struct {
	// Owner lists an owner's devices. key: (owner address, device id).
	Owner *indexes.Multi[sdk.AccAddress, string, types.Device]
	// Node lists the devices homed on an edge node. key: (operator address, device id).
	Node *indexes.Multi[sdk.AccAddress, string, types.Device]
}

// IndexesList implements collections.Indexes.
func (i DeviceIndexes) IndexesList() []collections.Index[string, types.Device] {
	return []collections.Index[string, types.Device]{i.Owner, i.Node}
}

// Keeper is the x/device keeper.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	access       types.AccessKeeper
	edge         types.EdgeKeeper

	Schema collections.Schema
	// key: device id | value: Device (current key included).
	Devices *collections.IndexedMap[string, types.Device, DeviceIndexes]
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
		cdc:          cdc,
		addressCodec: addressCodec,
		access:       access,
		edge:         edge,
		Devices: collections.NewIndexedMap(sb, types.DevicesKey, "devices", collections.StringKey, codec.CollValue[types.Device](cdc),
			DeviceIndexes{
				Owner: indexes.NewMulti(sb, types.DevicesByOwnerKey, "devices_by_owner",
					sdk.AccAddressKey, collections.StringKey, addressIndex(addressCodec, func(d types.Device) string { return d.Owner })),
				Node: indexes.NewMulti(sb, types.DevicesByNodeKey, "devices_by_node",
					sdk.AccAddressKey, collections.StringKey, addressIndex(addressCodec, func(d types.Device) string { return d.HomeNode })),
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

// addressIndex makes an index function from a bech32 field. Stored devices
// always carry valid addresses (checked before every write).
func addressIndex(ac address.Codec, field func(types.Device) string) func(string, types.Device) (sdk.AccAddress, error) {
	return func(_ string, d types.Device) (sdk.AccAddress, error) {
		return ac.StringToBytes(field(d))
	}
}

// AddressCodec returns the account address codec.
func (k Keeper) AddressCodec() address.Codec { return k.addressCodec }

// GetDevice returns a device by id, or ErrDeviceNotFound.
func (k Keeper) GetDevice(ctx context.Context, id string) (types.Device, error) {
	d, err := k.Devices.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return d, errorsmod.Wrapf(types.ErrDeviceNotFound, "%q", id)
	}
	return d, err
}

// decodeAddress decodes a bech32 address and returns it with its canonical
// string, so every stored address has one spelling.
func (k Keeper) decodeAddress(field, addr string) (sdk.AccAddress, string, error) {
	bz, err := k.addressCodec.StringToBytes(addr)
	if err != nil {
		return nil, "", errorsmod.Wrapf(types.ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	canon, err := k.addressCodec.BytesToString(bz)
	if err != nil {
		return nil, "", errorsmod.Wrapf(types.ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return bz, canon, nil
}
