package app

import (
	"encoding/json"
	"fmt"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// ExportAppStateAndValidators exports the state for a genesis file. With
// forZeroHeight the export is meant to restart a chain at height 0. TrustEdge
// has no unbonding queues or distribution; its height-bound state is the
// edge nodes' join and heartbeat heights and the devices' key-validity
// heights, both reset by prepForZeroHeight.
// The heights x/stream records (stream creation, epoch commitment, on-chain
// reading) are kept as they are: they say where in the old chain's history
// a root was committed, and nothing counts blocks from them (Verify
// compares a stream's creation with epochs, which the export keeps, not
// with heights).
func (app *App) ExportAppStateAndValidators(forZeroHeight bool, _ []string, modulesToExport []string) (servertypes.ExportedApp, error) {
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})
	height := app.LastBlockHeight() + 1
	if forZeroHeight {
		height = 0
		// Adjust a branch of the state: the export must not write to the
		// app's own (check) state.
		ctx, _ = ctx.CacheContext()
		// That branch opens its stores lazily, and ExportGenesisForModules
		// reads them from one goroutine per module: open them all here so
		// the goroutines do not race on the branch's store map.
		for _, key := range app.keys {
			ctx.KVStore(key)
		}
		if err := app.prepForZeroHeight(ctx); err != nil {
			return servertypes.ExportedApp{}, err
		}
	}

	genState, err := app.ModuleManager.ExportGenesisForModules(ctx, app.cdc, modulesToExport)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	appState, err := json.MarshalIndent(genState, "", "  ")
	if err != nil {
		return servertypes.ExportedApp{}, err
	}

	var validators []cmttypes.GenesisValidator
	nodes, err := app.EdgeKeeper.ExportGenesis(ctx)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	for _, n := range nodes.Nodes {
		if !n.IsBonded() {
			continue
		}
		pk, err := n.ConsPubKey()
		if err != nil {
			return servertypes.ExportedApp{}, err
		}
		cmtPk, err := cryptocodec.ToCmtPubKeyInterface(pk)
		if err != nil {
			return servertypes.ExportedApp{}, fmt.Errorf("node %s: %w", n.Operator, err)
		}
		validators = append(validators, cmttypes.GenesisValidator{
			Address: cmtPk.Address(), PubKey: cmtPk, Power: n.Power, Name: n.Moniker,
		})
	}

	return servertypes.ExportedApp{
		AppState:        appState,
		Validators:      validators,
		Height:          height,
		ConsensusParams: app.GetConsensusParams(ctx),
	}, nil
}

// prepForZeroHeight zeroes the edge nodes' joined and last-heartbeat
// heights and the devices' key heights. They are heights of the old chain.
// Kept, a node that last heartbeated at old height H would count as fresh
// on the new chain until it passed H + heartbeat_timeout_blocks, and a
// retired device key would verify again until the old rotation height
// (x/device ResetHeightsForZeroHeight). Zeroed, every node gets a full
// heartbeat window from the new genesis and only current keys verify.
func (app *App) prepForZeroHeight(ctx sdk.Context) error {
	var nodes []edgetypes.EdgeNode
	if err := app.EdgeKeeper.Nodes.Walk(ctx, nil, func(_ sdk.AccAddress, n edgetypes.EdgeNode) (bool, error) {
		nodes = append(nodes, n)
		return false, nil
	}); err != nil {
		return err
	}
	for _, n := range nodes {
		operator, err := app.EdgeKeeper.AddressCodec().StringToBytes(n.Operator)
		if err != nil {
			return err
		}
		n.JoinedHeight, n.LastHeartbeatHeight = 0, 0
		if err := app.EdgeKeeper.Nodes.Set(ctx, operator, n); err != nil {
			return err
		}
	}
	// Device keys are valid over height ranges of the old chain.
	return app.DeviceKeeper.ResetHeightsForZeroHeight(ctx)
}
