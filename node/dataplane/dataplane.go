// Package dataplane starts an edge node's data plane next to its validator:
// the stream store (pebble), the device ingest gateway and the epoch
// committer that puts each epoch's Merkle root on chain. It runs in the
// trustedged process, reads chain state from the app directly and submits
// its transactions to the in-process CometBFT node.
package dataplane

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/node/chainview"
	"github.com/trustedge/trustedge/node/commit"
	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/store"
)

// Run starts the data plane's goroutines in g; they stop when ctx is done,
// and the store is closed after the gateway and the committer have stopped
// (an acknowledged reading is always on disk before the store closes).
func Run(ctx context.Context, g *errgroup.Group, cfg Config, a *app.App, clientCtx client.Context, logger log.Logger) error {
	logger = logger.With("module", "dataplane")
	if !cfg.Enable {
		logger.Info("edge data plane disabled", "flag", FlagEnable)
		return nil
	}
	if has, err := hasSigningKey(cfg); err != nil || !has {
		if err == nil {
			logger.Info("edge data plane not started: no signing key; pass --" + FlagCommitterKey + " (with --" +
				FlagOperator + ") or --" + FlagOperatorKey)
		}
		return err
	}
	if clientCtx.Client == nil {
		return errors.New("edge data plane needs the in-process CometBFT client: enable the gRPC or API server")
	}
	kr, err := keyring.New(sdk.KeyringServiceName(), cfg.KeyringBackend, cfg.Home, nil, a.AppCodec())
	if err != nil {
		return fmt.Errorf("open keyring (%s) in %s: %w", cfg.KeyringBackend, cfg.Home, err)
	}
	signer, err := resolveSigner(cfg, kr)
	if err != nil {
		return fmt.Errorf("edge data plane: %w", err)
	}
	operator := signer.Operator.String()

	st, err := store.Open(cfg.StoreDir)
	if err != nil {
		return fmt.Errorf("open stream store %s: %w", cfg.StoreDir, err)
	}
	view := chainview.New(a)

	gw := gateway.New(gateway.Config{
		HTTPAddr:             cfg.HTTPAddr,
		GRPCAddr:             cfg.GRPCAddr,
		Operator:             operator,
		RatePerDevice:        cfg.RatePerDevice,
		Burst:                cfg.Burst,
		QuietAccepted:        cfg.QuietAccepted,
		MaxPendingReadings:   cfg.MaxPendingReadings,
		MaxPendingBatches:    cfg.MaxPendingBatches,
		MaxBodyBytesInFlight: cfg.MaxBodyBytesInFlight,
		OpenReads:            cfg.OpenReads,
		// Opened by the committer once it has checked the store against
		// the chain (OnResumed below).
		StartClosed: true,
		Logger:      logger.With("component", "gateway"),
	}, st, view)

	bc, err := commit.NewTxBroadcaster(commit.TxConfig{
		ChainID:   a.ChainID(),
		KeyName:   signer.KeyName,
		Keyring:   kr,
		TxConfig:  a.TxConfig(),
		Gas:       cfg.CommitGas,
		GasPrices: cfg.GasPrices,
	}, view, clientCtx.Client)
	if err != nil {
		_ = st.Close()
		return err
	}
	cm := commit.New(commit.Config{
		Operator:     operator,
		Sender:       signer.Address.String(),
		EveryBlocks:  cfg.EpochBlocks,
		PollInterval: cfg.PollInterval,
		CloseDelay:   cfg.CloseDelay,
		CatchingUp:   catchingUp(clientCtx.Client),
		OnResumed:    gw.OpenIngest,
	}, st, view, bc, logger.With("component", "commit"))

	pruner := &Pruner{Store: st, Chain: view, Interval: cfg.PruneInterval, Now: time.Now,
		Log: logger.With("component", "retention")}

	var wg sync.WaitGroup
	wg.Add(3)
	if cfg.HeartbeatBlocks > 0 {
		hb := &Heartbeater{Broadcaster: bc, Chain: view, Sender: signer.Address.String(), Operator: operator,
			EveryBlocks: cfg.HeartbeatBlocks, Poll: 100 * time.Millisecond, Paused: gw.IngestHalted,
			Sample: newLoadSampler(filepath.Join(cfg.Home, "data"), cfg.StoreDir).Sample, Log: logger.With("component", "heartbeat")}
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			hb.Run(ctx)
			return nil
		})
	}
	g.Go(func() error {
		defer wg.Done()
		pruner.Run(ctx)
		return nil
	})
	g.Go(func() error {
		defer wg.Done()
		if err := gw.Start(ctx); err != nil && ctx.Err() == nil {
			return fmt.Errorf("ingest gateway: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		defer wg.Done()
		runCommitter(ctx, cm, gw, logger)
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		wg.Wait()
		return st.Close()
	})
	logger.Info("edge data plane started", "operator", operator, "signer", signer.Address.String(), "http", cfg.HTTPAddr, "grpc", cfg.GRPCAddr,
		"store", cfg.StoreDir, "epoch_blocks", cfg.EpochBlocks, "close_delay", cfg.CloseDelay,
		"heartbeat_blocks", cfg.HeartbeatBlocks)
	return nil
}

// catchingUp reports CometBFT's sync_info.catching_up.
func catchingUp(c client.CometRPC) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		st, err := c.Status(ctx)
		if err != nil {
			return false, err
		}
		return st.SyncInfo.CatchingUp, nil
	}
}

// runCommitter runs the epoch committer until ctx ends. A committer failure
// (a store that does not match the chain, a root another process
// committed, an epoch the chain refuses for good, a failing store) must not
// take the validator down with it: consensus goes on and the error is
// loud. The gateway stops acknowledging batches: they would never be
// committed, and with a lost store (heads back at 0) they could be
// replays. Heads and proofs of what is stored are still served.
func runCommitter(ctx context.Context, cm *commit.Committer, gw *gateway.Gateway, logger log.Logger) {
	if err := cm.Run(ctx); err != nil && ctx.Err() == nil {
		logger.Error("epoch committer stopped; ingest halted, stored readings are still served", "err", err)
		gw.HaltIngest("epoch committer stopped: " + err.Error())
	}
}
