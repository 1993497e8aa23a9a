//go:build e2e

package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// edge module error codes (x/edge/types/errors.go).
const (
	codeUnauthorized = 2
)

// TestPermissionedValidatorSet drives the foundation scenario on four real
// validators: blocks advance; only the authority changes the validator set
// and CometBFT follows it; a validator killed with SIGKILL does not stop the
// other three, and after restart it catches up to the same app hash.
func TestPermissionedValidatorSet(t *testing.T) {
	ln := StartLocalnet(t, 4, 2000)

	t.Run("blocks advance on every node", func(t *testing.T) {
		for i := 0; i < 4; i++ {
			h, err := ln.Height(i)
			require.NoError(t, err)
			ln.WaitHeight(i, h+2, 20*time.Second)
		}
		vals, err := ln.Validators(0)
		require.NoError(t, err)
		require.Len(t, vals, 4)
	})

	// A fresh server home gives the new node's consensus key.
	newHome := filepath.Join(t.TempDir(), "node4")
	out, err := exec.Command(ln.bin, "init", "node4", "--chain-id", "trustedge-local", "--home", newHome).CombinedOutput()
	require.NoError(t, err, string(out))
	pk, err := exec.Command(ln.bin, "comet", "show-validator", "--home", newHome).Output()
	require.NoError(t, err)
	out, err = exec.Command(ln.bin, "keys", "add", "node4", "--keyring-backend", "test", "--home", ln.NodeHome(0)).CombinedOutput()
	require.NoError(t, err, string(out))
	operator := ln.KeyAddress(0, "node4")

	t.Run("non-authority RegisterNode is rejected and changes nothing", func(t *testing.T) {
		res := ln.Tx("edge", "register-node", operator, strings.TrimSpace(string(pk)), "10", "node4", "--from", "demo")
		require.NotZero(t, res.Height, "the tx is included, then fails in the msg server")
		require.Equal(t, "edge", res.Codespace)
		require.EqualValues(t, codeUnauthorized, res.Code)
		require.Contains(t, res.RawLog, "signer is not the consortium authority")

		_, err := ln.CLI("query", "edge", "node", operator)
		require.Error(t, err)
		require.Contains(t, err.Error(), "not found")
		ln.WaitHeight(0, res.Height+2, 10*time.Second)
		vals, err := ln.Validators(0)
		require.NoError(t, err)
		require.Len(t, vals, 4)
	})

	t.Run("authority adds a fifth validator", func(t *testing.T) {
		res := ln.Tx("edge", "register-node", operator, strings.TrimSpace(string(pk)), "10", "node4", "--from", "admin")
		require.Zero(t, res.Code, res.RawLog)
		// An update in block H is in CometBFT's set from H+2.
		for i := 0; i < 4; i++ {
			ln.WaitHeight(i, res.Height+2, 15*time.Second)
			vals, err := ln.Validators(i)
			require.NoError(t, err)
			require.Len(t, vals, 5, "node%d", i)
		}
		out, err := ln.CLI("query", "edge", "node", operator, "--output", "json")
		require.NoError(t, err)
		var q struct {
			Node struct {
				Power  string `json:"power"`
				Status string `json:"status"`
			} `json:"node"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &q))
		require.Equal(t, "10", q.Node.Power)
		require.Equal(t, "NODE_STATUS_ACTIVE", q.Node.Status)
	})

	t.Run("authority removes it again", func(t *testing.T) {
		res := ln.Tx("edge", "remove-node", operator, "--from", "admin")
		require.Zero(t, res.Code, res.RawLog)
		for i := 0; i < 4; i++ {
			ln.WaitHeight(i, res.Height+2, 15*time.Second)
			vals, err := ln.Validators(i)
			require.NoError(t, err)
			require.Len(t, vals, 4, "node%d", i)
		}
	})

	t.Run("kill -9 one validator, the others go on, it catches up", func(t *testing.T) {
		ln.Kill(3)
		h, err := ln.Height(0)
		require.NoError(t, err)
		for i := 0; i < 3; i++ {
			ln.WaitHeight(i, h+4, 30*time.Second)
		}

		ln.Restart()
		target, err := ln.Height(0)
		require.NoError(t, err)
		ln.WaitHeight(3, target+1, 60*time.Second)

		// Same block and app hash at a common height on all four nodes.
		common := target + 1
		for i := 0; i < 4; i++ {
			ln.WaitHeight(i, common, 15*time.Second)
		}
		wantBlock, wantApp, err := ln.BlockHeader(0, common)
		require.NoError(t, err)
		require.NotEmpty(t, wantApp)
		for i := 1; i < 4; i++ {
			block, app, err := ln.BlockHeader(i, common)
			require.NoError(t, err)
			require.Equal(t, wantBlock, block, "node%d block hash at %d", i, common)
			require.Equal(t, wantApp, app, "node%d app hash at %d", i, common)
		}
	})
}
