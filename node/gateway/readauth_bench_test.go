package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/trustedge/trustedge/app/apptesting"
	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

// BenchmarkProve serves one proof over HTTP (reading 50 of a 100-reading
// batch in a closed epoch): unsigned on a gateway with open reads, then
// signed by the stream's owner and by a reader holding a read grant on the
// default gateway. The difference is the reader check: a secp256k1 verify,
// plus the x/access read (cached per height) for a grantee. The request is
// signed once, outside the loop: the client's signing is not the
// gateway's cost.
func BenchmarkProve(b *testing.B) {
	for _, mode := range []string{"open", "signed-owner", "signed-grantee"} {
		b.Run(mode, func(b *testing.B) {
			e := newEnv(b, func(c *gateway.Config) { c.OpenReads = mode == "open" })
			d := e.addDevice("bench-"+mode, devicetypes.KEY_TYPE_ED25519, e.home)
			if code := e.postJSON(e.signedBatch(d, d.Key, 1, 100)).Code; code != http.StatusOK {
				b.Fatalf("ingest: %d", code)
			}
			if _, err := e.store.CloseEpoch(1); err != nil {
				b.Fatal(err)
			}
			var r *gatewaypb.ReaderSignature
			switch mode {
			case "signed-owner":
				r = e.readerSig(e.owner, d.Stream, 50, time.Now())
			case "signed-grantee":
				reader := apptesting.NewAccount("bench/reader")
				e.chain.DeliverTx(e.authority, &accesstypes.MsgGrant{
					Granter: e.authority.String(), Subject: accesstypes.AccountSubject(reader.String()),
					Resource: gateway.StreamResource(d.Stream), Actions: []string{accesstypes.ActionRead},
				})
				r = e.readerSig(reader, d.Stream, 50, time.Now())
			}
			path := proofPath(d.Stream, 50)
			for b.Loop() {
				if code := e.getSigned(path, r).Code; code != http.StatusOK {
					b.Fatalf("prove: %d", code)
				}
			}
		})
	}
}
