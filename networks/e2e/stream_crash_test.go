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

	// Every acknowledged reading survived the crashes.
	heads := map[string]uint64{}
	var stored uint64
	for _, s := range rep.Streams {
		h, err := ln.Head(victim, s)
		require.NoError(t, err)
		heads[s] = h
		stored += h
	}
	for s, last := range rep.lastAcked() {
		require.GreaterOrEqual(t, heads[s], last, "stream %s lost acknowledged readings", s)
	}

	// Wait until the node has committed everything it stored.
	require.Eventually(t, func() bool {
		for s, h := range heads {
			p, err := ln.Proof(victim, s, h)
			if err != nil || !p.Committed {
				return false
			}
		}
		return true
	}, 60*time.Second, 500*time.Millisecond, "stored readings not committed")

	epochs := ln.Epochs(0, operator)
	roots := map[uint64]chainEpoch{}
	var onChain uint64
	for i, e := range epochs {
		n, _ := strconv.ParseUint(e.Epoch, 10, 64)
		require.Equal(t, uint64(i+1), n, "epochs must be contiguous from 1")
		c, _ := strconv.ParseUint(e.ReadingCount, 10, 64)
		onChain += c
		roots[n] = e
	}
	require.Equal(t, stored, onChain, "readings committed on chain vs stored: a reading committed twice or never")

	// Every stored reading proves against the chain's root, and each
	// stream's batches tile 1..head exactly once.
	for s, h := range heads {
		var next uint64 = 1
		for seq := uint64(1); seq <= h; {
			p, err := ln.Proof(victim, s, seq)
			require.NoError(t, err)
			require.True(t, p.Committed, "%s/%d", s, seq)
			require.NotNil(t, p.Proof)
			e, ok := roots[p.Proof.Epoch]
			require.True(t, ok, "%s/%d in epoch %d the chain does not have", s, seq, p.Proof.Epoch)
			require.NoError(t, p.Proof.ToProof().Verify(e.Root, uint64(e.StreamCount)), "%s/%d", s, seq)
			b := p.Proof.Batch
			require.Equal(t, next, b.FirstSeq, "%s: batch %d..%d leaves a gap or overlaps", s, b.FirstSeq, b.LastSeq)
			// Check every reading of this batch, then move to the next batch.
			for r := seq + 1; r <= b.LastSeq; r++ {
				q, err := ln.Proof(victim, s, r)
				require.NoError(t, err)
				require.Equal(t, p.Proof.Epoch, q.Proof.Epoch)
				require.NoError(t, q.Proof.ToProof().Verify(e.Root, uint64(e.StreamCount)), "%s/%d", s, r)
			}
			next = b.LastSeq + 1
			seq = next
		}
		require.Equal(t, h+1, next, "%s: batches end at %d, head is %d", s, next-1, h)
	}
}
