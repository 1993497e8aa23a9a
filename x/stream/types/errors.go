package types

import "cosmossdk.io/errors"

// x/stream errors. Codes start at 2 (1 is reserved by the SDK for internal errors).
var (
	ErrInvalidStreamID    = errors.Register(ModuleName, 2, "invalid stream id")
	ErrStreamExists       = errors.Register(ModuleName, 3, "stream already exists")
	ErrStreamNotFound     = errors.Register(ModuleName, 4, "stream not found")
	ErrUnauthorized       = errors.Register(ModuleName, 5, "signer is not authorized")
	ErrDeviceNotUsable    = errors.Register(ModuleName, 6, "device does not exist or is not active")
	ErrNotOperator        = errors.Register(ModuleName, 7, "signer does not run a registered edge node")
	ErrEpochNotContiguous = errors.Register(ModuleName, 8, "epoch is not the node's next epoch")
	ErrInvalidCommit      = errors.Register(ModuleName, 9, "invalid epoch commitment")
	ErrStreamClosed       = errors.Register(ModuleName, 10, "stream is closed")
	ErrSeqNotNext         = errors.Register(ModuleName, 11, "sequence number is not the stream's next")
	ErrPayloadTooLarge    = errors.Register(ModuleName, 12, "reading payload too large")
	ErrInvalidParams      = errors.Register(ModuleName, 13, "invalid params")
	ErrInvalidAddress     = errors.Register(ModuleName, 14, "invalid address")
	ErrInvalidStream      = errors.Register(ModuleName, 15, "invalid stream description")
	ErrInvalidGenesis     = errors.Register(ModuleName, 16, "invalid genesis")
	ErrNodeJailed         = errors.Register(ModuleName, 17, "edge node is jailed")
	ErrReadingNotFound    = errors.Register(ModuleName, 18, "reading not found")
	ErrWrongNode          = errors.Register(ModuleName, 19, "sender does not commit for this node")
)
