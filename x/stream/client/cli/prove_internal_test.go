package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/x/stream/proof"
	"github.com/trustedge/trustedge/x/stream/types"
)

const home = "edge1home"

// proofOf builds a real proof of stream "s" seq 3 in a 2-stream epoch and
// returns it with the epoch's root and stream count.
func proofOf(t *testing.T) (types.ReadingProof, []byte, uint32) {
	t.Helper()
	var batches []proof.Batch
	leaves := map[string][][]byte{}
	readings := map[string][]proof.Reading{}
	for _, id := range []string{"s", "t"} {
		for seq := uint64(1); seq <= 4; seq++ {
			r := proof.Reading{StreamID: id, Seq: seq, Time: int64(seq), Payload: []byte(fmt.Sprintf("%s-%d", id, seq))}
			readings[id] = append(readings[id], r)
			leaves[id] = append(leaves[id], r.Leaf())
		}
		batches = append(batches, proof.Batch{StreamID: id, FirstSeq: 1, LastSeq: 4, Root: proof.BatchRoot(leaves[id])})
	}
	_, readingPath, err := proof.ReadingInclusion(leaves["s"], 2)
	require.NoError(t, err)
	root, batchPath, _, err := proof.BatchInclusion(batches, "s")
	require.NoError(t, err)
	return types.ReadingProofFrom(&proof.ReadingProof{
		Node: home, Epoch: 1, Reading: readings["s"][2], Batch: batches[0],
		ReadingPath: readingPath, BatchPath: batchPath, EpochRoot: root,
	}), root, 2
}

// fakeChain answers the two queries the prove command makes.
type fakeChain struct {
	types.QueryClient
	homeNode string
	verify   types.QueryVerifyResponse
}

func (f fakeChain) Stream(context.Context, *types.QueryStreamRequest, ...grpc.CallOption) (*types.QueryStreamResponse, error) {
	return &types.QueryStreamResponse{Stream: types.Stream{Id: "s", HomeNode: f.homeNode}}, nil
}

func (f fakeChain) Verify(context.Context, *types.QueryVerifyRequest, ...grpc.CallOption) (*types.QueryVerifyResponse, error) {
	v := f.verify
	return &v, nil
}

func honestChain(root []byte, streams uint32) fakeChain {
	return fakeChain{homeNode: home, verify: types.QueryVerifyResponse{
		Valid: true, Commit: types.EpochCommit{Node: home, Epoch: 1, Root: root, StreamCount: streams, Height: 9},
	}}
}

// The prove command trusts neither the gateway nor the queried node alone:
// each way one of them can lie is refused with a reason.
func TestVerifyOnChainRefuses(t *testing.T) {
	ctx := context.Background()
	p, root, streams := proofOf(t)

	res, err := verifyOnChain(ctx, honestChain(root, streams), "rpc", "s", 3, &p)
	require.NoError(t, err)
	require.Equal(t, int64(9), res.Height)
	require.Equal(t, "s-3", res.Payload)

	_, err = verifyOnChain(ctx, honestChain(root, streams), "rpc", "s", 2, &p)
	require.ErrorContains(t, err, "gateway returned a proof of s seq 3, asked for s seq 2")

	other := honestChain(root, streams)
	other.homeNode = "edge1other"
	_, err = verifyOnChain(ctx, other, "rpc", "s", 3, &p)
	require.ErrorContains(t, err, "stream s is homed on edge1other")

	refusing := honestChain(root, streams)
	refusing.verify = types.QueryVerifyResponse{Valid: false, Reason: "proof does not lead to the epoch root", Commit: types.EpochCommit{Height: 9}}
	_, err = verifyOnChain(ctx, refusing, "rpc", "s", 3, &p)
	require.ErrorContains(t, err, "chain rejects the proof: proof does not lead")

	behind := honestChain(root, streams)
	behind.verify = types.QueryVerifyResponse{Valid: false, Reason: "no commitment of epoch 1 by edge1home"}
	_, err = verifyOnChain(ctx, behind, "rpc", "s", 3, &p)
	require.ErrorIs(t, err, errChainBehind)

	// A node that says "valid" about a root the proof does not lead to.
	lying := honestChain(make([]byte, 32), streams)
	_, err = verifyOnChain(ctx, lying, "rpc", "s", 3, &p)
	require.ErrorContains(t, err, "proof does not verify against the chain's root")

	tampered := p
	tampered.Payload = []byte("forged")
	_, err = verifyOnChain(ctx, honestChain(root, streams), "rpc", "s", 3, &tampered)
	require.ErrorContains(t, err, "proof does not verify against the chain's root")
}

// fetchProof maps the gateway's answers: pending is "not yet" (retried),
// any other refusal is an error with the gateway's reason.
func TestFetchProofAnswers(t *testing.T) {
	p, _, _ := proofOf(t)
	answer := func(code int, body any) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "/v1/streams/s/readings/3/proof", r.URL.Path)
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(body)
		}))
	}
	ctx := context.Background()

	srv := answer(http.StatusOK, gatewaypb.ProveResponse{Committed: true, Proof: &p})
	resp, err := fetchProof(ctx, srv.URL, "s", 3, unsigned)
	srv.Close()
	require.NoError(t, err)
	require.Equal(t, p.Payload, resp.Proof.Payload)

	srv = answer(http.StatusNotFound, map[string]string{"error": "pending", "message": "in no closed epoch yet"})
	_, err = fetchProof(ctx, srv.URL, "s", 3, unsigned)
	srv.Close()
	require.ErrorIs(t, err, errNotYet)

	srv = answer(http.StatusGone, map[string]string{"error": "pruned", "message": "retention removed it"})
	_, err = fetchProof(ctx, srv.URL, "s", 3, unsigned)
	srv.Close()
	require.ErrorContains(t, err, "pruned retention removed it")
	require.NotErrorIs(t, err, errNotYet)
}

func unsigned() (*gatewaypb.ReaderSignature, error) { return nil, nil }

// With --from, every request carries a fresh signature by that key for the
// chain's id and the stream's home node as the chain names them, in the
// headers the gateway reads.
func TestProveSignsEachRequest(t *testing.T) {
	ctx := context.Background()
	key := secp256k1.GenPrivKeyFromSecret([]byte("cli-test/reader"))
	sign := gatewaypb.PrivKeySigner(key)
	// A clock that moves a minute per request: each attempt signs anew.
	clock := time.Unix(1_800_000_000, 0)
	now := func() time.Time { clock = clock.Add(time.Minute); return clock }
	reader, err := readerFor(ctx, fakeChain{homeNode: home}, "chain-x", "s", 3, sign, now)
	require.NoError(t, err)

	p, _, _ := proofOf(t)
	var got []*gatewaypb.ReaderSignature
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs, err := gatewaypb.ReaderFromHeaders(r.Header)
		require.NoError(t, err)
		got = append(got, rs)
		_ = json.NewEncoder(w).Encode(gatewaypb.ProveResponse{Committed: true, Proof: &p})
	}))
	defer srv.Close()
	for range 2 {
		_, err = fetchProof(ctx, srv.URL, "s", 3, reader)
		require.NoError(t, err)
	}
	require.Len(t, got, 2)
	for i, rs := range got {
		require.NotNil(t, rs)
		require.Equal(t, key.PubKey().Bytes(), rs.PubKey)
		require.True(t, key.PubKey().VerifySignature(ingest.ReadSignBytes("chain-x", home, "s", 3, rs.SignedAt), rs.Signature),
			"signed for this chain, the home node, stream and seq")
		require.Equal(t, time.Unix(1_800_000_000, 0).Add(time.Duration(i+1)*time.Minute).Unix(), rs.SignedAt, "signed at request %d's time", i)
	}

	// Without --from nothing is signed (gateways with open reads).
	none, err := readerFor(ctx, fakeChain{homeNode: home}, "", "s", 3, nil, time.Now)
	require.NoError(t, err)
	r, err := none()
	require.NoError(t, err)
	require.Nil(t, r)
}
