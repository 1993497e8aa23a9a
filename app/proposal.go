package app

import (
	"context"
	"sort"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// SequenceOrderedProposals builds the proposer's block from the txs
// CometBFT reaped, putting each account's txs in sequence order and leaving
// out those that cannot succeed at their place: a sequence already used, or
// one after a gap.
//
// Why: CometBFT's mempool can hold one sender's txs out of order. CheckTx
// runs under the app's lock, but the mempool appends the tx to its list
// after the lock is released, so when two goroutines (the RPC and a peer,
// or two peers) check consecutive txs of one account at once, the second
// can be appended first (tendermint/tendermint#6219; still so in CometBFT
// v0.40). Reaped in that order, the later tx fails in the block with
// "account sequence mismatch" and is gone, though it was valid and its
// sender did nothing wrong. The soak test at 500 sends/s saw 23 such txs
// in 10 minutes. A tx this handler leaves out stays in the mempool for a
// later block, or is evicted by the re-check if it can never succeed.
//
// Only the proposer runs this; ProcessProposal still accepts any block, so
// validators need not agree on it, and the app hash does not depend on it.
// Txs that do not decode are left out (they would fail in the block);
// unordered txs and txs whose signers have no account yet keep their place
// and are judged by the block as before.
func SequenceOrderedProposals(decode sdk.TxDecoder, ak sdkAccountReader) sdk.PrepareProposalHandler {
	return func(ctx sdk.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
		cands := make([]proposalTx, 0, len(req.Txs))
		for _, bz := range req.Txs {
			if c, ok := parseProposalTx(decode, bz); ok {
				cands = append(cands, c)
			}
		}
		orderBySequence(cands)

		var maxGas uint64
		if b := ctx.ConsensusParams().Block; b != nil && b.MaxGas > 0 {
			maxGas = uint64(b.MaxGas)
		}
		free := ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		next := map[string]uint64{} // signer -> sequence the next included tx must carry
		var (
			out             [][]byte
			totalBytes, gas uint64
		)
		for _, c := range cands {
			if c.sequenced && !nextInLine(free, ak, next, c) {
				continue
			}
			size := uint64(cmttypes.ComputeProtoSizeForTxs([]cmttypes.Tx{c.bz}))
			if totalBytes+size > uint64(req.MaxTxBytes) || (maxGas > 0 && gas+c.gas > maxGas) {
				break // as CometBFT's reap: stop at the first tx that does not fit
			}
			totalBytes += size
			gas += c.gas
			out = append(out, c.bz)
			if c.sequenced {
				for i, s := range c.signers {
					next[s] = c.seqs[i] + 1
				}
			}
		}
		return &abci.ResponsePrepareProposal{Txs: out}, nil
	}
}

// sdkAccountReader is the part of the account keeper the handler reads.
type sdkAccountReader interface {
	GetAccount(ctx context.Context, addr sdk.AccAddress) sdk.AccountI
}

// proposalTx is a reaped tx with what ordering needs.
type proposalTx struct {
	bz        []byte
	gas       uint64
	signers   []string // raw signer addresses
	seqs      []uint64 // each signer's sequence
	sequenced bool     // ordered tx with one sequence per signer
}

func parseProposalTx(decode sdk.TxDecoder, bz []byte) (proposalTx, bool) {
	tx, err := decode(bz)
	if err != nil {
		return proposalTx{}, false
	}
	c := proposalTx{bz: bz}
	if g, ok := tx.(sdk.FeeTx); ok {
		c.gas = g.GetGas()
	}
	if u, ok := tx.(sdk.TxWithUnordered); ok && u.GetUnordered() {
		return c, true
	}
	sigTx, ok := tx.(authsigning.Tx)
	if !ok {
		return c, true
	}
	signers, err := sigTx.GetSigners()
	if err != nil {
		return c, true
	}
	sigs, err := sigTx.GetSignaturesV2()
	if err != nil || len(sigs) != len(signers) || len(signers) == 0 {
		return c, true
	}
	for i, s := range signers {
		c.signers = append(c.signers, string(s))
		c.seqs = append(c.seqs, sigs[i].Sequence)
	}
	c.sequenced = true
	return c, true
}

// orderBySequence sorts the txs of each single-signer account by sequence
// within the positions that account's txs already hold; every other tx
// keeps its place.
func orderBySequence(cands []proposalTx) {
	slots := map[string][]int{}
	var signers []string // first-seen order: deterministic iteration
	for i, c := range cands {
		if !c.sequenced || len(c.signers) != 1 {
			continue
		}
		s := c.signers[0]
		if _, seen := slots[s]; !seen {
			signers = append(signers, s)
		}
		slots[s] = append(slots[s], i)
	}
	for _, s := range signers {
		idx := slots[s]
		if len(idx) < 2 {
			continue
		}
		group := make([]proposalTx, len(idx))
		for k, i := range idx {
			group[k] = cands[i]
		}
		sort.SliceStable(group, func(a, b int) bool { return group[a].seqs[0] < group[b].seqs[0] })
		for k, i := range idx {
			cands[i] = group[k]
		}
	}
}

// nextInLine reports whether every signer's sequence in c is the one the
// block will expect at this point. A signer without an account cannot be
// judged here: the tx keeps its place and the block decides.
func nextInLine(ctx sdk.Context, ak sdkAccountReader, next map[string]uint64, c proposalTx) bool {
	for i, s := range c.signers {
		want, known := next[s]
		if !known {
			acc := ak.GetAccount(ctx, sdk.AccAddress(s))
			if acc == nil {
				return true
			}
			want = acc.GetSequence()
			next[s] = want
		}
		if c.seqs[i] != want {
			return false
		}
	}
	return true
}
