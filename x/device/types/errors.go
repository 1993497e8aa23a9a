package types

import "cosmossdk.io/errors"

// x/device errors. Codes start at 2 (1 is reserved by the SDK for internal errors).
var (
	ErrNotOwner          = errors.Register(ModuleName, 2, "signer is not the device owner")
	ErrUnauthorized      = errors.Register(ModuleName, 3, "signer is not authorized")
	ErrDeviceExists      = errors.Register(ModuleName, 4, "device already registered")
	ErrDeviceNotFound    = errors.Register(ModuleName, 5, "device not found")
	ErrInvalidDeviceID   = errors.Register(ModuleName, 6, "invalid device id")
	ErrInvalidPubKey     = errors.Register(ModuleName, 7, "invalid device public key")
	ErrInvalidSignature  = errors.Register(ModuleName, 8, "invalid device signature")
	ErrDeviceRevoked     = errors.Register(ModuleName, 9, "device is revoked")
	ErrDeviceSuspended   = errors.Register(ModuleName, 10, "device is suspended")
	ErrInvalidTransition = errors.Register(ModuleName, 11, "status change not allowed from the current status")
	ErrInvalidDevice     = errors.Register(ModuleName, 12, "invalid device description")
	ErrInvalidAddress    = errors.Register(ModuleName, 13, "invalid address")
	ErrNodeNotFound      = errors.Register(ModuleName, 14, "home node is not a registered edge node")
	ErrInvalidGenesis    = errors.Register(ModuleName, 15, "invalid genesis")
	ErrKeyNotFound       = errors.Register(ModuleName, 16, "no device key valid at that height")
	ErrInvalidHeight     = errors.Register(ModuleName, 17, "invalid height")
	ErrUnchanged         = errors.Register(ModuleName, 18, "request changes nothing")
	ErrInvalidReason     = errors.Register(ModuleName, 19, "invalid reason")
	ErrNodeJailed        = errors.Register(ModuleName, 20, "home node is jailed")
	ErrKeyVersionLimit   = errors.Register(ModuleName, 21, "key version at its limit")
)
