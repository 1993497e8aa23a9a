package store

// SetAfterCaptureHook lets tests stop CloseEpoch between persisting the
// captured ranges and computing the roots, as a crash there would.
func SetAfterCaptureHook(s *Store, f func() error) { s.afterCapture = f }
