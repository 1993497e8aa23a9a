package gateway_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/ingest"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// BenchmarkSignatureCheck compares the two ways to check one device
// signature: asking the chain (x/device VerifySignature through
// node/chainview: a query context and an IAVL read per call) and checking
// with the device key the gateway already holds for this height.
func BenchmarkSignatureCheck(b *testing.B) {
	e := newEnv(b)
	d := e.addDevice("sig-bench", devicetypes.KEY_TYPE_ED25519, e.home)
	msg := ingest.ReadingSignBytes(e.chain.ChainID, d.Stream, d.ID, 1, 1, []byte("x"))
	sig := d.Key.Sign(msg)
	ctx := context.Background()
	dev, err := e.view.Device(ctx, d.ID)
	require.NoError(b, err)

	b.Run("chain", func(b *testing.B) {
		for b.Loop() {
			if err := e.view.VerifyDeviceSignature(ctx, d.ID, msg, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached-key", func(b *testing.B) {
		for b.Loop() {
			if !dev.Pubkey.VerifySignature(msg, sig) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("device-read-only", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.view.Device(ctx, d.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
