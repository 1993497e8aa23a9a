package types

import (
	"math"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis has the default params and no streams or commitments.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks every table the way the msg server would have built it, so
// a bad genesis fails at `genesis validate` and not at InitChain: addresses
// decode, no duplicates, each node's epochs run 1..n without a gap, each
// stream's readings run 1..n, and readings belong to listed streams.
func (g GenesisState) Validate(ac address.Codec) error {
	if err := g.Params.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidGenesis, "params: %v", err)
	}
	streams := make(map[string]struct{}, len(g.Streams))
	for i, s := range g.Streams {
		if err := s.ValidateStored(ac); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "stream %d (%q): %v", i, s.Id, err)
		}
		if _, dup := streams[s.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "stream %d: duplicate id %q", i, s.Id)
		}
		streams[s.Id] = struct{}{}
	}
	if err := validateCommits(ac, g.Commits); err != nil {
		return err
	}
	return validateReadings(g.Readings, streams)
}

// ValidateStored checks a stream as stored: what MsgCreateStream would
// have accepted, with a status and a creation height. Bounds that params
// set (max_replication) are not checked: the authority may lower them, and
// they apply to later messages only, so the chain's own export must still
// import. Addresses must be canonical, as the msg server stores them (the
// module compares them as strings).
func (s Stream) ValidateStored(ac address.Codec) error {
	if err := ValidateStreamID(s.Id); err != nil {
		return err
	}
	if err := ValidateDeviceRef(s.DeviceId); err != nil {
		return err
	}
	if err := canonicalAddress(ac, "owner", s.Owner); err != nil {
		return err
	}
	if err := canonicalAddress(ac, "home node", s.HomeNode); err != nil {
		return err
	}
	if err := ValidateLabels(s.Schema, s.Unit); err != nil {
		return err
	}
	if s.Replication == 0 {
		return errorsmod.Wrap(ErrInvalidStream, "replication 0 (a stream is held by at least its home node)")
	}
	if s.Status != STREAM_STATUS_OPEN && s.Status != STREAM_STATUS_CLOSED {
		return errorsmod.Wrapf(ErrInvalidStream, "status %s", s.Status)
	}
	if s.CreatedHeight < 0 {
		return errorsmod.Wrapf(ErrInvalidStream, "created_height %d", s.CreatedHeight)
	}
	// The home node's epochs only grow, so a stream closes no earlier than
	// it was created; an OPEN stream has no close epoch.
	if s.Status == STREAM_STATUS_OPEN && s.ClosedAfterEpoch != 0 {
		return errorsmod.Wrapf(ErrInvalidStream, "open stream with closed_after_epoch %d", s.ClosedAfterEpoch)
	}
	if s.Status == STREAM_STATUS_CLOSED && s.ClosedAfterEpoch < s.CreatedAfterEpoch {
		return errorsmod.Wrapf(ErrInvalidStream, "closed_after_epoch %d is before created_after_epoch %d", s.ClosedAfterEpoch, s.CreatedAfterEpoch)
	}
	return nil
}

// validateCommits: per node, the set of epochs must be exactly 1..n. The
// slice may list them in any order; counting and a duplicate check prove it
// (n distinct epochs, all in [1, n]).
// Like streams, commitments are not held to the current
// max_readings_per_epoch, which may have been lowered since.
func validateCommits(ac address.Codec, commits []EpochCommit) error {
	type nodeEpoch struct {
		node  string
		epoch uint64
	}
	seen := make(map[nodeEpoch]struct{}, len(commits))
	count := map[string]uint64{}
	maxEpoch := map[string]uint64{}
	for i, c := range commits {
		bz, err := ac.StringToBytes(c.Node)
		if err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "commit %d: node %q: %v", i, c.Node, err)
		}
		node := string(bz)
		if c.Epoch == 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "commit %d: node %s epoch 0 (epochs start at 1)", i, c.Node)
		}
		k := nodeEpoch{node, c.Epoch}
		if _, dup := seen[k]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "commit %d: duplicate node %s epoch %d", i, c.Node, c.Epoch)
		}
		seen[k] = struct{}{}
		if err := ValidateCommitShape(c.Root, c.ReadingCount, c.StreamCount, c.WindowStart, c.WindowEnd, math.MaxUint64); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "commit %d: node %s epoch %d: %v", i, c.Node, c.Epoch, err)
		}
		if c.Height < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "commit %d: height %d", i, c.Height)
		}
		count[node]++
		maxEpoch[node] = max(maxEpoch[node], c.Epoch)
	}
	// Checked in slice order so the error names the first offending commit.
	for i, c := range commits {
		bz, _ := ac.StringToBytes(c.Node)
		if n := string(bz); maxEpoch[n] != count[n] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "commit %d: node %s has %d commitments up to epoch %d: epochs must run from 1 without a gap",
				i, c.Node, count[n], maxEpoch[n])
		}
	}
	return nil
}

// validateReadings: each reading belongs to a listed stream, fits the
// payload bound, and each stream's seqs are exactly 1..n.
func validateReadings(readings []Reading, streams map[string]struct{}) error {
	type streamSeq struct {
		stream string
		seq    uint64
	}
	seen := make(map[streamSeq]struct{}, len(readings))
	count := map[string]uint64{}
	maxSeq := map[string]uint64{}
	for i, r := range readings {
		if _, ok := streams[r.StreamId]; !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reading %d: unknown stream %q", i, r.StreamId)
		}
		if r.Seq == 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reading %d: stream %q seq 0 (seqs start at 1)", i, r.StreamId)
		}
		k := streamSeq{r.StreamId, r.Seq}
		if _, dup := seen[k]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reading %d: duplicate stream %q seq %d", i, r.StreamId, r.Seq)
		}
		seen[k] = struct{}{}
		if err := ValidatePayload(r.Payload); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reading %d: %v", i, err)
		}
		if r.Height < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reading %d: height %d", i, r.Height)
		}
		count[r.StreamId]++
		maxSeq[r.StreamId] = max(maxSeq[r.StreamId], r.Seq)
	}
	for i, r := range readings {
		if maxSeq[r.StreamId] != count[r.StreamId] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reading %d: stream %q has %d readings up to seq %d: seqs must run from 1 without a gap",
				i, r.StreamId, count[r.StreamId], maxSeq[r.StreamId])
		}
	}
	return nil
}

// canonicalAddress requires addr to be bech32 that decodes and re-encodes
// to itself (lower case), as the msg server stores addresses.
func canonicalAddress(ac address.Codec, what, addr string) error {
	bz, err := ac.StringToBytes(addr)
	if err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q: %v", what, addr, err)
	}
	if canon, err := ac.BytesToString(bz); err != nil || canon != addr {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q is not in canonical form (%s)", what, addr, canon)
	}
	return nil
}
