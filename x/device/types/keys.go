package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the device module: device identities and keys.
	ModuleName = "device"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Store prefixes. One byte each; never reuse a retired one.
var (
	// DevicesKey holds devices. key: device id | value: Device.
	DevicesKey = collections.NewPrefix(0)
	// DevicesByOwnerKey is the multi index (owner address bytes, device id) -> ∅.
	DevicesByOwnerKey = collections.NewPrefix(1)
	// DevicesByNodeKey is the multi index (home node operator bytes, device id) -> ∅.
	DevicesByNodeKey = collections.NewPrefix(2)
	// KeyHistoryKey holds retired keys. key: (device id, key version) | value: KeyRecord.
	KeyHistoryKey = collections.NewPrefix(3)
)
