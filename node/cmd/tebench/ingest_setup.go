package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"google.golang.org/grpc"

	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// benchDevice is a simulated sensor the ingest bench streams from.
type benchDevice struct {
	id     string
	stream string
	key    *ed25519.PrivKey
	next   uint64 // next sequence number to send
}

// ingestDevices returns n deterministic ed25519 devices (same keys every run).
func ingestDevices(prefix string, n int) []*benchDevice {
	out := make([]*benchDevice, n)
	for i := range out {
		seed := sha256.Sum256([]byte(fmt.Sprintf("trustedge-bench-device/%s/%d", prefix, i)))
		id := fmt.Sprintf("%s-%05d", prefix, i)
		out[i] = &benchDevice{id: id, stream: id + ".pm25", key: ed25519.GenPrivKeyFromSecret(seed[:]), next: 1}
	}
	return out
}

// registerDevices registers the devices missing on chain, homed on node, and
// one stream each, from owner (which needs register on device/* and create
// on stream/*), in txs of perTx devices.
func (b *bench) registerDevices(ctx context.Context, q *accountQuerier, conn *grpc.ClientConn, owner *account, node string, devs []*benchDevice) error {
	dq := devicetypes.NewQueryClient(conn)
	sq := streamtypes.NewQueryClient(conn)
	var missing []*benchDevice
	for _, d := range devs {
		if _, err := sq.Stream(ctx, &streamtypes.QueryStreamRequest{StreamId: d.stream}); err == nil {
			continue
		}
		missing = append(missing, d)
	}
	if len(missing) == 0 {
		return nil
	}
	logf("registering %d devices and streams (owner %s, home %s)", len(missing), owner.name, node)
	if err := q.load(ctx, owner); err != nil {
		return fmt.Errorf("owner %s: %w", owner.name, err)
	}
	const perTx = 50
	var (
		msgs [][]sdk.Msg
		gas  []uint64
	)
	for start := 0; start < len(missing); start += perTx {
		var batch []sdk.Msg
		for _, d := range missing[start:min(start+perTx, len(missing))] {
			if _, err := dq.Device(ctx, &devicetypes.QueryDeviceRequest{DeviceId: d.id}); err != nil {
				batch = append(batch, &devicetypes.MsgRegisterDevice{
					Owner: owner.addrStr, DeviceId: d.id, KeyType: devicetypes.KEY_TYPE_ED25519,
					Pubkey: d.key.PubKey().Bytes(), Kind: devicetypes.DEVICE_KIND_COLLECTOR,
					Protocols: []devicetypes.Protocol{devicetypes.PROTOCOL_WIFI}, HomeNode: node,
				})
			}
			batch = append(batch, &streamtypes.MsgCreateStream{
				Owner: owner.addrStr, StreamId: d.stream, DeviceId: d.id, Schema: "pm25.v1", Unit: "ug/m3", Replication: 1,
			})
		}
		msgs = append(msgs, batch)
		gas = append(gas, 500_000+200_000*uint64(len(batch)))
	}
	if err := b.setupTxs(ctx, owner, msgs, gas); err != nil {
		return fmt.Errorf("registering devices: %w", err)
	}
	return waitFor(ctx, 60*time.Second, func() (int, error) {
		left := 0
		for _, d := range missing {
			if _, err := sq.Stream(ctx, &streamtypes.QueryStreamRequest{StreamId: d.stream}); err != nil {
				left++
			}
		}
		return left, nil
	}, "bench streams still missing")
}
