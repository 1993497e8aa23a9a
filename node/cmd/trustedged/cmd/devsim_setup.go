package cmd

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/spf13/pflag"

	"github.com/trustedge/trustedge/node/device"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// Registration settings of simulated devices.
const (
	// devsimMsgsPerTx: registrations go out many per tx (a device and its
	// stream are two messages), few txs for many devices.
	devsimMsgsPerTx = 50
	// devsimRetention is how long edge nodes keep simulated raw readings.
	devsimRetention = uint64(7 * 24 * 3600)
	// devsimGasAdjustment pads simulated gas when --gas is not given.
	devsimGasAdjustment = 1.5
	// devsimTxWait bounds the wait for a registration tx to be in a block.
	devsimTxWait = 60 * time.Second
)

// devsimIdentity is a simulated device's identity: its ed25519 key comes
// from the seed and the device id, so reruns reuse registered devices.
func devsimIdentity(seed string, d simDevice) (device.Identity, error) {
	key, err := device.KeyFromSeed(seed+"/"+d.deviceID, devicetypes.KEY_TYPE_ED25519)
	if err != nil {
		return device.Identity{}, err
	}
	return device.Identity{DeviceID: d.deviceID, StreamID: d.streamID, Key: key}, nil
}

// devsimMissing queries the chain for every device and stream and returns
// the messages registering what is missing: each new device followed by its
// stream. What exists must match the plan (same key, homed on the
// gateway's node, stream of that device and open), or the gateway would
// refuse every batch: that is an error here, with what to change.
func devsimMissing(ctx context.Context, clientCtx client.Context, owner, operator string, devs []simDevice, ids []device.Identity) ([]sdk.Msg, error) {
	dq := devicetypes.NewQueryClient(clientCtx)
	sq := streamtypes.NewQueryClient(clientCtx)
	var msgs []sdk.Msg
	for i, d := range devs {
		pk, err := ids[i].PubKey()
		if err != nil {
			return nil, err
		}
		res, err := dq.Device(ctx, &devicetypes.QueryDeviceRequest{DeviceId: d.deviceID})
		switch {
		case status.Code(err) == codes.NotFound:
			msgs = append(msgs, devsimRegisterMsg(owner, operator, d, pk))
		case err != nil:
			return nil, fmt.Errorf("query device %s: %w", d.deviceID, err)
		default:
			if err := devsimCheckDevice(res.Device, operator, pk); err != nil {
				return nil, err
			}
		}
		sres, err := sq.Stream(ctx, &streamtypes.QueryStreamRequest{StreamId: d.streamID})
		switch {
		case status.Code(err) == codes.NotFound:
			kind := simKinds[d.kind]
			msgs = append(msgs, &streamtypes.MsgCreateStream{
				Owner: owner, StreamId: d.streamID, DeviceId: d.deviceID,
				Schema: kind.schema, Unit: kind.unit, RetentionSeconds: devsimRetention, Replication: 1,
			})
		case err != nil:
			return nil, fmt.Errorf("query stream %s: %w", d.streamID, err)
		default:
			s := sres.Stream
			if s.DeviceId != d.deviceID || s.Status != streamtypes.STREAM_STATUS_OPEN {
				return nil, fmt.Errorf("stream %s exists for device %s with status %s: choose another --%s or --%s",
					d.streamID, s.DeviceId, s.Status, flagDevsimPrefix, flagDevsimSeed)
			}
		}
	}
	return msgs, nil
}

func devsimRegisterMsg(owner, operator string, d simDevice, pk devicetypes.PubKey) *devicetypes.MsgRegisterDevice {
	return &devicetypes.MsgRegisterDevice{
		Owner:     owner,
		DeviceId:  d.deviceID,
		KeyType:   pk.Type,
		Pubkey:    pk.Key,
		Kind:      devicetypes.DEVICE_KIND_COLLECTOR,
		Protocols: []devicetypes.Protocol{devicetypes.PROTOCOL_WIFI},
		HomeNode:  operator,
		Metadata:  []devicetypes.MetadataEntry{{Key: "model", Value: "devsim-" + d.kind}},
	}
}

// devsimCheckDevice refuses a registered device the simulator cannot use.
func devsimCheckDevice(dev devicetypes.Device, operator string, pk devicetypes.PubKey) error {
	switch {
	case !dev.Pubkey.Equal(pk):
		return fmt.Errorf("device %s is registered with another key (owner %s): choose another --%s or --%s",
			dev.Id, dev.Owner, flagDevsimPrefix, flagDevsimSeed)
	case dev.HomeNode != operator:
		return fmt.Errorf("device %s is homed on %s, the gateway's node is %s: use that node's gateway or another --%s",
			dev.Id, dev.HomeNode, operator, flagDevsimPrefix)
	case dev.Status != devicetypes.DEVICE_STATUS_ACTIVE:
		return fmt.Errorf("device %s is %s", dev.Id, dev.Status)
	}
	return nil
}

// devsimChunks splits msgs into txs of at most n messages, in order (a
// device's registration always precedes its stream's, in the same or an
// earlier tx).
func devsimChunks(msgs []sdk.Msg, n int) [][]sdk.Msg {
	var out [][]sdk.Msg
	for len(msgs) > 0 {
		k := min(n, len(msgs))
		out = append(out, msgs[:k])
		msgs = msgs[k:]
	}
	return out
}

// devsimRegister sends the registrations, one tx at a time, each waited for
// until it is in a block (the next tx's sequence and the streams' devices
// depend on it). It returns the height of the last one.
func devsimRegister(ctx context.Context, clientCtx client.Context, fs *pflag.FlagSet, msgs []sdk.Msg, log io.Writer) (int64, error) {
	txf, err := clienttx.NewFactoryCLI(clientCtx, fs)
	if err != nil {
		return 0, err
	}
	if !fs.Changed(flags.FlagGas) {
		// Fifty registrations do not fit the default 200k gas: measure.
		txf = txf.WithSimulateAndExecute(true)
		if !fs.Changed(flags.FlagGasAdjustment) {
			txf = txf.WithGasAdjustment(devsimGasAdjustment)
		}
	}
	var height int64
	for i, chunk := range devsimChunks(msgs, devsimMsgsPerTx) {
		h, hash, err := devsimBroadcast(ctx, clientCtx, txf, chunk)
		if err != nil {
			return 0, fmt.Errorf("registration tx %d: %w", i+1, err)
		}
		fmt.Fprintf(log, "devsim registered %d messages in tx %s at height %d\n", len(chunk), hash, h)
		height = h
	}
	return height, nil
}

// devsimBroadcast builds, signs and broadcasts one tx and waits for it.
func devsimBroadcast(ctx context.Context, clientCtx client.Context, txf clienttx.Factory, msgs []sdk.Msg) (int64, string, error) {
	txf, err := txf.Prepare(clientCtx)
	if err != nil {
		return 0, "", err
	}
	if txf.SimulateAndExecute() {
		_, gas, err := clienttx.CalculateGas(clientCtx, txf, msgs...)
		if err != nil {
			return 0, "", fmt.Errorf("simulate: %w", err)
		}
		txf = txf.WithGas(gas)
	}
	builder, err := txf.BuildUnsignedTx(msgs...)
	if err != nil {
		return 0, "", err
	}
	if err := clienttx.Sign(ctx, txf, clientCtx.FromName, builder, true); err != nil {
		return 0, "", err
	}
	txBytes, err := clientCtx.TxConfig.TxEncoder()(builder.GetTx())
	if err != nil {
		return 0, "", err
	}
	res, err := clientCtx.WithBroadcastMode(flags.BroadcastSync).BroadcastTx(txBytes)
	if err != nil {
		return 0, "", err
	}
	if res.Code != 0 {
		return 0, res.TxHash, fmt.Errorf("refused by check: code %d (%s): %s", res.Code, res.Codespace, res.RawLog)
	}
	h, err := devsimWaitTx(ctx, clientCtx, res.TxHash)
	return h, res.TxHash, err
}

// devsimWaitTx polls the node until the tx is in a block and checks its
// result.
func devsimWaitTx(ctx context.Context, clientCtx client.Context, hashHex string) (int64, error) {
	hash, err := hex.DecodeString(hashHex)
	if err != nil {
		return 0, err
	}
	node, err := clientCtx.GetNode()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, devsimTxWait)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := node.Tx(ctx, hash, false)
		if err == nil && bytes.Equal(res.Hash, hash) {
			if res.TxResult.Code != 0 {
				return 0, fmt.Errorf("tx %s failed: code %d (%s): %s", hashHex, res.TxResult.Code, res.TxResult.Codespace, res.TxResult.Log)
			}
			return res.Height, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("tx %s not in a block after %s: %w", hashHex, devsimTxWait, ctx.Err())
		case <-tick.C:
		}
	}
}

// devsimWaitGateway waits until the gateway's node has seen height, so the
// gateway knows the streams just created.
func devsimWaitGateway(ctx context.Context, c *device.Client, height int64) error {
	ctx, cancel := context.WithTimeout(ctx, devsimTxWait)
	defer cancel()
	for {
		h, err := c.Health(ctx)
		if err == nil && h.Height >= height {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gateway did not reach height %d (last: %v %v): %w", height, h, err, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
