package app

import (
	"encoding/json"
	"fmt"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
)

// ExportAppStateAndValidators exports the state for a genesis file. With
// forZeroHeight the export is meant to restart a chain at height 0; TrustEdge
// keeps no height-bound state (no unbonding queues, no distribution), so the
// same export serves both cases.
func (app *App) ExportAppStateAndValidators(forZeroHeight bool, _ []string, modulesToExport []string) (servertypes.ExportedApp, error) {
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})
	height := app.LastBlockHeight() + 1
	if forZeroHeight {
		height = 0
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
