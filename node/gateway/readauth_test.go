package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/trustedge/trustedge/app/apptesting"
	"github.com/trustedge/trustedge/node/gateway"
	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	"github.com/trustedge/trustedge/x/stream/proof"
)

// provable is a device whose first 5 readings are in closed epoch 1.
func provable(t *testing.T, e *env, id string) device {
	t.Helper()
	d := e.addDevice(id, devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 5)))
	_, err := e.store.CloseEpoch(1)
	require.NoError(t, err)
	return d
}

// TestProveReadAuthorization: a proof carries the reading's payload, so the
// gateway serves it only to a request signed by the stream's owner or by an
// account x/access allows "read" on the stream, for this chain, gateway,
// stream and seq, within a minute. Every refusal is a clear error.
func TestProveReadAuthorization(t *testing.T) {
	e := newEnv(t)
	d := provable(t, e, "guarded")
	path := proofPath(d.Stream, 3)
	reader := apptesting.NewAccount("read-auth/reader") // no account on chain: reading needs none

	body := requireRefused(t, e.get(path), http.StatusUnauthorized, gateway.ReasonUnauthenticated)
	require.Contains(t, body.Message, "--from")

	p := proveOK(t, e.proveAs(e.owner, d.Stream, 3))
	require.Equal(t, uint64(3), p.Proof.Seq, "the owner reads")

	body = requireRefused(t, e.proveAs(reader, d.Stream, 3), http.StatusForbidden, gateway.ReasonForbidden)
	require.Contains(t, body.Message, reader.String())
	require.Contains(t, body.Message, `"read" on "stream/guarded.pm25"`)

	// Forged and misused signatures.
	now := time.Now()
	for name, r := range map[string]*gatewaypb.ReaderSignature{
		"signed for another seq":      e.readerSig(e.owner, d.Stream, 4, now),
		"signed two minutes ago":      e.readerSig(e.owner, d.Stream, 3, now.Add(-2*time.Minute)),
		"signed two minutes ahead":    e.readerSig(e.owner, d.Stream, 3, now.Add(2*time.Minute)),
		"another account's signature": {PubKey: reader.PrivKey.PubKey().Bytes(), SignedAt: now.Unix(), Signature: e.readerSig(e.owner, d.Stream, 3, now).Signature},
		"signed for another gateway": func() *gatewaypb.ReaderSignature {
			r, err := gatewaypb.SignRead(gatewaypb.PrivKeySigner(e.owner.PrivKey), e.chain.ChainID, e.other.Operator.String(), d.Stream, 3, now)
			require.NoError(t, err)
			return r
		}(),
		"signed for another chain": func() *gatewaypb.ReaderSignature {
			r, err := gatewaypb.SignRead(gatewaypb.PrivKeySigner(e.owner.PrivKey), "other-chain", e.home.Operator.String(), d.Stream, 3, now)
			require.NoError(t, err)
			return r
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			requireRefused(t, e.getSigned(path, r), http.StatusUnauthorized, gateway.ReasonBadSignature)
		})
	}
	good := e.readerSig(e.owner, d.Stream, 3, now)
	short := *good
	short.PubKey = short.PubKey[:20]
	requireRefused(t, e.getSigned(path, &short), http.StatusBadRequest, gateway.ReasonMalformed)
	partial := e.get(path, func(h http.Header) { h.Set(gatewaypb.HeaderReaderKey, "AAAA") })
	body = requireRefused(t, partial, http.StatusBadRequest, gateway.ReasonMalformed)
	require.Contains(t, body.Message, gatewaypb.HeaderReaderSignature)

	// A read grant admits the reader, on this stream only; revoking it
	// shuts the reader out at the next block.
	e.chain.DeliverTx(e.authority, &accesstypes.MsgGrant{
		Granter: e.authority.String(), Subject: accesstypes.AccountSubject(reader.String()),
		Resource: gateway.StreamResource(d.Stream), Actions: []string{accesstypes.ActionRead},
	})
	p = proveOK(t, e.proveAs(reader, d.Stream, 3))
	require.Equal(t, d.Stream, p.Proof.StreamId)
	other := provableNext(t, e, "unguarded")
	requireRefused(t, e.proveAs(reader, other.Stream, 1), http.StatusForbidden, gateway.ReasonForbidden)

	ids := grantIDs(t, e, accesstypes.AccountSubject(reader.String()))
	require.Len(t, ids, 1)
	e.chain.DeliverTx(e.authority, &accesstypes.MsgRevoke{Sender: e.authority.String(), GrantId: ids[0]})
	requireRefused(t, e.proveAs(reader, d.Stream, 3), http.StatusForbidden, gateway.ReasonForbidden)

	// Heads stay open: devices, which have no account, resume from them.
	require.Equal(t, http.StatusOK, e.get("/v1/streams/"+d.Stream+"/head").Code)
}

// provableNext adds a device whose first reading is in the next closed epoch.
func provableNext(t *testing.T, e *env, id string) device {
	t.Helper()
	d := e.addDevice(id, devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(d, d.Key, 1, 1)))
	last, err := e.store.LastEpoch()
	require.NoError(t, err)
	_, err = e.store.CloseEpoch(last.Number + 1)
	require.NoError(t, err)
	return d
}

// TestProveReadAuthorizationGRPC: the same rule over gRPC, the signature in
// the request's reader field.
func TestProveReadAuthorizationGRPC(t *testing.T) {
	e := newEnv(t)
	d := provable(t, e, "guarded-grpc")
	c := e.grpcClient()
	ctx := context.Background()

	_, err := c.Prove(ctx, &gatewaypb.ProveRequest{StreamId: d.Stream, Seq: 2})
	require.Equal(t, codes.Unauthenticated, status.Code(err))
	ge, ok := gateway.ErrorFromGRPC(err)
	require.True(t, ok)
	require.Equal(t, gateway.ReasonUnauthenticated, ge.Reason)

	stranger := apptesting.NewAccount("read-auth/grpc-stranger")
	_, err = c.Prove(ctx, &gatewaypb.ProveRequest{StreamId: d.Stream, Seq: 2, Reader: e.readerSig(stranger, d.Stream, 2, time.Now())})
	require.Equal(t, codes.PermissionDenied, status.Code(err))

	resp, err := c.Prove(ctx, &gatewaypb.ProveRequest{StreamId: d.Stream, Seq: 2, Reader: e.readerSig(e.owner, d.Stream, 2, time.Now())})
	require.NoError(t, err)
	require.Equal(t, uint64(2), resp.Proof.Seq)
}

// TestProveOpenReads: with OpenReads a gateway serves proofs unsigned.
func TestProveOpenReads(t *testing.T) {
	e := newEnv(t, func(c *gateway.Config) { c.OpenReads = true })
	d := provable(t, e, "open")
	p := proveOK(t, e.get(proofPath(d.Stream, 5)))
	require.Equal(t, uint64(5), p.Proof.Seq)
}

// grantIDs lists the ids of subject's grants.
func grantIDs(t *testing.T, e *env, subject string) []uint64 {
	t.Helper()
	it, err := e.chain.App.AccessKeeper.Grants.Indexes.BySubject.MatchExact(e.chain.Context(), subject)
	require.NoError(t, err)
	ids, err := it.PrimaryKeys()
	require.NoError(t, err)
	return ids
}

// A read grant admits its reader only, even at the same height (the
// decision cache is per subject); a write-only wildcard grant reads
// nothing; a role's wildcard read grant admits its members.
func TestProveReadGrantsPerReader(t *testing.T) {
	e := newEnv(t)
	d := provable(t, e, "cachey")
	r1 := apptesting.NewAccount("read-auth/r1")
	r2 := apptesting.NewAccount("read-auth/r2")
	e.chain.DeliverTx(e.authority, &accesstypes.MsgGrant{
		Granter: e.authority.String(), Subject: accesstypes.AccountSubject(r1.String()),
		Resource: gateway.StreamResource(d.Stream), Actions: []string{accesstypes.ActionRead},
	})
	proveOK(t, e.proveAs(r1, d.Stream, 2))
	requireRefused(t, e.proveAs(r2, d.Stream, 2), http.StatusForbidden, gateway.ReasonForbidden)
	// A write-only wildcard grantee (genesis account 1: stream/* create+write) cannot read.
	w := e.chain.Genesis.Accounts[1]
	requireRefused(t, e.proveAs(w, d.Stream, 2), http.StatusForbidden, gateway.ReasonForbidden)
	// Role + wildcard read works.
	e.chain.DeliverTx(e.authority, &accesstypes.MsgCreateRole{Sender: e.authority.String(), Name: "readers", Actions: []string{"read"}})
	e.chain.DeliverTx(e.authority, &accesstypes.MsgAddRoleMember{Sender: e.authority.String(), Role: "readers", Member: accesstypes.AccountSubject(r2.String())})
	e.chain.DeliverTx(e.authority, &accesstypes.MsgGrant{Granter: e.authority.String(), Subject: accesstypes.RoleSubject("readers"), Resource: "stream/cach*"})
	proveOK(t, e.proveAs(r2, d.Stream, 2))
}

// The high-S twin of a valid reader signature is refused (secp256k1
// signatures are taken in low-S form only, as the SDK's txs are).
func TestProveRefusesHighSReaderSignature(t *testing.T) {
	e := newEnv(t)
	d := provable(t, e, "highs")
	good := e.readerSig(e.owner, d.Stream, 3, time.Now())
	n, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)
	s := new(big.Int).SetBytes(good.Signature[32:])
	hs := new(big.Int).Sub(n, s).FillBytes(make([]byte, 32))
	bad := *good
	bad.Signature = append(append([]byte{}, good.Signature[:32]...), hs...)
	require.Equal(t, secp256k1.PubKeySize, len(bad.PubKey))
	requireRefused(t, e.getSigned(proofPath(d.Stream, 3), &bad), http.StatusUnauthorized, gateway.ReasonBadSignature)
	proveOK(t, e.getSigned(proofPath(d.Stream, 3), good))
}

// The request log names a proof's reader once its signature verified, and
// nobody for a request that only claims a key.
func TestProveLogNamesVerifiedReaderOnly(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, func(c *gateway.Config) {
		c.Logger = log.NewLogger(&buf, log.OutputJSONOption(), log.LevelOption(zerolog.InfoLevel))
	})
	d := provable(t, e, "logged-reads")
	buf.Reset()
	stranger := apptesting.NewAccount("read-auth/log-stranger")

	proveOK(t, e.proveAs(e.owner, d.Stream, 1))
	requireRefused(t, e.proveAs(stranger, d.Stream, 1), http.StatusForbidden, gateway.ReasonForbidden)
	forged := e.readerSig(stranger, d.Stream, 1, time.Now())
	forged.PubKey = e.owner.PrivKey.PubKey().Bytes() // claims to be the owner
	requireRefused(t, e.getSigned(proofPath(d.Stream, 1), forged), http.StatusUnauthorized, gateway.ReasonBadSignature)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3, buf.String())
	var entries [3]map[string]any
	for i, l := range lines {
		require.NoError(t, json.Unmarshal([]byte(l), &entries[i]))
		require.Equal(t, "prove", entries[i]["message"])
	}
	require.Equal(t, e.owner.String(), entries[0]["reader"])
	require.Equal(t, stranger.String(), entries[1]["reader"], "a refused but verified reader is named")
	require.Empty(t, entries[2]["reader"], "a forged key names nobody")
	require.EqualValues(t, 401, entries[2]["status"])
}

// A proof of one stream carries the leaf hash of its neighbour's batch.
// With the store's batch salts, that hash tells a reader of one stream
// nothing about another: even the neighbour's exact reading does not
// reproduce it (without salts a one-reading batch with a guessable payload
// was confirmed by trying candidates).
func TestProofHidesNeighbourStreams(t *testing.T) {
	e := newEnv(t)
	a := e.addDevice("alpha", devicetypes.KEY_TYPE_ED25519, e.home)
	b := e.addDevice("bravo", devicetypes.KEY_TYPE_ED25519, e.home)
	requireOK(t, e.postJSON(e.signedBatch(a, a.Key, 1, 5)))
	secret := e.signedBatch(b, b.Key, 1, 1)
	requireOK(t, e.postJSON(secret))
	ep, err := e.store.CloseEpoch(1)
	require.NoError(t, err)

	reader := apptesting.NewAccount("read-auth/reader-of-alpha")
	e.chain.DeliverTx(e.authority, &accesstypes.MsgGrant{
		Granter: e.authority.String(), Subject: accesstypes.AccountSubject(reader.String()),
		Resource: gateway.StreamResource(a.Stream), Actions: []string{accesstypes.ActionRead},
	})
	requireRefused(t, e.proveAs(reader, b.Stream, 1), http.StatusForbidden, gateway.ReasonForbidden)
	p := proveOK(t, e.proveAs(reader, a.Stream, 1)).Proof.ToProof()
	require.NoError(t, p.Verify(ep.Root, uint64(len(ep.Batches))))
	require.Len(t, p.Batch.Salt, proof.SaltSize)
	require.Len(t, p.BatchPath.Aunts, 1)

	r := secret.Readings[0]
	unsalted := proof.LeafHash(proof.BatchLeaf(b.Stream, 1, 1, proof.LeafHash(proof.ReadingLeaf(b.Stream, 1, r.Time, r.Payload)), nil))
	require.NotEqual(t, unsalted, p.BatchPath.Aunts[0], "the neighbour's batch leaf is salted")
}
