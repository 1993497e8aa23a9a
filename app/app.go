// Package app wires the TrustEdge application by hand: auth, bank,
// consensus, upgrade and the TrustEdge modules. No staking, gov, mint or
// distribution: validator power comes from the consortium authority (x/edge).
package app

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
	reflectionv1 "cosmossdk.io/api/cosmos/reflection/v1"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	runtimeservices "github.com/cosmos/cosmos-sdk/runtime/services"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/server/api"
	"github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/version"
	"github.com/cosmos/cosmos-sdk/x/auth"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/consensus"
	consensuskeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	"github.com/cosmos/cosmos-sdk/x/upgrade"
	upgradekeeper "github.com/cosmos/cosmos-sdk/x/upgrade/keeper"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/trustedge/trustedge/x/access"
	accesskeeper "github.com/trustedge/trustedge/x/access/keeper"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	"github.com/trustedge/trustedge/x/device"
	devicekeeper "github.com/trustedge/trustedge/x/device/keeper"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	"github.com/trustedge/trustedge/x/edge"
	edgekeeper "github.com/trustedge/trustedge/x/edge/keeper"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	"github.com/trustedge/trustedge/x/stream"
	streamkeeper "github.com/trustedge/trustedge/x/stream/keeper"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// maccPerms are the module accounts. Only the fee collector: nothing mints.
var maccPerms = map[string][]string{
	authtypes.FeeCollectorName: nil,
}

// App is the TrustEdge ABCI application.
type App struct {
	*baseapp.BaseApp

	cdc               codec.Codec
	amino             *codec.LegacyAmino
	txConfig          client.TxConfig
	interfaceRegistry codectypes.InterfaceRegistry
	keys              map[string]*storetypes.KVStoreKey

	AccountKeeper   authkeeper.AccountKeeper
	BankKeeper      bankkeeper.BaseKeeper
	ConsensusKeeper consensuskeeper.Keeper
	UpgradeKeeper   *upgradekeeper.Keeper
	EdgeKeeper      edgekeeper.Keeper
	AccessKeeper    accesskeeper.Keeper
	DeviceKeeper    devicekeeper.Keeper
	StreamKeeper    streamkeeper.Keeper

	ModuleManager      *module.Manager
	BasicModuleManager module.BasicManager
	configurator       module.Configurator

	// committedHeight is the last committed height, kept by Commit for
	// readers beside the node (node/chainview): LastBlockHeight re-hashes
	// the store commit info on every call (tens of µs), too slow for a
	// gateway that asks on every request.
	committedHeight atomic.Int64

	// startBlock is the block the node started on (set once at load, read
	// by CheckHeightDecorator until the first Commit).
	startBlock CommittedBlock

	// sigCache remembers the txs whose signatures CheckTx verified, so the
	// block pass does not verify them again (see CachedSigVerificationDecorator).
	sigCache *VerifiedSigCache

	closeOnce sync.Once
	closeErr  error
}

var _ servertypes.Application = (*App)(nil)

// New builds the app on db. appOpts carries the node's config (home, upgrades).
func New(
	logger log.Logger, db dbm.DB, loadLatest bool,
	appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp),
) *App {
	SetAddressPrefixes()
	enc := MakeEncodingConfig()

	bApp := baseapp.NewBaseApp(AppName, logger, db, enc.TxConfig.TxDecoder(), baseAppOptions...)
	bApp.SetVersion(version.Version)
	bApp.SetInterfaceRegistry(enc.InterfaceRegistry)
	bApp.SetTxEncoder(enc.TxConfig.TxEncoder())

	keys := storetypes.NewKVStoreKeys(
		authtypes.StoreKey, banktypes.StoreKey, consensustypes.StoreKey,
		upgradetypes.StoreKey, edgetypes.StoreKey, accesstypes.StoreKey, devicetypes.StoreKey,
		streamtypes.StoreKey,
	)

	app := &App{
		BaseApp:           bApp,
		cdc:               enc.Codec,
		amino:             enc.Amino,
		txConfig:          enc.TxConfig,
		interfaceRegistry: enc.InterfaceRegistry,
		keys:              keys,
	}

	// The SDK modules' own authority is the x/edge module address: their
	// params and upgrades belong to the consortium, not to a token vote.
	moduleAuthority := authtypes.NewModuleAddress(edgetypes.ModuleName).String()
	accCodec := accAddressCodec

	app.ConsensusKeeper = consensuskeeper.NewKeeper(app.cdc,
		runtime.NewKVStoreService(keys[consensustypes.StoreKey]), moduleAuthority, runtime.EventService{})
	bApp.SetParamStore(app.ConsensusKeeper.ParamsStore)

	app.AccountKeeper = authkeeper.NewAccountKeeper(app.cdc,
		runtime.NewKVStoreService(keys[authtypes.StoreKey]), authtypes.ProtoBaseAccount,
		maccPerms, accCodec, Bech32Prefix, moduleAuthority)

	app.BankKeeper = bankkeeper.NewBaseKeeper(app.cdc,
		runtime.NewKVStoreService(keys[banktypes.StoreKey]), app.AccountKeeper,
		blockedAddrs(), moduleAuthority, logger)

	app.UpgradeKeeper = upgradekeeper.NewKeeper(skipUpgradeHeights(appOpts),
		runtime.NewKVStoreService(keys[upgradetypes.StoreKey]), app.cdc, homePath(appOpts),
		app.BaseApp, moduleAuthority)

	app.EdgeKeeper = edgekeeper.NewKeeper(app.cdc, runtime.NewKVStoreService(keys[edgetypes.StoreKey]), accCodec,
		edgekeeper.WithConsensusParamsStore(app.ConsensusKeeper.ParamsStore))
	app.AccessKeeper = accesskeeper.NewKeeper(app.cdc, runtime.NewKVStoreService(keys[accesstypes.StoreKey]), accCodec,
		app.EdgeKeeper)
	app.DeviceKeeper = devicekeeper.NewKeeper(app.cdc, runtime.NewKVStoreService(keys[devicetypes.StoreKey]), accCodec,
		app.AccessKeeper, app.EdgeKeeper)
	app.StreamKeeper = streamkeeper.NewKeeper(app.cdc, runtime.NewKVStoreService(keys[streamtypes.StoreKey]), accCodec,
		app.DeviceKeeper, app.AccessKeeper, app.EdgeKeeper)

	app.ModuleManager = module.NewManager(
		auth.NewAppModule(app.cdc, app.AccountKeeper, nil),
		bank.NewAppModule(app.cdc, app.BankKeeper, app.AccountKeeper),
		consensus.NewAppModule(app.cdc, app.ConsensusKeeper),
		upgrade.NewAppModule(app.UpgradeKeeper, accCodec),
		edge.NewAppModule(app.cdc, app.EdgeKeeper),
		access.NewAppModule(app.cdc, app.AccessKeeper),
		device.NewAppModule(app.cdc, app.DeviceKeeper),
		stream.NewAppModule(app.cdc, app.StreamKeeper),
	)
	app.BasicModuleManager = module.NewBasicManagerFromManager(app.ModuleManager, nil)
	app.BasicModuleManager.RegisterLegacyAminoCodec(app.amino)
	app.BasicModuleManager.RegisterInterfaces(app.interfaceRegistry)

	app.ModuleManager.SetOrderPreBlockers(preBlockers...)
	app.ModuleManager.SetOrderBeginBlockers(beginBlockers...)
	app.ModuleManager.SetOrderEndBlockers(endBlockers...)
	app.ModuleManager.SetOrderInitGenesis(initGenesis...)
	app.ModuleManager.SetOrderExportGenesis(exportGenesis...)

	// Before RegisterServices: the router wraps handlers as it registers them.
	held, err := sdkAuthorityMsgs(app.interfaceRegistry)
	if err != nil {
		panic(err)
	}
	app.SetCircuitBreaker(authorityCircuit{edge: app.EdgeKeeper, held: held})
	app.configurator = module.NewConfigurator(app.cdc, app.MsgServiceRouter(), app.GRPCQueryRouter())
	if err := app.ModuleManager.RegisterServices(app.configurator); err != nil {
		panic(err)
	}
	app.registerUpgradeHandlers()
	if err := registerReflection(app); err != nil {
		panic(err)
	}

	app.MountKVStores(keys)

	app.SetInitChainer(app.InitChainer)
	app.SetPreBlocker(app.PreBlocker)
	app.SetBeginBlocker(app.BeginBlocker)
	app.SetEndBlocker(app.EndBlocker)

	app.sigCache = NewVerifiedSigCache(DefaultVerifiedSigCacheSize)
	anteHandler, err := NewAnteHandler(ante.HandlerOptions{
		AccountKeeper:   app.AccountKeeper,
		BankKeeper:      app.BankKeeper,
		SignModeHandler: app.txConfig.SignModeHandler(),
		SigGasConsumer:  ante.DefaultSigVerificationGasConsumer,
	}, NewPermissionedSenderDecorator(app.EdgeKeeper, app.AccessKeeper, app.DeviceKeeper, accCodec), app.sigCache,
		func() CommittedBlock { return app.startBlock })
	if err != nil {
		panic(err)
	}
	app.SetAnteHandler(anteHandler)
	app.SetPrepareProposal(SequenceOrderedProposals(app.txConfig.TxDecoder(), app.AccountKeeper))

	if loadLatest {
		if err := app.LoadLatestVersion(); err != nil {
			panic(fmt.Errorf("loading latest version: %w", err))
		}
		app.committedHeight.Store(app.BaseApp.LastBlockHeight())
		app.startBlock = committedBlock(app.CommitMultiStore())
	}
	return app
}

// registerReflection serves the autocli and reflection queries clients use
// to discover the app's services.
func registerReflection(app *App) error {
	autocliv1.RegisterQueryServer(app.GRPCQueryRouter(), runtimeservices.NewAutoCLIQueryService(app.ModuleManager.Modules))
	reflectionSvc, err := runtimeservices.NewReflectionService()
	if err != nil {
		return err
	}
	reflectionv1.RegisterReflectionServiceServer(app.GRPCQueryRouter(), reflectionSvc)
	return nil
}

// blockedAddrs are the module accounts that may not receive funds.
func blockedAddrs() map[string]bool {
	blocked := make(map[string]bool, len(maccPerms))
	for name := range maccPerms {
		blocked[authtypes.NewModuleAddress(name).String()] = true
	}
	return blocked
}

// InitChainer applies the genesis state.
func (app *App) InitChainer(ctx sdk.Context, req *abci.RequestInitChain) (res *abci.ResponseInitChain, err error) {
	// Module InitGenesis methods without an error return (x/edge, auth,
	// bank) report a bad genesis by panicking. Nothing recovers that on the
	// InitChain path, so the node would die with a goroutine dump; return it
	// as InitChain's error instead, which CometBFT prints and stops on.
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				res, err = nil, fmt.Errorf("init genesis: %w", e)
			} else {
				res, err = nil, fmt.Errorf("init genesis: %v", r)
			}
		}
	}()
	var state map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &state); err != nil {
		return nil, fmt.Errorf("decoding app state: %w", err)
	}
	if err := app.UpgradeKeeper.SetModuleVersionMap(ctx, app.ModuleManager.GetVersionMap()); err != nil {
		return nil, err
	}
	return app.ModuleManager.InitGenesis(ctx, app.cdc, state)
}

// PreBlocker runs the upgrade check.
func (app *App) PreBlocker(ctx sdk.Context, _ *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	return app.ModuleManager.PreBlock(ctx)
}

// BeginBlocker runs the modules' begin-block logic.
func (app *App) BeginBlocker(ctx sdk.Context) (sdk.BeginBlock, error) {
	return app.ModuleManager.BeginBlock(ctx)
}

// EndBlocker runs the modules' end-block logic and returns validator updates.
func (app *App) EndBlocker(ctx sdk.Context) (sdk.EndBlock, error) {
	return app.ModuleManager.EndBlock(ctx)
}

// Close releases the app's databases once. The server closes the app when
// CometBFT stops and again in its own cleanup; pebble panics on a second
// close, so the second call returns the first result.
func (app *App) Close() error {
	app.closeOnce.Do(func() { app.closeErr = app.BaseApp.Close() })
	return app.closeErr
}

// Commit commits the block as BaseApp does, then publishes its height for
// CommittedHeight.
func (app *App) Commit() (*abci.ResponseCommit, error) {
	res, err := app.BaseApp.Commit()
	if err == nil {
		app.committedHeight.Store(app.BaseApp.LastBlockHeight())
		app.startBlock = committedBlock(app.CommitMultiStore())
	}
	return res, err
}

// CommittedHeight is the last committed height, safe to call from any
// goroutine and cheap (one atomic load). It may trail the store by one
// block for the instant between the store's commit and Commit returning,
// and after a state-sync restore until the next block commits.
func (app *App) CommittedHeight() int64 {
	if h := app.committedHeight.Load(); h > 0 {
		return h
	}
	return app.BaseApp.LastBlockHeight()
}

// LoadHeight loads the state at a height (for export).
func (app *App) LoadHeight(height int64) error {
	if err := app.LoadVersion(height); err != nil {
		return err
	}
	app.committedHeight.Store(app.BaseApp.LastBlockHeight())
	return nil
}

// Codec returns the app codec.
func (app *App) Codec() codec.Codec { return app.cdc }

// AppCodec is Codec under the name SDK helpers (keyring, client) expect.
func (app *App) AppCodec() codec.Codec { return app.cdc }

// TxConfig returns the tx config.
func (app *App) TxConfig() client.TxConfig { return app.txConfig }

// InterfaceRegistry returns the interface registry.
func (app *App) InterfaceRegistry() codectypes.InterfaceRegistry { return app.interfaceRegistry }

// DefaultGenesis returns every module's default genesis.
func (app *App) DefaultGenesis() map[string]json.RawMessage {
	return app.BasicModuleManager.DefaultGenesis(app.cdc)
}

// GetKey returns a store key by name (tests and export).
func (app *App) GetKey(name string) *storetypes.KVStoreKey { return app.keys[name] }

// RegisterAPIRoutes serves the REST gateway.
func (app *App) RegisterAPIRoutes(apiSvr *api.Server, _ config.APIConfig) {
	clientCtx := apiSvr.ClientCtx
	authtx.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	cmtservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	nodeservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	app.BasicModuleManager.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
}

// RegisterTxService serves tx simulation and broadcast over gRPC.
func (app *App) RegisterTxService(clientCtx client.Context) {
	authtx.RegisterTxService(app.GRPCQueryRouter(), clientCtx, app.Simulate, app.interfaceRegistry)
}

// RegisterTendermintService serves the CometBFT queries over gRPC.
func (app *App) RegisterTendermintService(clientCtx client.Context) {
	cmtApp := server.NewCometABCIWrapper(app)
	cmtservice.RegisterTendermintService(clientCtx, app.GRPCQueryRouter(), app.interfaceRegistry, cmtApp.Query)
}

// RegisterNodeService serves the node status/config queries.
func (app *App) RegisterNodeService(clientCtx client.Context, cfg config.Config) {
	nodeservice.RegisterNodeService(clientCtx, app.GRPCQueryRouter(), cfg, func() int64 {
		return app.CommitMultiStore().EarliestVersion()
	})
}

// StartBlock is the height and time of the block the node started on (zero
// for a chain started from genesis in this process).
func (app *App) StartBlock() CommittedBlock { return app.startBlock }

// VerifiedSigCacheStats reports how many in-block signature checks were
// answered by what this node's CheckTx had verified (hits) and how many ran
// the verification (misses).
func (app *App) VerifiedSigCacheStats() (hits, misses uint64) { return app.sigCache.Stats() }
