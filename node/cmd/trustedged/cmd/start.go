package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"

	dbm "github.com/cosmos/cosmos-db"

	"golang.org/x/sync/errgroup"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/server"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/node/appdb"
	"github.com/trustedge/trustedge/node/dataplane"
)

// runningApp is the app `start` built (one per process).
var runningApp atomic.Pointer[app.App]

// startOptions adds the edge data plane to `trustedged start` (its flags,
// and its services started after CometBFT and the gRPC server are up) and
// opens the application DB with node/appdb's pebble options.
func startOptions() server.StartCmdOptions {
	return server.StartCmdOptions{
		DBOpener: openAppDB,
		AddFlags: dataplane.AddFlags,
		PostSetup: func(svrCtx *server.Context, clientCtx client.Context, ctx context.Context, g *errgroup.Group) error {
			a := runningApp.Load()
			if a == nil {
				return errors.New("data plane: the app was not built by this process")
			}
			cfg, err := dataplane.ReadConfig(svrCtx.Config.RootDir, svrCtx.Viper, svrCtx.Config.Consensus.TimeoutCommit)
			if err != nil {
				return err
			}
			return dataplane.Run(ctx, g, cfg, a, clientCtx, svrCtx.Logger)
		},
	}
}

// openAppDB opens <home>/data/application.db: with appdb's tuned pebble
// for the pebbledb backend trustedged uses, as the SDK would otherwise.
func openAppDB(home string, backend dbm.BackendType) (dbm.DB, error) {
	dir := filepath.Join(home, "data")
	if backend != dbm.PebbleDBBackend {
		return dbm.NewDB(appdb.Name, backend, dir)
	}
	db, err := appdb.Open(appdb.Name, dir)
	if err != nil {
		return nil, fmt.Errorf("opening the application DB in %s: %w", dir, err)
	}
	return db, nil
}
