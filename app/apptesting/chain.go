package apptesting

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/trustedge/trustedge/app"
)

// BlockTime is the time between two test blocks.
const BlockTime = 5 * time.Second

// Chain drives one App through ABCI.
type Chain struct {
	TB      testing.TB
	App     *app.App
	DB      dbm.DB
	ChainID string
	Home    string
	// Time is the time of the last block (or genesis).
	Time time.Time
	// Genesis is set by Setup, SetupOnDisk and Start.
	Genesis *Genesis
	// Dir holds the pebble DB of an on-disk chain ("" in memory).
	Dir string

	initialHeight int64
}

// NewChain builds an App on db (memory when nil) without calling InitChain.
func NewChain(tb testing.TB, db dbm.DB, chainID string) *Chain {
	tb.Helper()
	if db == nil {
		db = NewMemDB()
	}
	home := tb.TempDir()
	return &Chain{TB: tb, App: NewApp(tb, db, chainID, home), DB: db, ChainID: chainID, Home: home}
}

// Setup builds the genesis for cfg and starts a chain from it on a memory
// DB. No block has run yet: the first NextBlock is height 1.
func Setup(tb testing.TB, cfg Config) *Chain {
	tb.Helper()
	return Start(tb, NewChain(tb, nil, cfg.ChainID), NewGenesis(tb, cfg))
}

// SetupOnDisk is Setup on a pebble DB in a temp dir.
func SetupOnDisk(tb testing.TB, cfg Config) *Chain {
	tb.Helper()
	return Start(tb, NewDiskChain(tb, cfg.ChainID), NewGenesis(tb, cfg))
}

// Start runs InitChain of c with g (edit g first for a custom genesis) and
// requires it to succeed.
func Start(tb testing.TB, c *Chain, g *Genesis) *Chain {
	tb.Helper()
	c.Genesis = g
	_, err := c.InitChain(g.InitChainRequest(tb))
	require.NoError(tb, err, "InitChain")
	return c
}

// NewDiskChain is NewChain on a pebble DB in a temp dir.
func NewDiskChain(tb testing.TB, chainID string) *Chain {
	tb.Helper()
	dir := tb.TempDir()
	c := NewChain(tb, NewDiskDB(tb, dir), chainID)
	c.Dir = dir
	return c
}

// Restart closes the app of an on-disk chain and builds a new one on the
// same DB and home, as a node restart does.
func (c *Chain) Restart() {
	c.TB.Helper()
	require.NotEmpty(c.TB, c.Dir, "Restart needs an on-disk chain")
	require.NoError(c.TB, c.App.Close())
	c.DB = NewDiskDB(c.TB, c.Dir)
	c.App = NewApp(c.TB, c.DB, c.ChainID, c.Home)
}

// InitChain sends req (its chain id and time default to the chain's).
func (c *Chain) InitChain(req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId == "" {
		req.ChainId = c.ChainID
	}
	if req.Time.IsZero() {
		req.Time = DefaultConfig().GenesisTime
	}
	c.Time = req.Time
	c.initialHeight = req.InitialHeight
	return c.App.InitChain(req)
}

// FromZeroHeightExport starts a new in-memory chain (same chain id, this
// chain's last block time as genesis time) from exp, an export of c for
// zero height, as `trustedged export --for-zero-height` and a new genesis
// would: the consensus params go through the genesis file's form
// (genutil's NewConsensusGenesis), which keeps only the block, evidence and
// validator params.
func (c *Chain) FromZeroHeightExport(exp servertypes.ExportedApp) *Chain {
	c.TB.Helper()
	cp := genutiltypes.NewConsensusGenesis(exp.ConsensusParams, exp.Validators).Params.ToProto()
	b := NewChain(c.TB, nil, c.ChainID)
	_, err := b.InitChain(&abci.RequestInitChain{
		ChainId: c.ChainID, Time: c.Time, ConsensusParams: &cp,
		Validators:    GenesisValidatorsToUpdates(exp.Validators),
		AppStateBytes: exp.AppState, InitialHeight: exp.Height,
	})
	require.NoError(c.TB, err)
	return b
}

// Height is the last committed height.
func (c *Chain) Height() int64 { return c.App.LastBlockHeight() }

// NextHeight is the height of the next block. After InitChain with an
// initial height H and no block yet, it is H.
func (c *Chain) NextHeight() int64 {
	if h := c.App.LastBlockHeight(); h > 0 {
		return h + 1
	}
	return max(c.initialHeight, 1)
}

// FinalizeBlock runs the next block with txs, without committing it.
func (c *Chain) FinalizeBlock(txs ...[]byte) (*abci.ResponseFinalizeBlock, error) {
	t := c.Time.Add(BlockTime)
	res, err := c.App.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height: c.NextHeight(), Time: t, Txs: txs,
	})
	if err == nil {
		c.Time = t
	}
	return res, err
}

// Commit commits the finalized block.
func (c *Chain) Commit() {
	c.TB.Helper()
	_, err := c.App.Commit()
	require.NoError(c.TB, err, "Commit")
}

// NextBlock runs FinalizeBlock+Commit with txs and returns the block result.
// It does not look at the tx results.
func (c *Chain) NextBlock(txs ...[]byte) *abci.ResponseFinalizeBlock {
	c.TB.Helper()
	res, err := c.FinalizeBlock(txs...)
	require.NoError(c.TB, err, "FinalizeBlock at height %d", c.NextHeight())
	c.Commit()
	require.Equal(c.TB, res.AppHash, c.App.LastCommitID().Hash, "FinalizeBlock's app hash is not the committed one")
	return res
}

// TxParams are the default tx params for this chain.
func (c *Chain) TxParams() TxParams { return DefaultTxParams(c.ChainID) }

// SignTx signs msgs by signer with its current AccNum and Seq; it does not
// advance Seq.
func (c *Chain) SignTx(signer *Account, msgs ...sdk.Msg) []byte {
	c.TB.Helper()
	bz, err := EncodeTx(c.App.TxConfig(), c.TxParams(), msgs, SignerOf(signer))
	require.NoError(c.TB, err)
	return bz
}

// DeliverTxs runs one block with a tx per signer (msgs[i] signed by
// signers[i]), requires every tx to succeed and advances the sequences.
func (c *Chain) DeliverTxs(signers []*Account, msgs [][]sdk.Msg) *abci.ResponseFinalizeBlock {
	c.TB.Helper()
	require.Len(c.TB, msgs, len(signers))
	txs := make([][]byte, len(signers))
	for i, s := range signers {
		txs[i] = c.SignTx(s, msgs[i]...)
		s.Seq++ // a later tx of the same signer in this block signs the next sequence
	}
	res := c.NextBlock(txs...)
	for i, r := range res.TxResults {
		require.Equalf(c.TB, uint32(0), r.Code, "tx %d at height %d failed: %s", i, c.Height(), r.Log)
	}
	return res
}

// DeliverTx runs one block with one tx of signer and requires it to succeed.
func (c *Chain) DeliverTx(signer *Account, msgs ...sdk.Msg) *abci.ResponseFinalizeBlock {
	c.TB.Helper()
	return c.DeliverTxs([]*Account{signer}, [][]sdk.Msg{msgs})
}

// CheckTx runs a new tx through CheckTx.
func (c *Chain) CheckTx(tx []byte) *abci.ResponseCheckTx {
	c.TB.Helper()
	res, err := c.App.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	require.NoError(c.TB, err)
	return res
}

// Context is a context on a branch of the last committed state: reads see
// the committed state, writes are dropped.
func (c *Chain) Context() sdk.Context {
	header := cmtproto.Header{ChainID: c.ChainID, Height: c.App.LastBlockHeight(), Time: c.Time}
	return sdk.NewContext(c.App.CommitMultiStore().CacheMultiStore(), header, false, c.App.Logger())
}

// Balance is addr's balance of denom in the committed state.
func (c *Chain) Balance(addr sdk.AccAddress, denom string) int64 {
	return c.App.BankKeeper.GetBalance(c.Context(), addr, denom).Amount.Int64()
}

// SyncAccount reloads acc's account number and sequence from the committed
// state (for accounts created on chain).
func (c *Chain) SyncAccount(acc *Account) {
	c.TB.Helper()
	a := c.App.AccountKeeper.GetAccount(c.Context(), acc.Address)
	require.NotNil(c.TB, a, "no account %s", acc)
	acc.AccNum, acc.Seq = a.GetAccountNumber(), a.GetSequence()
}
