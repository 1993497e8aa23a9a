package store

import (
	"fmt"
	"math"

	"github.com/cockroachdb/pebble"

	"github.com/trustedge/trustedge/node/ingest"
)

// Append durably stores rs as seqs firstSeq..firstSeq+len(rs)-1 of the
// stream and returns the last seq. firstSeq must be the stream's head + 1;
// otherwise it returns a *SeqError and stores nothing. ingestTime is the
// gateway's clock at acceptance (unix ns); epochs report the window of their
// readings' ingest times.
//
// The readings, the new head and a pending marker go to disk in one pebble
// batch committed with pebble.Sync: when Append returns nil the batch
// survives a crash, and when it returns an error none of it is visible.
//
// Concurrent Appends to different streams do not each pay an fsync: pebble's
// commit pipeline writes every batch to the WAL under its commit mutex and
// queues a sync waiter (commitPipeline.prepare -> DB.commitWrite ->
// LogWriter.SyncRecord); the WAL flusher (pebble v1.1.5,
// record.LogWriter.flushLoop/flushPending) takes every queued waiter at once
// and satisfies them all with one Sync. The per-stream lock below is held
// across the commit on purpose: it orders one stream's Appends without
// keeping other streams from joining the same group commit.
func (s *Store) Append(streamID string, firstSeq uint64, rs []Reading, ingestTime int64) (lastSeq uint64, err error) {
	if err := ingest.ValidateID("stream", streamID); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(rs) == 0 {
		return 0, fmt.Errorf("%w: empty batch", ErrInvalid)
	}
	if firstSeq > math.MaxUint64-uint64(len(rs)-1) {
		return 0, fmt.Errorf("%w: seq %d + %d readings overflows", ErrInvalid, firstSeq, len(rs))
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()

	st := s.stream(streamID)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.loadHead(streamID, st); err != nil {
		return 0, err
	}
	if firstSeq != st.head+1 {
		return 0, &SeqError{Head: st.head, Replay: firstSeq <= st.head}
	}
	lastSeq = firstSeq + uint64(len(rs)-1)

	b := s.db.NewBatch()
	defer b.Close()
	key := make([]byte, 0, len(streamID)+10)
	val := make([]byte, 0, 8+ingest.MaxPayloadBytes)
	for i, r := range rs {
		key = appendStreamSeqKey(key[:0], tableReading, streamID, firstSeq+uint64(i))
		val = appendReadingValue(val[:0], r)
		if err := b.Set(key, val, nil); err != nil { // Set copies key and value
			return 0, err
		}
	}
	if err := b.Set(headKey(streamID), u64(lastSeq), nil); err != nil {
		return 0, err
	}
	if err := b.Set(streamSeqKey(tablePending, streamID, firstSeq), pendingValue(lastSeq, ingestTime), nil); err != nil {
		return 0, err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return 0, fmt.Errorf("append %s/%d..%d: %w", streamID, firstSeq, lastSeq, err)
	}

	st.head = lastSeq
	// Registered while st.mu is still held, so one stream's ranges enter
	// s.pending in seq order and CloseEpoch always captures a contiguous run.
	s.mu.Lock()
	s.pending = append(s.pending, pendingRange{stream: streamID, first: firstSeq, last: lastSeq, ingest: ingestTime})
	s.pendingCount += uint64(len(rs))
	s.mu.Unlock()
	return lastSeq, nil
}
