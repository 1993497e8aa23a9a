package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"

	"github.com/trustedge/trustedge/node/device"
)

// devsimCommand is `trustedged devsim`: simulated sensors that register on
// chain (if needed) and stream signed readings to a gateway.
func devsimCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devsim",
		Short: "Simulate IoT devices streaming signed readings to an edge node's gateway",
		Long: `devsim simulates --devices sensors (kinds from --kinds, round-robin) homed on the
node behind --gateway. It reads the node's operator and chain id from the gateway's
/healthz, registers the devices and their streams that are missing on chain with the
--from key (many messages per tx), then streams readings through the device SDK's
Batcher for --duration at --rate readings per second IN TOTAL across all devices.

Device i is <prefix>-<kind>-<i> with an ed25519 key derived from --seed and its id,
its stream <device>.<kind>; rerunning with the same --seed continues the same streams.

Progress goes to stderr every --report; the last line on stdout is
  devsim devices=<n> sent=<n> acked=<n> rejected=<n> p50_ack_ms=<n> p99_ack_ms=<n> readings_per_s=<n>
The exit code is non-zero if any reading was rejected for good.`,
		Example: `trustedged devsim --gateway http://127.0.0.1:8080 --devices 10 --rate 1000 --duration 20s \
  --from demo --keyring-backend test --home ~/.localnet/node0 --node tcp://127.0.0.1:26657 --out devsim.json`,
		Args: cobra.NoArgs,
		// A failed run is not a usage mistake: keep the summary readable.
		SilenceUsage: true,
		RunE:         runDevsim,
	}
	addDevsimFlags(cmd)
	return cmd
}

func runDevsim(cmd *cobra.Command, _ []string) error {
	cfg, err := readDevsimConfig(cmd)
	if err != nil {
		return err
	}
	clientCtx, err := client.GetClientTxContext(cmd)
	if err != nil {
		return err
	}
	if clientCtx.FromAddress.Empty() {
		return errors.New("--from: no owner key (devices and streams are registered by it)")
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first interrupt ends generation and starts the drain; restoring
	// the default handling then lets a second one kill the process.
	context.AfterFunc(ctx, stop)
	log := cmd.ErrOrStderr()

	gw, err := device.NewClient(cfg.gateway, nil)
	if err != nil {
		return err
	}
	health, err := gw.Health(ctx)
	if err != nil {
		return fmt.Errorf("gateway %s: %w", cfg.gateway, err)
	}
	switch {
	case clientCtx.ChainID == "":
		clientCtx = clientCtx.WithChainID(health.ChainID)
	case clientCtx.ChainID != health.ChainID:
		return fmt.Errorf("--chain-id %s, but the gateway's node is on %s", clientCtx.ChainID, health.ChainID)
	}
	fmt.Fprintf(log, "devsim gateway=%s operator=%s chain_id=%s height=%d owner=%s\n",
		cfg.gateway, health.Operator, health.ChainID, health.Height, clientCtx.FromAddress)

	devs := cfg.plan()
	ids := make([]device.Identity, len(devs))
	for i, d := range devs {
		if ids[i], err = devsimIdentity(cfg.seed, d); err != nil {
			return err
		}
	}
	msgs, err := devsimMissing(ctx, clientCtx, clientCtx.FromAddress.String(), health.Operator, devs, ids)
	if err != nil {
		return err
	}
	if len(msgs) > 0 {
		height, err := devsimRegister(ctx, clientCtx, cmd.Flags(), msgs, log)
		if err != nil {
			return err
		}
		if err := devsimWaitGateway(ctx, gw, height); err != nil {
			return err
		}
	}

	sum, err := devsimStream(ctx, cfg, health.ChainID, gw, ids, devs, log)
	if err != nil {
		return err
	}
	sum.ChainID, sum.Gateway, sum.Operator, sum.Rate = health.ChainID, cfg.gateway, health.Operator, cfg.rate
	fmt.Fprintln(cmd.OutOrStdout(), sum.line())
	if cfg.out != "" {
		if err := sum.writeFile(cfg.out); err != nil {
			return fmt.Errorf("--%s: %w", flagDevsimOut, err)
		}
	}
	if sum.Rejected > 0 {
		return fmt.Errorf("%w: %d of %d", errRejected, sum.Rejected, sum.Sent)
	}
	if sum.Acked < sum.Sent {
		return fmt.Errorf("%w: %d of %d readings sent were neither acknowledged nor rejected within --%s %s",
			errUnacked, sum.Sent-sum.Acked, sum.Sent, flagDevsimDrain, cfg.drain)
	}
	return nil
}

// devsimStream runs the devices for cfg.duration (or until ctx ends), then
// drains the Batchers for up to cfg.drain, and sums up.
func devsimStream(ctx context.Context, cfg devsimConfig, chainID string, tr device.Transport, ids []device.Identity, devs []simDevice, log io.Writer) (devsimSummary, error) {
	st := newDevsimStats()
	batchers := make([]*device.Batcher, len(ids))
	life, cancelLife := context.WithCancel(context.Background())
	defer cancelLife()
	for i, id := range ids {
		b, err := device.NewBatcher(tr, id, device.Config{
			ChainID:       chainID,
			MaxBatch:      cfg.batch,
			FlushInterval: cfg.flush,
			OnAck:         st.onAck,
			OnReject: func(r device.Rejection) {
				fmt.Fprintln(log, "devsim", st.onReject(r))
			},
		})
		if err != nil {
			return devsimSummary{}, err
		}
		// The Batchers outlive ctx: after an interrupt they still drain.
		if err := b.Start(life); err != nil {
			return devsimSummary{}, err
		}
		batchers[i] = b
	}

	start := time.Now()
	genCtx, stopGen := context.WithTimeout(ctx, cfg.duration)
	defer stopGen()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runGenerators(genCtx, cfg, devs, batchers, start)
	}()
	if cfg.report > 0 {
		go func() {
			t := time.NewTicker(cfg.report)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					fmt.Fprintln(log, progressLine(time.Since(start), devsimTotals(batchers)))
				}
			}
		}()
	}
	<-done

	drainCtx, cancelDrain := context.WithTimeout(context.Background(), cfg.drain)
	defer cancelDrain()
	closed := make(chan error, len(batchers))
	for _, b := range batchers {
		go func() { closed <- b.Close(drainCtx) }()
	}
	var drainErr error
	for range batchers {
		if err := <-closed; err != nil && drainErr == nil {
			drainErr = err
		}
	}
	if drainErr != nil {
		fmt.Fprintf(log, "devsim drain did not finish within --%s %s: %v\n", flagDevsimDrain, cfg.drain, drainErr)
	}
	totals := devsimTotals(batchers)
	elapsed := time.Since(start)
	fmt.Fprintln(log, progressLine(elapsed, totals))
	sum := newDevsimSummary(totals, st, elapsed, st.ackSpan(start, elapsed))
	sum.Devices = len(devs)
	for _, d := range devs {
		sum.Streams = append(sum.Streams, d.streamID)
	}
	return sum, nil
}
