package store

import (
	"cmp"
	"slices"
)

// inAppendOrder orders the pending ranges read back by Open, which come in
// key order (stream, first seq), the way Append queued them: oldest first,
// so CloseEpochMax keeps taking the oldest Appends after a restart too. The
// disk keeps no append counter, only each Append's ingest time (the
// gateway's clock), so that is the order.
//
// One stream's ranges must stay in seq order whatever the clock did
// (CloseEpochMax takes a prefix, and a stream's batch must start right
// after what earlier epochs took). A range is therefore ordered by the
// latest ingest time of its stream up to and including it: after a clock
// step back a stream's later Appends wait behind its earlier ones. Ties
// (same time) go by stream id then seq, so the order is deterministic.
// ranges must be in key order; it is sorted in place and returned.
func inAppendOrder(ranges []pendingRange) []pendingRange {
	type keyed struct {
		r  pendingRange
		at int64
	}
	ks := make([]keyed, len(ranges))
	for i, r := range ranges {
		at := r.ingest
		if i > 0 && ranges[i-1].stream == r.stream {
			at = max(at, ks[i-1].at)
		}
		ks[i] = keyed{r: r, at: at}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		if c := cmp.Compare(a.r.stream, b.r.stream); c != 0 {
			return c
		}
		return cmp.Compare(a.r.first, b.r.first)
	})
	for i := range ks {
		ranges[i] = ks[i].r
	}
	return ranges
}
