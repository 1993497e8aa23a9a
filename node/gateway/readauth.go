package gateway

import (
	"bytes"
	"context"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// MaxReadClockSkew is how far a reader's signed_at may be from the
// gateway's clock. A read is idempotent, so a copy replayed inside the
// window learns the replayer only what the original answer already showed
// whoever could see it; the window keeps an old captured request from
// reading the stream again after the reader lost its grant.
const MaxReadClockSkew = time.Minute

// authorizeRead is the read rule of proofs (a proof carries the reading's
// payload): the request is signed by an account key (gatewaypb.SignRead)
// within MaxReadClockSkew, for this chain, this gateway, this stream and
// seq, and the account is the stream's owner or is allowed "read" on
// "stream/<id>" by x/access. Heads are not covered: they hold only a
// counter, and devices, which have no account, read them to resume.
//
// It returns the reader's address once the signature verified ("" before),
// for the request log: an unverified key names nobody.
func (g *Gateway) authorizeRead(ctx context.Context, c *chainCache, s streamtypes.Stream, seq uint64, r *gatewaypb.ReaderSignature) (string, *Error) {
	if g.cfg.OpenReads {
		return "", nil
	}
	if r == nil {
		return "", newError(ReasonUnauthenticated, "this gateway serves proofs to signed requests only: sign with an account key "+
			"that owns stream %q or holds %q on %q (trustedged query stream prove --from KEY; node/gateway/README.md, \"Who may read\")",
			s.Id, accesstypes.ActionRead, StreamResource(s.Id))
	}
	if len(r.PubKey) != secp256k1.PubKeySize {
		return "", newError(ReasonMalformed, "reader pub_key is %d bytes, a compressed secp256k1 key is %d", len(r.PubKey), secp256k1.PubKeySize)
	}
	if skew := time.Since(time.Unix(r.SignedAt, 0)); skew > MaxReadClockSkew || skew < -MaxReadClockSkew {
		return "", newError(ReasonBadSignature, "reader signed_at %d is %s from this gateway's clock; at most %s is taken (sign each request anew)",
			r.SignedAt, skew.Round(time.Second), MaxReadClockSkew)
	}
	pk := &secp256k1.PubKey{Key: r.PubKey}
	if !pk.VerifySignature(ingest.ReadSignBytes(g.chainID, g.cfg.Operator, s.Id, seq, r.SignedAt), r.Signature) {
		return "", newError(ReasonBadSignature, "reader signature does not verify for chain %s, gateway %s, stream %q, seq %d, signed_at %d",
			g.chainID, g.cfg.Operator, s.Id, seq, r.SignedAt)
	}
	// Compare address bytes, and spell the reader with the owner's prefix:
	// no dependence on the process-wide bech32 configuration.
	hrp, owner, err := bech32.DecodeAndConvert(s.Owner)
	if err != nil {
		return "", newError(ReasonUnavailable, "stream %q has an undecodable owner %q: %v", s.Id, s.Owner, err)
	}
	reader, err := bech32.ConvertAndEncode(hrp, pk.Address())
	if err != nil {
		return "", newError(ReasonUnavailable, "encoding the reader address: %v", err)
	}
	if bytes.Equal(owner, pk.Address()) {
		return reader, nil
	}
	ok, err := c.allowed(ctx, g.chain, accesstypes.AccountSubject(reader), accesstypes.ActionRead, StreamResource(s.Id))
	if err != nil {
		return reader, chainUnavailable(err)
	}
	if !ok {
		return reader, newError(ReasonForbidden, "reader %s neither owns stream %q nor is allowed %q on %q (x/access)",
			reader, s.Id, accesstypes.ActionRead, StreamResource(s.Id))
	}
	return reader, nil
}
