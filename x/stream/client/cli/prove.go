// Package cli holds x/stream's hand-written commands; autocli builds the rest.
package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	"github.com/trustedge/trustedge/node/ingest"
	"github.com/trustedge/trustedge/x/stream/types"
)

const (
	flagGateway = "gateway"
	flagWait    = "wait"
)

// ProveResult is what `query stream prove` prints (as JSON with -o json).
type ProveResult struct {
	StreamID string `json:"stream_id"`
	Seq      uint64 `json:"seq"`
	Node     string `json:"node"`
	Epoch    uint64 `json:"epoch"`
	Height   int64  `json:"height"`
	Root     string `json:"root"`
	Time     int64  `json:"time"`
	Payload  string `json:"payload"`
	ChainRPC string `json:"chain_rpc"`
}

// NewProveCmd is `trustedged query stream prove <stream-id> <seq>`: fetch a
// reading and its proof from the edge gateway, then check it against the
// chain. It trusts neither side alone: the chain's Verify query must accept
// the proof, the root it returns must be the one the proof leads to (checked
// again here with x/stream/proof), and the proving node must be the stream's
// home node on chain.
func NewProveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "prove <stream-id> <seq>",
		Short:   "Prove a reading: fetch its Merkle proof from the edge gateway and verify it against the chain",
		Example: "trustedged query stream prove pm25-001.pm25 42 --from demo-owner --gateway http://127.0.0.1:8080 --node tcp://127.0.0.1:26657",
		Args:    cobra.ExactArgs(2),
		// A failed proof is an answer, not a usage mistake: print the reason only.
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			seq, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil || seq == 0 {
				return fmt.Errorf("seq %q: must be a positive integer", args[1])
			}
			gw, _ := cmd.Flags().GetString(flagGateway)
			wait, _ := cmd.Flags().GetDuration(flagWait)
			from, _ := cmd.Flags().GetString(flags.FlagFrom)
			// The SDK re-opens the keyring for a new backend only; a new
			// directory needs it too.
			if from != "" && cmd.Flags().Changed(flags.FlagKeyringDir) && !cmd.Flags().Changed(flags.FlagKeyringBackend) && clientCtx.Keyring != nil {
				kr, err := client.NewKeyringFromBackend(clientCtx, clientCtx.Keyring.Backend())
				if err != nil {
					return err
				}
				clientCtx = clientCtx.WithKeyring(kr)
			}
			sign, err := keyringSigner(clientCtx, from)
			if err != nil {
				return err
			}
			res, err := Prove(cmd.Context(), clientCtx, gw, args[0], seq, wait, sign)
			if err != nil {
				return err
			}
			if clientCtx.OutputFormat == flags.OutputFormatJSON {
				bz, err := json.Marshal(res)
				if err != nil {
					return err
				}
				return clientCtx.PrintRaw(bz)
			}
			return clientCtx.PrintString(fmt.Sprintf(
				"verified: stream %s seq %d is in epoch %d of node %s\n  root %s committed at height %d (checked on %s)\n  reading time %s (%d ns) payload %s\n",
				res.StreamID, res.Seq, res.Epoch, res.Node, res.Root, res.Height, res.ChainRPC,
				time.Unix(0, res.Time).UTC().Format(time.RFC3339Nano), res.Time, res.Payload))
		},
	}
	cmd.Flags().String(flagGateway, "http://127.0.0.1:8080", "ingest gateway of the stream's home edge node")
	cmd.Flags().Duration(flagWait, 10*time.Second, "how long to wait for the reading's epoch to be committed")
	cmd.Flags().String(flags.FlagFrom, "", "keyring key (name or address) that signs the proof request: the stream's owner or an account x/access allows \"read\" on the stream (omit only for gateways started with --gateway.open-reads)")
	cmd.Flags().String(flags.FlagKeyringBackend, "", "keyring backend of --from (os|file|test; default: client.toml's)")
	cmd.Flags().String(flags.FlagKeyringDir, "", "keyring directory of --from (default: the home directory)")
	flags.AddQueryFlagsToCmd(cmd)
	return cmd
}

// keyringSigner signs with the keyring key from names ("": no signer).
func keyringSigner(clientCtx client.Context, from string) (gatewaypb.SignFunc, error) {
	if from == "" {
		return nil, nil
	}
	if clientCtx.Keyring == nil {
		return nil, fmt.Errorf("--%s %s: no keyring (set --%s or keyring-backend in client.toml)", flags.FlagFrom, from, flags.FlagKeyringBackend)
	}
	_, name, _, err := client.GetFromFields(clientCtx, clientCtx.Keyring, from)
	if err != nil {
		return nil, fmt.Errorf("--%s %s: %w", flags.FlagFrom, from, err)
	}
	return func(msg []byte) ([]byte, cryptotypes.PubKey, error) {
		return clientCtx.Keyring.Sign(name, msg, signing.SignMode_SIGN_MODE_DIRECT)
	}, nil
}

// Prove fetches the proof of (stream, seq) from the gateway, waiting up to
// wait for its epoch to reach the chain, and verifies it on the chain the
// client context points at. sign signs each request for the stream's home
// gateway (nil: unsigned, which only gateways with open reads answer).
func Prove(ctx context.Context, clientCtx client.Context, gateway, streamID string, seq uint64, wait time.Duration, sign gatewaypb.SignFunc) (*ProveResult, error) {
	qc := types.NewQueryClient(clientCtx)
	var chainID string
	if sign != nil {
		var err error
		if chainID, err = nodeChainID(ctx, clientCtx); err != nil {
			return nil, err
		}
	}
	reader, err := readerFor(ctx, qc, chainID, streamID, seq, sign, time.Now)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		resp, err := fetchProof(ctx, gateway, streamID, seq, reader)
		if err == nil && resp.Committed && resp.Proof != nil {
			res, verr := verifyOnChain(ctx, qc, clientCtx.NodeURI, streamID, seq, resp.Proof)
			// The gateway's node may be a block ahead of the one asked:
			// wait for it to reach the commitment's height.
			if !errors.Is(verr, errChainBehind) {
				return res, verr
			}
			err = verr
		}
		if err != nil && !errors.Is(err, errNotYet) && !errors.Is(err, errChainBehind) {
			return nil, err
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errNotYet
			}
			return nil, fmt.Errorf("stream %s seq %d: %w (waited %s)", streamID, seq, err, wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var (
	errNotYet      = errors.New("reading is acknowledged but its epoch is not on chain yet")
	errChainBehind = errors.New("the queried node has not reached the block that committed the epoch yet")
)

// readerFor returns what signs each attempt: a fresh signature at now()
// (the gateway takes one for a minute, and --wait may be longer) for
// chainID and the stream's home node as the chain names it. Without sign,
// requests go unsigned.
func readerFor(ctx context.Context, qc types.QueryClient, chainID, streamID string, seq uint64, sign gatewaypb.SignFunc, now func() time.Time) (func() (*gatewaypb.ReaderSignature, error), error) {
	if sign == nil {
		return func() (*gatewaypb.ReaderSignature, error) { return nil, nil }, nil
	}
	st, err := qc.Stream(ctx, &types.QueryStreamRequest{StreamId: streamID})
	if err != nil {
		return nil, fmt.Errorf("stream %s on chain: %w", streamID, err)
	}
	home := st.Stream.HomeNode
	return func() (*gatewaypb.ReaderSignature, error) {
		return gatewaypb.SignRead(sign, chainID, home, streamID, seq, now())
	}, nil
}

// nodeChainID is the chain id of the node the proof is checked on (not
// client.toml's, which may be stale): the chain whose gateway is asked.
func nodeChainID(ctx context.Context, clientCtx client.Context) (string, error) {
	node, err := clientCtx.GetNode()
	if err != nil {
		return "", fmt.Errorf("chain id: %w", err)
	}
	status, err := node.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("chain id from %s: %w", clientCtx.NodeURI, err)
	}
	return status.NodeInfo.Network, nil
}

func fetchProof(ctx context.Context, gateway, streamID string, seq uint64, reader func() (*gatewaypb.ReaderSignature, error)) (*gatewaypb.ProveResponse, error) {
	u := strings.TrimRight(gateway, "/") + "/v1/streams/" + ingest.PathSegment(streamID) + "/readings/" + strconv.FormatUint(seq, 10) + "/proof"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	r, err := reader()
	if err != nil {
		return nil, err
	}
	r.SetHeaders(req.Header)
	hresp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gateway %s: %w", gateway, err)
	}
	defer hresp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(hresp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("gateway %s: %w", gateway, err)
	}
	if hresp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &e)
		if hresp.StatusCode == http.StatusNotFound && e.Error == "pending" {
			return nil, errNotYet
		}
		return nil, fmt.Errorf("gateway %s: %s: %s %s", gateway, hresp.Status, e.Error, e.Message)
	}
	var resp gatewaypb.ProveResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("gateway %s: bad proof response: %w", gateway, err)
	}
	if resp.Proof == nil || !resp.Committed {
		return &resp, errNotYet
	}
	return &resp, nil
}

func verifyOnChain(ctx context.Context, qc types.QueryClient, rpc, streamID string, seq uint64, p *types.ReadingProof) (*ProveResult, error) {
	if p.StreamId != streamID || p.Seq != seq {
		return nil, fmt.Errorf("gateway returned a proof of %s seq %d, asked for %s seq %d", p.StreamId, p.Seq, streamID, seq)
	}
	st, err := qc.Stream(ctx, &types.QueryStreamRequest{StreamId: streamID})
	if err != nil {
		return nil, fmt.Errorf("stream %s on chain: %w", streamID, err)
	}
	if st.Stream.HomeNode != p.Node {
		return nil, fmt.Errorf("proof is from node %s, but stream %s is homed on %s", p.Node, streamID, st.Stream.HomeNode)
	}
	v, err := qc.Verify(ctx, &types.QueryVerifyRequest{Proof: *p})
	if err != nil {
		return nil, fmt.Errorf("verify on chain: %w", err)
	}
	if !v.Valid {
		if v.Commit.Height == 0 && strings.HasPrefix(v.Reason, "no commitment") {
			return nil, fmt.Errorf("%w: %s", errChainBehind, v.Reason)
		}
		return nil, fmt.Errorf("chain rejects the proof: %s", v.Reason)
	}
	// The node said yes; check the math ourselves against the root it holds.
	if err := p.ToProof().Verify(v.Commit.Root, uint64(v.Commit.StreamCount)); err != nil {
		return nil, fmt.Errorf("proof does not verify against the chain's root: %w", err)
	}
	return &ProveResult{
		StreamID: streamID, Seq: seq, Node: p.Node, Epoch: p.Epoch,
		Height: v.Commit.Height, Root: strings.ToUpper(hex.EncodeToString(v.Commit.Root)),
		Time: p.Time, Payload: string(p.Payload), ChainRPC: rpc,
	}, nil
}
