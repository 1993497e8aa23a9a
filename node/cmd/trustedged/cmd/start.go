package cmd

import (
	"context"
	"errors"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/server"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/node/dataplane"
)

// runningApp is the app `start` built (one per process).
var runningApp atomic.Pointer[app.App]

// startOptions adds the edge data plane to `trustedged start`: its flags,
// and its services started after CometBFT and the gRPC server are up.
func startOptions() server.StartCmdOptions {
	return server.StartCmdOptions{
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
