package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/trustedge/trustedge/app"
)

// benchKeyPrefix seeds the deterministic bench keys: key i is the secp256k1
// scalar sha256(benchKeyPrefix + decimal(i)).
const benchKeyPrefix = "trustedge-bench/"

// account is one signer the load generator drives. Its account number and
// sequence are tracked locally; only the worker that owns it touches seq.
type account struct {
	name    string
	priv    cryptotypes.PrivKey
	pub     cryptotypes.PubKey
	addr    sdk.AccAddress
	addrStr string
	accNum  uint64
	seq     uint64
	node    int      // index of the RPC endpoint this account broadcasts to
	to      *account // recipient of its bank sends

	// stream is the account's own stream in -msg reading mode; its reading
	// i is sent at account sequence readingBase+i-1, so both advance together.
	stream      string
	readingBase uint64

	// presigned holds txs signed ahead of the load at sequences
	// presignedSeq, presignedSeq+1, …, so the measurement window is not
	// spent in the client's secp256k1 signing.
	presigned    [][]byte
	presignedSeq uint64
}

// nextPresigned returns the presigned tx for acc.seq, if there is one.
func (a *account) nextPresigned() []byte {
	for len(a.presigned) > 0 && a.presignedSeq < a.seq {
		a.presigned = a.presigned[1:]
		a.presignedSeq++
	}
	if len(a.presigned) == 0 || a.presignedSeq != a.seq {
		a.presigned = nil
		return nil
	}
	return a.presigned[0]
}

// Addresses are formatted with the global bech32 config: set the edge prefixes
// before any account exists.
func init() { app.SetAddressPrefixes() }

func newAccount(name string, priv cryptotypes.PrivKey) *account {
	pub := priv.PubKey()
	addr := sdk.AccAddress(pub.Address())
	return &account{name: name, priv: priv, pub: pub, addr: addr, addrStr: addr.String()}
}

// benchPrivKey returns bench key i. A sha256 digest is a valid secp256k1
// scalar except with negligible probability (>= n or 0); re-hash if so.
func benchPrivKey(i int) *secp256k1.PrivKey {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s%d", benchKeyPrefix, i)))
	for !validScalar(h[:]) {
		h = sha256.Sum256(h[:])
	}
	return &secp256k1.PrivKey{Key: h[:]}
}

// secp256k1 group order n.
var secpN = [32]byte{
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
	0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
}

func validScalar(b []byte) bool {
	zero := true
	for _, c := range b {
		if c != 0 {
			zero = false
			break
		}
	}
	if zero {
		return false
	}
	for i := range b {
		if b[i] != secpN[i] {
			return b[i] < secpN[i]
		}
	}
	return false // == n
}

// benchAccounts derives the first n bench accounts.
func benchAccounts(n int) []*account {
	accs := make([]*account, n)
	for i := range accs {
		accs[i] = newAccount(fmt.Sprintf("bench%d", i), benchPrivKey(i))
	}
	return accs
}

// genesisAccount is one entry of the JSON `genesis bulk-add-genesis-account`
// reads (cosmos-sdk x/genutil GenesisAccount: address + coins).
type genesisAccount struct {
	Address string    `json:"address"`
	Coins   sdk.Coins `json:"coins"`
}

// writeBulkAccounts prints the bulk-add-genesis-account JSON for n bench
// accounts, each funded with coins.
func writeBulkAccounts(w io.Writer, n int, coins sdk.Coins) error {
	out := make([]genesisAccount, n)
	for i, a := range benchAccounts(n) {
		out[i] = genesisAccount{Address: a.addrStr, Coins: coins}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// loadKeyringKey reads key `name` from the test keyring of a node home and
// returns it as a signer. The test backend stores keys unencrypted, so the
// local record carries the private key.
func loadKeyringKey(cdc codec.Codec, home, name string) (*account, error) {
	if _, err := os.Stat(filepath.Join(home, "keyring-test")); err != nil {
		return nil, fmt.Errorf("no test keyring in %s: %w", home, err)
	}
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, bufio.NewReader(os.Stdin), cdc)
	if err != nil {
		return nil, err
	}
	rec, err := kr.Key(name)
	if err != nil {
		return nil, fmt.Errorf("key %q in %s: %w", name, home, err)
	}
	local := rec.GetLocal()
	if local == nil || local.PrivKey == nil {
		return nil, fmt.Errorf("key %q in %s is not a local key", name, home)
	}
	priv, ok := local.PrivKey.GetCachedValue().(cryptotypes.PrivKey)
	if !ok {
		return nil, fmt.Errorf("key %q in %s: private key not decodable", name, home)
	}
	acc := newAccount(name, priv)
	if want, err := rec.GetAddress(); err == nil && !want.Equals(acc.addr) {
		return nil, fmt.Errorf("key %q in %s: address mismatch", name, home)
	}
	return acc, nil
}
