package app

import (
	"os"
	"path/filepath"
	"sync"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

const (
	// AppName is the ABCI application name.
	AppName = "trustedge"
	// Bech32Prefix is the account address prefix: edge1…
	Bech32Prefix = "edge"
	// FeeDenom is the fee token. There is no staking token: power is assigned
	// by the consortium authority (x/edge), not bonded.
	FeeDenom = "uedge"
)

// DefaultNodeHome is where `trustedged` keeps config and data by default.
var DefaultNodeHome = func() string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, ".trustedge")
}()

var configOnce sync.Once

// SetAddressPrefixes sets the SDK's global bech32 prefixes. Parts of the SDK
// (AccAddress.String, keyring output) still read the global config, so this
// runs before anything formats an address.
func SetAddressPrefixes() {
	configOnce.Do(func() {
		cfg := sdk.GetConfig()
		cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+"pub")
		cfg.SetBech32PrefixForValidator(Bech32Prefix+"valoper", Bech32Prefix+"valoperpub")
		cfg.SetBech32PrefixForConsensusNode(Bech32Prefix+"valcons", Bech32Prefix+"valconspub")
		cfg.Seal()
	})
}
