package types

import "cosmossdk.io/errors"

// x/edge errors. Codes start at 2 (1 is reserved by the SDK for internal errors).
var (
	ErrUnauthorized        = errors.Register(ModuleName, 2, "signer is not the consortium authority")
	ErrNodeExists          = errors.Register(ModuleName, 3, "edge node already registered")
	ErrNodeNotFound        = errors.Register(ModuleName, 4, "edge node not found")
	ErrConsKeyInUse        = errors.Register(ModuleName, 5, "consensus key already used by another edge node")
	ErrInvalidPubKey       = errors.Register(ModuleName, 6, "invalid consensus public key")
	ErrInvalidPower        = errors.Register(ModuleName, 7, "invalid voting power")
	ErrPowerChangeTooLarge = errors.Register(ModuleName, 8, "power change exceeds the per-block cap")
	ErrEmptyValidatorSet   = errors.Register(ModuleName, 9, "change would leave the validator set without power")
	ErrNodeJailed          = errors.Register(ModuleName, 10, "edge node is jailed")
	ErrInvalidParams       = errors.Register(ModuleName, 11, "invalid params")
	ErrInvalidNode         = errors.Register(ModuleName, 12, "invalid edge node description")
	ErrInvalidAddress      = errors.Register(ModuleName, 13, "invalid address")
	ErrInvalidGenesis      = errors.Register(ModuleName, 14, "invalid genesis")
	ErrConsKeyBanned       = errors.Register(ModuleName, 16, "consensus key was jailed for misbehavior and is banned")
	ErrInvalidCommitter    = errors.Register(ModuleName, 17, "invalid committer")
	ErrWrongNode           = errors.Register(ModuleName, 18, "sender does not speak for this node")
	ErrEthAddressInUse     = errors.Register(ModuleName, 19, "eth address already names another edge node's bridge signer")
)
