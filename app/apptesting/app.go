// Package apptesting builds TrustEdge apps for tests and drives them through
// ABCI the way CometBFT does: InitChain, then FinalizeBlock+Commit per block,
// with real signed txs. It is shared by the app-level tests and by module
// tests that want a full app rather than a keeper fixture.
package apptesting

import (
	"path/filepath"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/trustedge/trustedge/app"
	"github.com/trustedge/trustedge/node/appdb"
)

// DefaultChainID is the chain id test chains use unless told otherwise.
const DefaultChainID = "trustedge-test-1"

// AppOptions is a map-backed servertypes.AppOptions.
type AppOptions map[string]any

// Get implements servertypes.AppOptions.
func (o AppOptions) Get(key string) any { return o[key] }

// NewAppOptions returns options with the node home set, which x/upgrade
// needs (it writes upgrade-info.json under it).
func NewAppOptions(home string) AppOptions {
	return AppOptions{flags.FlagHome: home}
}

// NewMemDB returns an in-memory database.
func NewMemDB() dbm.DB { return dbm.NewMemDB() }

// NewDiskDB opens the pebble database under dir as trustedged does
// (node/appdb) and closes it when the test ends, unless the app closed it first.
func NewDiskDB(tb testing.TB, dir string) dbm.DB {
	tb.Helper()
	db, err := appdb.Open(appdb.Name, filepath.Join(dir, "data"))
	require.NoError(tb, err)
	tb.Cleanup(func() {
		// BaseApp.Close closes the DB too, and pebble panics on a second close.
		defer func() { _ = recover() }()
		_ = db.Close()
	})
	return db
}

// NewApp builds an App on db for chainID with its home in home, loading the
// latest committed version. Logs are discarded.
func NewApp(tb testing.TB, db dbm.DB, chainID, home string, baseAppOptions ...func(*baseapp.BaseApp)) *app.App {
	tb.Helper()
	opts := append([]func(*baseapp.BaseApp){baseapp.SetChainID(chainID)}, baseAppOptions...)
	return app.New(log.NewNopLogger(), db, true, NewAppOptions(home), opts...)
}
