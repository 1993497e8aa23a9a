//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIngestCrashSafety kills an edge node with SIGKILL three times while a
// device simulator streams into its gateway. After restart: every reading
// the gateway acknowledged is stored and provable against the chain, each
// stream's epoch batches cover its readings once (contiguous, no overlap),
// and the node's on-chain reading counts add up to exactly the readings it
// stored: no reading is lost or committed twice.
func TestIngestCrashSafety(t *testing.T) {
	ln := StartLocalnet(t, 4, 5000)
	const victim = 1
	out := filepath.Join(t.TempDir(), "devsim.json")

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := ln.devsimCmd(ctx, victim, out, "--devices", "4", "--rate", "200", "--duration", "35s",
		"--drain", "90s", "--prefix", "crash")
	var devsimOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &devsimOut, &devsimOut
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Let the devices register and stream, then kill the node mid-ingest.
	operator := ln.KeyAddress(victim, "node"+strconv.Itoa(victim))
	require.Eventually(t, func() bool {
		h, err := ln.Head(victim, "crash-pm25-0.pm25")
		return err == nil && h > 100
	}, 60*time.Second, 250*time.Millisecond, "devsim never got readings acknowledged:\n%s", devsimOut.String())
	for k := 0; k < 3; k++ {
		time.Sleep(time.Duration(3+2*k) * time.Second)
		ln.Kill(victim)
		t.Logf("kill -9 node%d (%d/3)", victim, k+1)
		time.Sleep(2 * time.Second)
		ln.Restart()
	}

	select {
	case err := <-done:
		require.NoError(t, err, "devsim:\n%s", tail(devsimOut.String(), 40))
	case <-ctx.Done():
		t.Fatalf("devsim did not finish:\n%s", tail(devsimOut.String(), 40))
	}
	rep := readDevsimReport(t, out)
	require.Zero(t, rep.Rejected, tail(devsimOut.String(), 20))
	require.Equal(t, rep.Sent, rep.Acked)
	require.Equal(t, operator, rep.Operator)

	// Every acknowledged reading survived the crashes, was committed once
	// and proves against the chain; here every reading is checked.
	verifyIngested(t, ln, victim, rep, true)
}
