package commit

import "time"

// chainReadLogEvery spaces the warnings about failed chain reads: while the
// chain cannot be read (a node restarting, an RPC down) every retry fails
// the same way, and one line per retry would bury everything else.
const chainReadLogEvery = 30 * time.Second

// readRetry paces the committer's reads of the epoch in flight after they
// fail: exponential backoff from 2×PollInterval up to maxBackoff, so a
// chain that cannot answer is not asked at every block, and at most one
// warning every chainReadLogEvery, also when the chain flaps.
type readRetry struct {
	wait     time.Duration // last backoff; 0 while reads succeed
	next     time.Time     // no read before this
	fails    int           // failed reads since the last success
	warned   bool          // this run of failures was logged
	loggedAt time.Time     // last warning; kept across successes
}

// due reports whether a read may be made at now.
func (r *readRetry) due(now time.Time) bool { return !now.Before(r.next) }

// failed records a failed read at now and reports whether to log it.
func (r *readRetry) failed(now time.Time, poll time.Duration) (log bool) {
	r.fails++
	r.wait = min(max(2*r.wait, 2*poll), maxBackoff)
	r.next = now.Add(r.wait)
	if r.loggedAt.IsZero() || now.Sub(r.loggedAt) >= chainReadLogEvery {
		r.loggedAt, r.warned = now, true
		return true
	}
	return false
}

// succeeded resets the backoff. It returns how many reads had failed and
// whether that was logged (then the recovery is worth a line too).
func (r *readRetry) succeeded() (fails int, warned bool) {
	fails, warned = r.fails, r.warned
	*r = readRetry{loggedAt: r.loggedAt}
	return fails, warned
}
