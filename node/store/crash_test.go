package store_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
)

var errCrash = errors.New("simulated crash")

// copyDir copies the pebble directory as it is on disk right now: with the
// store idle inside the hook, this is what a power cut would leave.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			return errors.Join(err, out.Close())
		}
		return out.Close()
	}))
}

// TestCrashBetweenCaptureAndRoots stops CloseEpoch right after the capture
// was persisted, snapshots the directory there (the crash), and checks that
// (a) the crashed copy finishes the epoch on Open with exactly the captured
// readings and (b) the live store finishes the same epoch on the next
// CloseEpoch; either way readings appended meanwhile go to the next epoch.
func TestCrashBetweenCaptureAndRoots(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	l := newLedger()
	for _, id := range []string{"a", "b", "c"} {
		l.append(t, s, id, makeReadings(id, 1, 10, 32), 5)
	}
	l.append(t, s, "a", makeReadings("a", 11, 5, 32), 6)
	e1, err := s.CloseEpoch(1)
	require.NoError(t, err)
	l.append(t, s, "a", makeReadings("a", 16, 4, 32), 7)
	l.append(t, s, "d", makeReadings("d", 1, 2, 32), 8)

	crashed := t.TempDir()
	store.SetAfterCaptureHook(s, func() error {
		copyDir(t, dir, crashed)
		return errCrash
	})
	_, err = s.CloseEpoch(2)
	require.ErrorIs(t, err, errCrash)
	store.SetAfterCaptureHook(s, nil)
	require.Zero(t, s.PendingCount(), "the captured readings left pending")
	_, err = s.Epoch(2)
	require.ErrorIs(t, err, store.ErrPending, "epoch 2 has no roots yet")
	last, err := s.LastEpoch()
	require.NoError(t, err)
	require.Equal(t, e1.Number, last.Number)
	_, _, err = s.Prove("n", "d", 1)
	require.ErrorIs(t, err, store.ErrPending)

	// Appends keep working after the interrupted close and belong to epoch 3.
	l.append(t, s, "b", makeReadings("b", 11, 1, 32), 9)

	// (a) The crashed copy: Open finishes epoch 2.
	c := openStore(t, crashed)
	got, err := c.LastEpoch()
	require.NoError(t, err)
	require.NotNil(t, got)
	require.Equal(t, uint64(2), got.Number)
	l.requireEpochMatches(t, got)
	require.Len(t, got.Batches, 2)
	require.Equal(t, "a", got.Batches[0].StreamID)
	require.Equal(t, uint64(16), got.Batches[0].FirstSeq)
	require.Equal(t, uint64(19), got.Batches[0].LastSeq)
	require.Equal(t, "d", got.Batches[1].StreamID)
	require.Zero(t, c.PendingCount())
	e, err := c.CloseEpoch(3)
	require.NoError(t, err)
	require.Nil(t, e, "the crashed copy has nothing after epoch 2")
	p, _, err := c.Prove("n", "d", 2)
	require.NoError(t, err)
	require.NoError(t, p.Verify(got.Root, 2))

	// (b) The live store: CloseEpoch(2) finishes the captured epoch, with
	// the same root, and does not take the later append.
	e2, err := s.CloseEpoch(2)
	require.NoError(t, err)
	require.Equal(t, got, e2)
	require.Equal(t, uint64(1), s.PendingCount())
	e3, err := s.CloseEpoch(3)
	require.NoError(t, err)
	require.Len(t, e3.Batches, 1)
	require.Equal(t, uint64(11), e3.Batches[0].FirstSeq)
	l.requireEpochMatches(t, e3)
}

// TestCrashBeforeCaptureKeepsReadingsPending: a crash before the capture
// batch is durable leaves the readings pending; they go to the same epoch
// number after the restart.
func TestCrashBeforeCaptureKeepsReadingsPending(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	l := newLedger()
	l.append(t, s, "a", makeReadings("a", 1, 3, 8), 1)
	crashed := t.TempDir()
	copyDir(t, dir, crashed) // the crash: nothing of CloseEpoch reached the disk

	c := openStore(t, crashed)
	require.Equal(t, uint64(3), c.PendingCount())
	e, err := c.CloseEpoch(1)
	require.NoError(t, err)
	require.Equal(t, uint64(3), e.ReadingCount)
	l.requireEpochMatches(t, e)
}
