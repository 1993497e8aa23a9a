package gateway

import "time"

// SetMaxIngestCall changes the gRPC Ingest call limit for a test and
// returns a function that restores it.
func SetMaxIngestCall(d time.Duration) (restore func()) {
	old := maxIngestCall.Swap(int64(d))
	return func() { maxIngestCall.Store(old) }
}
