package apptesting

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/trustedge/trustedge/app"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// Account is a secp256k1 account tests sign with. Seq is the sequence the
// next tx must carry; Chain.DeliverTx advances it.
type Account struct {
	PrivKey cryptotypes.PrivKey
	Address sdk.AccAddress
	AccNum  uint64
	Seq     uint64
}

// NewAccount derives an account key from secret (deterministic).
func NewAccount(secret string) *Account {
	pk := secp256k1.GenPrivKeyFromSecret([]byte(secret))
	return &Account{PrivKey: pk, Address: sdk.AccAddress(pk.PubKey().Address())}
}

// String returns the bech32 address.
func (a *Account) String() string { return a.Address.String() }

// Node is an edge node: its operator account and its ed25519 consensus key.
type Node struct {
	Operator *Account
	ConsKey  *ed25519.PrivKey
	Power    int64
	Moniker  string
}

// NewNode derives a node's keys from secret (deterministic).
func NewNode(secret string, power int64) *Node {
	return &Node{
		Operator: NewAccount(secret + "/operator"),
		ConsKey:  ed25519.GenPrivKeyFromSecret([]byte(secret + "/consensus")),
		Power:    power,
		Moniker:  secret,
	}
}

// ConsPubKeyAny packs the consensus key as the Any x/edge stores.
func (n *Node) ConsPubKeyAny() *codectypes.Any {
	a, err := codectypes.NewAnyWithValue(n.ConsKey.PubKey())
	if err != nil {
		panic(err)
	}
	return a
}

// ValidatorUpdate is the update CometBFT should see for the node at power.
func (n *Node) ValidatorUpdate(power int64) abci.ValidatorUpdate {
	pk, err := cryptocodec.ToCmtProtoPublicKey(n.ConsKey.PubKey())
	if err != nil {
		panic(err)
	}
	return abci.ValidatorUpdate{PubKey: pk, Power: power}
}

// EdgeNode is the genesis record of the node.
func (n *Node) EdgeNode() edgetypes.EdgeNode {
	return edgetypes.EdgeNode{
		Operator:        n.Operator.String(),
		ConsensusPubkey: n.ConsPubKeyAny(),
		Power:           n.Power,
		Moniker:         n.Moniker,
		Region:          "eu-west",
		Status:          edgetypes.NODE_STATUS_ACTIVE,
	}
}

// AddJailed lists n in gs as jailed, with its consensus key banned, as the
// chain leaves a node it caught double-signing (genesis Validate refuses a
// jailed node whose key is not banned).
func AddJailed(gs *edgetypes.GenesisState, n *Node) {
	rec := n.EdgeNode()
	rec.Status = edgetypes.NODE_STATUS_JAILED
	gs.Nodes = append(gs.Nodes, rec)
	gs.BannedConsensusAddresses = append(gs.BannedConsensusAddresses,
		strings.ToUpper(hex.EncodeToString(n.ConsKey.PubKey().Address())))
}

// Config describes a test genesis.
type Config struct {
	ChainID string
	// Seed makes the keys of two configs differ; same seed, same keys.
	Seed        string
	NumNodes    int
	NodePower   int64
	NumAccounts int
	// Balance funds the authority, every operator and every account.
	Balance    sdk.Coins
	EdgeParams edgetypes.Params
	// GenesisTime is the genesis and first-block reference time.
	GenesisTime time.Time
}

// DefaultConfig is 4 edge nodes of power 10, an authority and 3 funded
// accounts, everyone holding 1e12 uedge.
func DefaultConfig() Config {
	return Config{
		ChainID:     DefaultChainID,
		Seed:        "trustedge",
		NumNodes:    4,
		NodePower:   10,
		NumAccounts: 3,
		Balance:     sdk.NewCoins(sdk.NewCoin(app.FeeDenom, sdkmath.NewInt(1_000_000_000_000))),
		EdgeParams:  edgetypes.DefaultParams(),
		GenesisTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Genesis is a generated genesis and the keys behind it.
type Genesis struct {
	ChainID         string
	Time            time.Time
	AppState        map[string]json.RawMessage
	ConsensusParams *cmtproto.ConsensusParams
	Authority       *Account
	Nodes           []*Node
	Accounts        []*Account
}

// DefaultConsensusParams are CometBFT's defaults, as `trustedged init`
// writes them.
func DefaultConsensusParams() *cmtproto.ConsensusParams {
	cp := cmttypes.DefaultConsensusParams().ToProto()
	return &cp
}

// NewGenesis builds the app state for cfg: auth accounts (authority,
// operators, accounts, in that order of account number), their balances and
// the edge nodes; every other module gets its default genesis.
func NewGenesis(tb testing.TB, cfg Config) *Genesis {
	tb.Helper()
	g := &Genesis{
		ChainID:         cfg.ChainID,
		Time:            cfg.GenesisTime,
		ConsensusParams: DefaultConsensusParams(),
		Authority:       NewAccount(cfg.Seed + "/authority"),
	}
	for i := 0; i < cfg.NumNodes; i++ {
		g.Nodes = append(g.Nodes, NewNode(fmt.Sprintf("%s/node-%d", cfg.Seed, i), cfg.NodePower))
	}
	for i := 0; i < cfg.NumAccounts; i++ {
		g.Accounts = append(g.Accounts, NewAccount(fmt.Sprintf("%s/account-%d", cfg.Seed, i)))
	}

	a := templateApp()
	cdc := a.Codec()
	g.AppState = a.DefaultGenesis()

	var (
		genAccs  authtypes.GenesisAccounts
		balances []banktypes.Balance
	)
	for i, acc := range g.AllAccounts() {
		acc.AccNum = uint64(i)
		genAccs = append(genAccs, authtypes.NewBaseAccount(acc.Address, nil, acc.AccNum, 0))
		if !cfg.Balance.Empty() {
			balances = append(balances, banktypes.Balance{Address: acc.String(), Coins: cfg.Balance})
		}
	}
	authGen := authtypes.NewGenesisState(authtypes.DefaultParams(), genAccs)
	g.AppState[authtypes.ModuleName] = cdc.MustMarshalJSON(authGen)

	bankGen := banktypes.DefaultGenesisState()
	bankGen.Balances = banktypes.SanitizeGenesisBalances(balances)
	g.AppState[banktypes.ModuleName] = cdc.MustMarshalJSON(bankGen)

	edgeGen := &edgetypes.GenesisState{Authority: g.Authority.String(), Params: cfg.EdgeParams}
	for _, n := range g.Nodes {
		edgeGen.Nodes = append(edgeGen.Nodes, n.EdgeNode())
	}
	g.SetEdgeGenesis(tb, edgeGen)

	// The ante handler admits only the authority, operators and holders of a
	// live grant: test accounts are device owners, allowed to register
	// devices and to create streams and record readings on them.
	accessGen := accesstypes.DefaultGenesis()
	for _, acc := range g.Accounts {
		for _, grant := range []struct {
			resource string
			actions  []string
		}{
			{"device/*", []string{accesstypes.ActionRegister}},
			{"stream/*", []string{accesstypes.ActionCreate, accesstypes.ActionWrite}},
		} {
			accessGen.Grants = append(accessGen.Grants, accesstypes.Grant{
				Id: accessGen.NextGrantId, Subject: accesstypes.AccountSubject(acc.String()),
				Resource: grant.resource, Actions: grant.actions, Granter: g.Authority.String(),
			})
			accessGen.NextGrantId++
		}
	}
	g.AppState[accesstypes.ModuleName] = cdc.MustMarshalJSON(accessGen)
	g.ConsensusParams.Authority = &cmtproto.AuthorityParams{Authority: g.Authority.String()}
	return g
}

var (
	templateOnce sync.Once
	template     *app.App
)

// templateApp is an app never started: it provides the codec with every
// module's types registered and the default genesis.
func templateApp() *app.App {
	templateOnce.Do(func() {
		template = app.New(log.NewNopLogger(), dbm.NewMemDB(), false, NewAppOptions(os.TempDir()))
	})
	return template
}

// AllAccounts lists the authority, the operators and the accounts.
func (g *Genesis) AllAccounts() []*Account {
	all := []*Account{g.Authority}
	for _, n := range g.Nodes {
		all = append(all, n.Operator)
	}
	return append(all, g.Accounts...)
}

// EdgeGenesis decodes the x/edge genesis.
func (g *Genesis) EdgeGenesis(tb testing.TB) *edgetypes.GenesisState {
	tb.Helper()
	var gs edgetypes.GenesisState
	require.NoError(tb, templateApp().Codec().UnmarshalJSON(g.AppState[edgetypes.ModuleName], &gs))
	return &gs
}

// SetEdgeGenesis replaces the x/edge genesis.
func (g *Genesis) SetEdgeGenesis(tb testing.TB, gs *edgetypes.GenesisState) {
	tb.Helper()
	bz, err := templateApp().Codec().MarshalJSON(gs)
	require.NoError(tb, err)
	g.AppState[edgetypes.ModuleName] = bz
}

// AppStateBytes is the app_state of genesis.json.
func (g *Genesis) AppStateBytes(tb testing.TB) []byte {
	tb.Helper()
	bz, err := json.MarshalIndent(g.AppState, "", "  ")
	require.NoError(tb, err)
	return bz
}

// ValidatorUpdates is the validator set InitChain should return: every
// bonded genesis node, sorted as CometBFT sorts updates.
func (g *Genesis) ValidatorUpdates() []abci.ValidatorUpdate {
	var vals []abci.ValidatorUpdate
	for _, n := range g.Nodes {
		if n.Power > 0 {
			vals = append(vals, n.ValidatorUpdate(n.Power))
		}
	}
	return SortValidatorUpdates(vals)
}

// InitChainRequest is the RequestInitChain CometBFT sends for this genesis,
// with the genesis validators listed (as a genesis.json with validators does).
func (g *Genesis) InitChainRequest(tb testing.TB) *abci.RequestInitChain {
	tb.Helper()
	return &abci.RequestInitChain{
		Time:            g.Time,
		ChainId:         g.ChainID,
		ConsensusParams: g.ConsensusParams,
		Validators:      g.ValidatorUpdates(),
		AppStateBytes:   g.AppStateBytes(tb),
		InitialHeight:   1,
	}
}

// SortValidatorUpdates sorts a copy of vals the way baseapp compares them.
func SortValidatorUpdates(vals []abci.ValidatorUpdate) []abci.ValidatorUpdate {
	out := append([]abci.ValidatorUpdate(nil), vals...)
	sort.Sort(abci.ValidatorUpdates(out))
	return out
}

// GenesisValidatorsToUpdates converts exported genesis validators into the
// updates CometBFT passes to InitChain.
func GenesisValidatorsToUpdates(vals []cmttypes.GenesisValidator) []abci.ValidatorUpdate {
	out := make([]abci.ValidatorUpdate, 0, len(vals))
	for _, v := range vals {
		out = append(out, cmttypes.TM2PB.NewValidatorUpdate(v.PubKey, v.Power))
	}
	return out
}
