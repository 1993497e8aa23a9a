//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLocalnetScript checks what the README promises about
// scripts/localnet.sh: `query edge nodes` lists the four nodes, `status`
// shows heights advancing, the device simulator's readings can be proved
// as the quickstart shows, and `stop` leaves no process behind (devsim
// included).
func TestLocalnetScript(t *testing.T) {
	ln := StartLocalnet(t, 4, 3000, "LOCALNET_DEVSIM=1")

	// The quickstart's prove command, on node1's RPC.
	out, err := ln.CLIOn(1, "query", "stream", "prove", "sim-pm25-0.pm25", "1", "--from", "demo", "--gateway", ln.Gateway(0), "--wait", "20s")
	require.NoError(t, err, out)
	require.Contains(t, out, "verified: stream sim-pm25-0.pm25 seq 1 is in epoch")
	bz, err := os.ReadFile(filepath.Join(ln.home, "devsim.pid"))
	require.NoError(t, err, "localnet.sh starts devsim")
	devsimPID, err := strconv.Atoi(strings.TrimSpace(string(bz)))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(devsimPID, 0), "devsim is running")

	out, err = ln.CLI("query", "edge", "nodes", "--output", "json")
	require.NoError(t, err)
	var nodes struct {
		Nodes []struct {
			Moniker string `json:"moniker"`
			Power   string `json:"power"`
		} `json:"nodes"`
		Pagination struct {
			Total string `json:"total"`
		} `json:"pagination"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &nodes))
	require.Len(t, nodes.Nodes, 4)
	require.Equal(t, "4", nodes.Pagination.Total)
	for i, n := range nodes.Nodes {
		require.Equal(t, "10", n.Power, "node %d", i)
	}

	heights := func() []int64 {
		out, err := ln.script("status")
		require.NoError(t, err, out)
		re := regexp.MustCompile(`node(\d+)\s+height=(\d+)`)
		m := re.FindAllStringSubmatch(out, -1)
		require.Len(t, m, 4, out)
		hs := make([]int64, 4)
		for _, g := range m {
			i, _ := strconv.Atoi(g[1])
			hs[i], _ = strconv.ParseInt(g[2], 10, 64)
		}
		return hs
	}
	first := heights()
	require.Eventually(t, func() bool {
		now := heights()
		for i := range now {
			if now[i] <= first[i] {
				return false
			}
		}
		return true
	}, 20*time.Second, 500*time.Millisecond, "heights did not advance on every node")

	var pids []int
	for i := 0; i < 4; i++ {
		bz, err := os.ReadFile(filepath.Join(ln.NodeHome(i), "trustedged.pid"))
		require.NoError(t, err)
		pid, err := strconv.Atoi(strings.TrimSpace(string(bz)))
		require.NoError(t, err)
		pids = append(pids, pid)
	}
	out, err = ln.script("stop")
	require.NoError(t, err, out)
	require.Contains(t, out, "stopped 4 node(s)")
	for _, pid := range append(pids, devsimPID) {
		require.Eventually(t, func() bool { return syscall.Kill(pid, 0) != nil }, 10*time.Second, 100*time.Millisecond,
			"pid %d still alive after stop", pid)
	}
}
