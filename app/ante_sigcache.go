package app

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"sync/atomic"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// DefaultVerifiedSigCacheSize is how many verified txs a node remembers
// (per generation; at most twice that are held): more than a full mempool.
const DefaultVerifiedSigCacheSize = 50_000

// CachedSigVerificationDecorator is the SDK's SigVerificationDecorator with
// one saving: a tx whose signatures this node already verified in CheckTx is
// not verified a second time when it arrives in a block. Signature checks
// were the largest single cost of a bank send on a validator (2 × ~170 µs
// of secp256k1 per tx), and the block pass repeats what CheckTx proved.
//
// Why skipping is exact: verification is a pure function of the public
// key, the sign bytes and the signature. The cache key is a hash of the
// chain id, the raw tx bytes (body, auth info with sequences and sign
// modes, and the signatures) and each signer's account number and public
// key as the decorator reads them, which together determine all three. A
// hit therefore means this node saw the very same verification succeed; a
// changed byte anywhere is a miss and is verified as usual. Everything else
// the decorator does (signer count, sequence check, pubkey presence) still
// runs. The key's account reads use an infinite gas meter, and verification
// itself consumes no gas, so gas used is identical whether or not the cache
// hits: nodes that never saw the tx in their mempool verify it and reach
// the same result and the same gas.
type CachedSigVerificationDecorator struct {
	verify ante.SigVerificationDecorator
	ak     ante.AccountKeeper
	cache  *VerifiedSigCache
}

// NewCachedSigVerificationDecorator wraps verify with cache.
func NewCachedSigVerificationDecorator(verify ante.SigVerificationDecorator, ak ante.AccountKeeper, cache *VerifiedSigCache) CachedSigVerificationDecorator {
	return CachedSigVerificationDecorator{verify: verify, ak: ak, cache: cache}
}

// AnteHandle implements sdk.AnteDecorator.
func (d CachedSigVerificationDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if simulate || ctx.IsReCheckTx() || !ctx.IsSigverifyTx() {
		// Nothing is verified in these modes; nothing to remember or skip.
		return d.verify.AnteHandle(ctx, tx, simulate, next)
	}
	if !pureSignModes(tx) {
		return d.verify.AnteHandle(ctx, tx, simulate, next)
	}
	key, ok := sigCacheKey(ctx, d.ak, tx)
	if !ok {
		return d.verify.AnteHandle(ctx, tx, simulate, next)
	}
	if ctx.IsCheckTx() {
		// next runs only after every signature verified.
		remember := func(c sdk.Context, tx sdk.Tx, sim bool) (sdk.Context, error) {
			d.cache.add(key)
			return next(c, tx, sim)
		}
		return d.verify.AnteHandle(ctx, tx, simulate, remember)
	}
	if !d.cache.hit(key, ctx.ExecMode() == sdk.ExecModeFinalize) {
		return d.verify.AnteHandle(ctx, tx, simulate, next)
	}
	restore := func(c sdk.Context, tx sdk.Tx, sim bool) (sdk.Context, error) {
		return next(c.WithIsSigverifyTx(true), tx, sim)
	}
	return d.verify.AnteHandle(ctx.WithIsSigverifyTx(false), tx, simulate, restore)
}

// sigCacheKey hashes what signature verification of tx depends on. ok is
// false when it cannot be formed (no tx bytes, a signer without account or
// public key yet): the caller then just verifies.
func sigCacheKey(ctx sdk.Context, ak ante.AccountKeeper, tx sdk.Tx) (key [32]byte, ok bool) {
	txBytes := ctx.TxBytes()
	sigTx, isSigTx := tx.(authsigning.SigVerifiableTx)
	// At height 0 (gentxs) the SDK signs with account number 0, not the
	// one hashed below; nothing there went through CheckTx anyway.
	if len(txBytes) == 0 || !isSigTx || ctx.BlockHeight() == 0 {
		return key, false
	}
	signers, err := sigTx.GetSigners()
	if err != nil || len(signers) == 0 {
		return key, false
	}
	free := ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	h := sha256.New()
	var n [8]byte
	writeField := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	writeField([]byte(ctx.ChainID()))
	writeField(txBytes)
	for _, signer := range signers {
		acc := ak.GetAccount(free, signer)
		if acc == nil || acc.GetPubKey() == nil {
			return key, false
		}
		binary.BigEndian.PutUint64(n[:], acc.GetAccountNumber())
		h.Write(n[:])
		writeField([]byte(acc.GetPubKey().Type()))
		writeField(acc.GetPubKey().Bytes())
	}
	copy(key[:], h.Sum(nil))
	return key, true
}

// pureSignModes reports whether every signature of tx (recursively, for
// multisig) uses a sign mode whose verification reads no state and uses no
// gas: DIRECT, DIRECT_AUX, LEGACY_AMINO_JSON. Any other mode is always
// verified: EIP-191, or a mode a later SDK adds whose verification might
// read state (SIGN_MODE_TEXTUAL, which earlier SDKs had, rendered
// denominations from bank metadata through the tx context).
func pureSignModes(tx sdk.Tx) bool {
	sigTx, ok := tx.(authsigning.Tx)
	if !ok {
		return false
	}
	sigs, err := sigTx.GetSignaturesV2()
	if err != nil || len(sigs) == 0 {
		return false
	}
	for _, sig := range sigs {
		if !pureSignData(sig.Data) {
			return false
		}
	}
	return true
}

func pureSignData(d signingtypes.SignatureData) bool {
	switch d := d.(type) {
	case *signingtypes.SingleSignatureData:
		switch d.SignMode {
		case signingtypes.SignMode_SIGN_MODE_DIRECT, signingtypes.SignMode_SIGN_MODE_DIRECT_AUX,
			signingtypes.SignMode_SIGN_MODE_LEGACY_AMINO_JSON:
			return true
		}
		return false
	case *signingtypes.MultiSignatureData:
		for _, s := range d.Signatures {
			if !pureSignData(s) {
				return false
			}
		}
		return len(d.Signatures) > 0
	}
	return false
}

// VerifiedSigCache is a bounded set of keys in two generations: when the
// current one is full it becomes the previous one and the old previous is
// dropped, so memory stays under 2 × size keys without per-entry
// bookkeeping. CheckTx and FinalizeBlock may run concurrently: a mutex.
type VerifiedSigCache struct {
	mu           sync.Mutex
	size         int
	cur, prev    map[[32]byte]struct{}
	hits, misses atomic.Uint64
}

// NewVerifiedSigCache holds up to 2 × size verified txs.
func NewVerifiedSigCache(size int) *VerifiedSigCache {
	if size < 1 {
		size = 1
	}
	return &VerifiedSigCache{size: size, cur: make(map[[32]byte]struct{}, size)}
}

// Stats reports how many block-time verifications the cache answered
// (hits) and how many it could not (misses: the tx never passed this
// node's CheckTx, or has aged out).
func (s *VerifiedSigCache) Stats() (hits, misses uint64) {
	return s.hits.Load(), s.misses.Load()
}

func (s *VerifiedSigCache) add(key [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cur) >= s.size {
		s.prev, s.cur = s.cur, make(map[[32]byte]struct{}, s.size)
	}
	s.cur[key] = struct{}{}
}

// hit reports whether key is held, and counts the answer when count (in
// blocks; proposal handlers may ask too when a mempool is configured).
func (s *VerifiedSigCache) hit(key [32]byte, count bool) bool {
	s.mu.Lock()
	_, ok := s.cur[key]
	if !ok {
		_, ok = s.prev[key]
	}
	s.mu.Unlock()
	switch {
	case !count:
	case ok:
		s.hits.Add(1)
	default:
		s.misses.Add(1)
	}
	return ok
}
