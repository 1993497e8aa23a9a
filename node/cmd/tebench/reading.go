package main

import (
	"context"
	"fmt"
	"path/filepath"

	sdk "github.com/cosmos/cosmos-sdk/types"

	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// Load message kinds (-msg).
const (
	msgSend    = "send"
	msgReading = "reading"
)

// loadMsg is the message of acc's tx at its current sequence.
func (b *bench) loadMsg(acc *account) sdk.Msg {
	if b.cfg.msg == msgReading {
		return readingMsg(acc)
	}
	return bankSendMsg(acc, acc.to)
}

// readingMsg stores one 64-byte reading on chain in acc's own stream. The
// reading's sequence number follows the account sequence, so a tx the node
// refuses (and re-signs) keeps both in step.
func readingMsg(acc *account) sdk.Msg {
	n := acc.seq - acc.readingBase + 1
	return &streamtypes.MsgRecordReading{
		Sender:   acc.addrStr,
		StreamId: acc.stream,
		Seq:      n,
		Time:     int64(n),
		Payload:  []byte(fmt.Sprintf(`{"pm25":%3d.%d,"pad":"abcdefghijklmnopqrstuvwxyzabcdefghijklmn"}`, n%200, n%10)),
	}
}

// setupReadingStreams gives every bench account a device and stream of its
// own (registered by the owner key, homed on node0) and sets the account's
// reading base to its current sequence. The streams must be fresh (no
// readings yet): the bench runs on a new localnet.
func (b *bench) setupReadingStreams(ctx context.Context, q *accountQuerier, node0 *account, accs []*account) error {
	owner, err := loadKeyringKey(b.enc.app.Codec(), filepath.Join(b.cfg.localnetHome, "node0"), b.cfg.owner)
	if err != nil {
		return err
	}
	devs := ingestDevices("naive", len(accs))
	if err := b.registerDevices(ctx, q, q.conn, owner, node0.addrStr, devs); err != nil {
		return err
	}
	sq := streamtypes.NewQueryClient(q.conn)
	for i, a := range accs {
		a.stream = devs[i].stream
		a.readingBase = a.seq
		if _, err := sq.Reading(ctx, &streamtypes.QueryReadingRequest{StreamId: a.stream, Seq: 1}); err == nil {
			return fmt.Errorf("stream %s already has readings: run -msg reading on a fresh localnet", a.stream)
		}
	}
	return nil
}
