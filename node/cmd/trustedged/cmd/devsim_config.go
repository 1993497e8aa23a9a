package cmd

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/trustedge/trustedge/node/device"
	"github.com/trustedge/trustedge/node/ingest"
)

// devsim flags (the standard tx flags come from flags.AddTxFlagsToCmd).
const (
	flagDevsimGateway  = "gateway"
	flagDevsimDevices  = "devices"
	flagDevsimRate     = "rate"
	flagDevsimDuration = "duration"
	flagDevsimBatch    = "batch"
	flagDevsimFlush    = "flush"
	flagDevsimPrefix   = "prefix"
	flagDevsimKinds    = "kinds"
	flagDevsimSeed     = "seed"
	flagDevsimReport   = "report"
	flagDevsimOut      = "out"
	flagDevsimDrain    = "drain"

	// devsimDefaultOwner is the owner key localnet seeds with device and
	// stream grants.
	devsimDefaultOwner = "demo"
)

// devsimConfig is a parsed and checked devsim command line.
type devsimConfig struct {
	gateway  string
	devices  int
	rate     int // readings per second, TOTAL over all devices
	duration time.Duration
	batch    int
	flush    time.Duration
	prefix   string
	kinds    []string
	seed     string
	report   time.Duration
	out      string
	drain    time.Duration
}

// simDevice is one simulated device: id, stream and kind.
type simDevice struct {
	deviceID string
	streamID string
	kind     string
}

func addDevsimFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String(flagDevsimGateway, "http://127.0.0.1:8080", "gateway base URL of the devices' home node (node i: http://127.0.0.1:8080+100*i)")
	f.Int(flagDevsimDevices, 10, "number of simulated devices, kinds assigned round-robin")
	f.Int(flagDevsimRate, 1000, "readings per second in TOTAL across all devices (each device sends rate/devices)")
	f.Duration(flagDevsimDuration, 20*time.Second, "how long to generate readings")
	f.Int(flagDevsimBatch, device.DefaultMaxBatch, "max readings per batch")
	f.Duration(flagDevsimFlush, device.DefaultFlushInterval, "send a batch once its oldest reading is this old")
	f.String(flagDevsimPrefix, "sim", "device id prefix: devices are <prefix>-<kind>-<i>, streams <device>.<kind>")
	f.StringSlice(flagDevsimKinds, []string{"pm25", "temp"}, "sensor kinds to simulate (pm25, temp)")
	f.String(flagDevsimSeed, "devsim", "seed of the device keys and values (same seed: same keys, same values)")
	f.Duration(flagDevsimReport, 5*time.Second, "progress line interval (0: none)")
	f.String(flagDevsimOut, "", "write the final summary and acknowledged (stream, seq) samples to this JSON file")
	f.Duration(flagDevsimDrain, 30*time.Second, "after --duration, how long to wait for buffered readings to be acknowledged")
	flags.AddTxFlagsToCmd(cmd)
	// The tx flags' --from has no default; devsim's owner is localnet's demo key.
	from := f.Lookup(flags.FlagFrom)
	from.DefValue = devsimDefaultOwner
	_ = from.Value.Set(devsimDefaultOwner)
}

// readDevsimConfig reads and checks the devsim flags: bad values are
// refused here, before anything touches the chain or the gateway.
func readDevsimConfig(cmd *cobra.Command) (devsimConfig, error) {
	f := cmd.Flags()
	var c devsimConfig
	var err error
	get := func(fn func() error) {
		if err == nil {
			err = fn()
		}
	}
	get(func() (e error) { c.gateway, e = f.GetString(flagDevsimGateway); return })
	get(func() (e error) { c.devices, e = f.GetInt(flagDevsimDevices); return })
	get(func() (e error) { c.rate, e = f.GetInt(flagDevsimRate); return })
	get(func() (e error) { c.duration, e = f.GetDuration(flagDevsimDuration); return })
	get(func() (e error) { c.batch, e = f.GetInt(flagDevsimBatch); return })
	get(func() (e error) { c.flush, e = f.GetDuration(flagDevsimFlush); return })
	get(func() (e error) { c.prefix, e = f.GetString(flagDevsimPrefix); return })
	get(func() (e error) { c.kinds, e = f.GetStringSlice(flagDevsimKinds); return })
	get(func() (e error) { c.seed, e = f.GetString(flagDevsimSeed); return })
	get(func() (e error) { c.report, e = f.GetDuration(flagDevsimReport); return })
	get(func() (e error) { c.out, e = f.GetString(flagDevsimOut); return })
	get(func() (e error) { c.drain, e = f.GetDuration(flagDevsimDrain); return })
	if err != nil {
		return devsimConfig{}, err
	}
	return c, c.validate()
}

func (c devsimConfig) validate() error {
	if _, err := device.NewClient(c.gateway, nil); err != nil {
		return fmt.Errorf("--%s: %w", flagDevsimGateway, err)
	}
	switch {
	case c.devices < 1:
		return fmt.Errorf("--%s %d: need at least 1", flagDevsimDevices, c.devices)
	case c.rate < 1:
		return fmt.Errorf("--%s %d: need at least 1 reading/s", flagDevsimRate, c.rate)
	case c.duration <= 0:
		return fmt.Errorf("--%s %s: must be positive", flagDevsimDuration, c.duration)
	case c.batch < 1 || c.batch > ingest.MaxReadingsPerBatch:
		return fmt.Errorf("--%s %d: must be 1..%d", flagDevsimBatch, c.batch, ingest.MaxReadingsPerBatch)
	case c.flush <= 0:
		return fmt.Errorf("--%s %s: must be positive", flagDevsimFlush, c.flush)
	case c.report < 0:
		return fmt.Errorf("--%s %s: must not be negative", flagDevsimReport, c.report)
	case c.drain <= 0:
		return fmt.Errorf("--%s %s: must be positive", flagDevsimDrain, c.drain)
	case c.seed == "":
		return fmt.Errorf("--%s is empty", flagDevsimSeed)
	case len(c.kinds) == 0:
		return fmt.Errorf("--%s is empty", flagDevsimKinds)
	}
	for i, k := range c.kinds {
		if _, ok := simKinds[k]; !ok {
			return fmt.Errorf("--%s: unknown kind %q (known: %s)", flagDevsimKinds, k, strings.Join(knownKinds(), ", "))
		}
		if slices.Contains(c.kinds[:i], k) {
			return fmt.Errorf("--%s: %q listed twice", flagDevsimKinds, k)
		}
	}
	// The longest ids must pass the chain's id rule.
	last := c.plan()[c.devices-1]
	if err := ingest.ValidateID("device", last.deviceID); err != nil {
		return fmt.Errorf("--%s %q: %w", flagDevsimPrefix, c.prefix, err)
	}
	for _, d := range c.plan()[max(0, c.devices-len(c.kinds)):] {
		if err := ingest.ValidateID("stream", d.streamID); err != nil {
			return fmt.Errorf("--%s %q: %w", flagDevsimPrefix, c.prefix, err)
		}
	}
	return nil
}

// plan lists the devices: device i has kind kinds[i mod len(kinds)], id
// <prefix>-<kind>-<i>, stream <device>.<kind>.
func (c devsimConfig) plan() []simDevice {
	out := make([]simDevice, c.devices)
	for i := range out {
		k := c.kinds[i%len(c.kinds)]
		id := fmt.Sprintf("%s-%s-%d", c.prefix, k, i)
		out[i] = simDevice{deviceID: id, streamID: id + "." + k, kind: k}
	}
	return out
}

func knownKinds() []string {
	ks := make([]string, 0, len(simKinds))
	for k := range simKinds {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// errRejected is devsim's failure: readings the gateway refused for good.
var errRejected = errors.New("readings were rejected")

// errUnacked is devsim's other failure: readings still unanswered when the
// drain ended (the gateway stopped answering, or answered 503 throughout).
var errUnacked = errors.New("readings were never acknowledged")
