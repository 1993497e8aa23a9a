//go:build e2e

package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// access module error codes (x/access/types/errors.go).
const codeSenderNotPermitted = 20

// TestAccessControlAndDevices drives issue 3 on four real validators: only
// permitted senders get in; an owner granted `register` on device/* adds a
// device that every node then serves; a grant with an expiry stops working
// once block time passes it; `query access check` names the deciding grant.
func TestAccessControlAndDevices(t *testing.T) {
	ln := StartLocalnet(t, 4, 1000)

	newFundedKey := func(name string) string {
		out, err := exec.Command(ln.bin, "keys", "add", name, "--keyring-backend", "test", "--home", ln.NodeHome(0)).CombinedOutput()
		require.NoError(t, err, string(out))
		addr := ln.KeyAddress(0, name)
		res := ln.Tx("bank", "send", "admin", addr, "5000000uedge")
		require.Zero(t, res.Code, res.RawLog)
		return addr
	}
	owner := newFundedKey("owner1")
	node0 := ln.KeyAddress(0, "node0")

	t.Run("an account without grants is refused before execution and pays nothing", func(t *testing.T) {
		before := ln.balance(t, owner)
		res := ln.Tx("bank", "send", "owner1", node0, "1uedge", "--fees", "10uedge")
		require.Zero(t, res.Height, "must never reach a block")
		require.Equal(t, "access", res.Codespace)
		require.EqualValues(t, codeSenderNotPermitted, res.Code, res.RawLog)
		require.Contains(t, res.RawLog, "sender not permitted")
		require.Equal(t, before, ln.balance(t, owner))
	})

	t.Run("check answers denied before the grant", func(t *testing.T) {
		d := ln.check(t, owner, "register", "device/dev-1")
		require.False(t, d.Allowed)
		require.Contains(t, d.Reason, "no live grant")
	})

	t.Run("granted owner registers a device that every node serves", func(t *testing.T) {
		res := ln.Tx("access", "grant", owner, "device/*", "register", "--from", "admin")
		require.Zero(t, res.Code, res.RawLog)

		d := ln.check(t, owner, "register", "device/dev-1")
		require.True(t, d.Allowed)
		require.Equal(t, "device/*", d.Grant.Resource)
		require.Equal(t, "account:"+owner, d.Grant.Subject)
		require.NotEmpty(t, d.Grant.ID)

		res = ln.Tx("device", "register", "dev-1", node0, "--key-type", "ed25519", "--pubkey", newDevicePubKey(t),
			"--kind", "collector", "--protocols", "lora", "--from", "owner1")
		require.Zero(t, res.Code, res.RawLog)
		for i := 0; i < 4; i++ {
			ln.WaitHeight(i, res.Height, 10*time.Second)
			out, err := ln.CLIOn(i, "query", "device", "show", "dev-1", "--output", "json")
			require.NoError(t, err, "node%d", i)
			require.Contains(t, out, owner, "node%d", i)
		}
	})

	t.Run("a grant with an expiry stops working after it", func(t *testing.T) {
		owner2 := newFundedKey("owner2")
		// Room for the two txs below to land before it (1 s blocks, on a
		// loaded CI machine).
		expires := time.Now().UTC().Add(20 * time.Second).Format(time.RFC3339)
		res := ln.Tx("access", "grant", owner2, "device/*", "register", "--expires-at", expires, "--from", "admin")
		require.Zero(t, res.Code, res.RawLog)

		res = ln.Tx("device", "register", "dev-2", node0, "--key-type", "ed25519", "--pubkey", newDevicePubKey(t), "--kind", "collector", "--protocols", "ble", "--from", "owner2")
		require.Zero(t, res.Code, res.RawLog)

		// Wait for block time (not wall clock) to pass the expiry.
		require.Eventually(t, func() bool {
			return !ln.check(t, owner2, "register", "device/dev-3").Allowed
		}, 45*time.Second, 500*time.Millisecond)
		res = ln.Tx("device", "register", "dev-3", node0, "--key-type", "ed25519", "--pubkey", newDevicePubKey(t), "--kind", "collector", "--protocols", "ble", "--from", "owner2")
		require.EqualValues(t, codeSenderNotPermitted, res.Code, "expired grant still admitted the sender: %s", res.RawLog)
		require.Equal(t, "access", res.Codespace)
		_, err := ln.CLI("query", "device", "show", "dev-3")
		require.Error(t, err)
	})
}

func newDevicePubKey(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(pub)
}

// decision is the JSON of QueryCheckResponse.decision.
type decision struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
	ViaRole string `json:"via_role"`
	Grant   struct {
		ID       string `json:"id"`
		Subject  string `json:"subject"`
		Resource string `json:"resource"`
	} `json:"grant"`
}

func (ln *Localnet) check(t *testing.T, subject, action, resource string) decision {
	t.Helper()
	out, err := ln.CLI("query", "access", "check", subject, action, resource, "--output", "json")
	require.NoError(t, err, out)
	var resp struct {
		Decision decision `json:"decision"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &resp), out)
	return resp.Decision
}

func (ln *Localnet) balance(t *testing.T, addr string) string {
	t.Helper()
	out, err := ln.CLI("query", "bank", "balance", addr, "uedge", "--output", "json")
	require.NoError(t, err, out)
	var resp struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &resp), out)
	return strings.TrimSpace(resp.Balance.Amount)
}
