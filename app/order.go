package app

import (
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// The order modules run in. Kept apart from app.go so the wiring reads
// top to bottom and a reordering shows up as its own diff.

// preBlockers: upgrade must run first so a scheduled upgrade halts the
// chain before any state of the new block is touched; auth then prunes
// expired unordered-tx nonces.
var preBlockers = []string{upgradetypes.ModuleName, authtypes.ModuleName}

// beginBlockers: edge jails double-signers named in the block's evidence.
var beginBlockers = []string{edgetypes.ModuleName}

// endBlockers: bank settles the block's virtual-account credits (fees);
// access prunes expired grants; edge last, so the validator updates see
// every change of the block.
var endBlockers = []string{banktypes.ModuleName, accesstypes.ModuleName, edgetypes.ModuleName}

// initGenesis: accounts before balances; edge before access (the authority)
// and device (which reads x/edge; its genesis does not require home nodes to
// still exist, since a node can be removed while devices point at it);
// stream last: it reads devices, grants and nodes, though its genesis, like
// device's, does not require the devices and nodes it names to still exist.
// x/stream has no begin or end blocker.
var initGenesis = []string{
	consensustypes.ModuleName,
	authtypes.ModuleName,
	banktypes.ModuleName,
	upgradetypes.ModuleName,
	edgetypes.ModuleName,
	accesstypes.ModuleName,
	devicetypes.ModuleName,
	streamtypes.ModuleName,
}

// exportGenesis mirrors initGenesis.
var exportGenesis = initGenesis
