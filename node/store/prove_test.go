package store_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/node/store"
	"github.com/trustedge/trustedge/x/stream/proof"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// proveFixture is two epochs over several streams of different sizes
// (1 reading, odd and even counts, so the trees are unbalanced).
func proveFixture(t *testing.T) (*store.Store, *ledger, []*store.Epoch) {
	s := openStore(t, t.TempDir())
	l := newLedger()
	sizes := map[string]int{"one": 1, "odd": 7, "even": 16, "big": 100}
	for id, n := range sizes {
		l.append(t, s, id, makeReadings(id, 1, n, 64), 1)
	}
	e1, err := s.CloseEpoch(1)
	require.NoError(t, err)
	for id, n := range sizes {
		l.append(t, s, id, makeReadings(id, uint64(n+1), 3, 64), 2)
	}
	e2, err := s.CloseEpoch(2)
	require.NoError(t, err)
	require.NoError(t, s.MarkCommitted(2, 99))
	return s, l, []*store.Epoch{e1, e2}
}

func TestProveEveryReadingVerifies(t *testing.T) {
	s, l, epochs := proveFixture(t)
	const node = "cosmos1node"
	for id, rs := range l.readings {
		for i, r := range rs {
			seq := uint64(i + 1)
			p, e, err := s.Prove(node, id, seq)
			require.NoError(t, err, "%s/%d", id, seq)
			want := epochs[0]
			if seq > epochs[0].Batches[slicesIndex(epochs[0], id)].LastSeq {
				want = epochs[1]
			}
			require.Equal(t, want.Number, p.Epoch)
			require.Equal(t, want.Number, e.Number)
			require.Equal(t, want.Root, e.Root)
			require.Equal(t, node, p.Node)
			require.Equal(t, proof.Reading{StreamID: id, Seq: seq, Time: r.Time, Payload: r.Payload}, p.Reading)
			require.NoError(t, p.Verify(want.Root, uint64(len(want.Batches))))
			// The wire form round-trips and still verifies (what a query returns).
			wire := streamtypes.ReadingProofFrom(p)
			require.NoError(t, wire.ToProof().Verify(want.Root, 0))
			if want.Number == 2 {
				require.Equal(t, int64(99), e.CommittedHeight)
			} else {
				require.Zero(t, e.CommittedHeight)
			}
		}
	}
}

func slicesIndex(e *store.Epoch, id string) int {
	for i, b := range e.Batches {
		if b.StreamID == id {
			return i
		}
	}
	panic("no batch " + id)
}

func TestProveTamperedFails(t *testing.T) {
	s, _, epochs := proveFixture(t)
	root := epochs[0].Root
	fresh := func() *proof.ReadingProof {
		p, _, err := s.Prove("n", "big", 37)
		require.NoError(t, err)
		require.NoError(t, p.Verify(root, 0))
		return p
	}
	cases := map[string]func(p *proof.ReadingProof){
		"payload":              func(p *proof.ReadingProof) { p.Reading.Payload[0] ^= 1 },
		"time":                 func(p *proof.ReadingProof) { p.Reading.Time++ },
		"seq":                  func(p *proof.ReadingProof) { p.Reading.Seq++ },
		"reading index":        func(p *proof.ReadingProof) { p.ReadingPath.Index++ },
		"batch index":          func(p *proof.ReadingProof) { p.BatchPath.Index = (p.BatchPath.Index + 1) % p.BatchPath.Total },
		"reading aunts cut":    func(p *proof.ReadingProof) { p.ReadingPath.Aunts = p.ReadingPath.Aunts[:len(p.ReadingPath.Aunts)-1] },
		"batch aunts cut":      func(p *proof.ReadingProof) { p.BatchPath.Aunts = p.BatchPath.Aunts[:len(p.BatchPath.Aunts)-1] },
		"reading aunt flipped": func(p *proof.ReadingProof) { p.ReadingPath.Aunts[0][0] ^= 1 },
		"batch root":           func(p *proof.ReadingProof) { p.Batch.Root[0] ^= 1 },
		"batch salt":           func(p *proof.ReadingProof) { p.Batch.Salt[0] ^= 1 },
		"batch salt dropped":   func(p *proof.ReadingProof) { p.Batch.Salt = nil },
		"batch range":          func(p *proof.ReadingProof) { p.Batch.LastSeq++ },
		"epoch root":           func(p *proof.ReadingProof) { p.EpochRoot[0] ^= 1 },
		"stream":               func(p *proof.ReadingProof) { p.Reading.StreamID, p.Batch.StreamID = "odd", "odd" },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			p := fresh()
			tamper(p)
			require.Error(t, p.Verify(root, 0))
		})
	}
	// The tampering above edited copies: the store still proves correctly.
	fresh()
	// A proof against another epoch's root fails.
	require.ErrorIs(t, fresh().Verify(epochs[1].Root, 0), proof.ErrRootMismatch)
}

func TestProveUnknownAndPending(t *testing.T) {
	s, l, _ := proveFixture(t)
	l.append(t, s, "odd", makeReadings("odd", 11, 2, 8), 3)
	l.append(t, s, "new", makeReadings("new", 1, 1, 8), 3)

	for _, c := range []struct {
		stream string
		seq    uint64
	}{{"odd", 11}, {"odd", 12}, {"new", 1}} {
		_, _, err := s.Prove("n", c.stream, c.seq)
		require.ErrorIs(t, err, store.ErrPending, "%s/%d", c.stream, c.seq)
	}
	for _, c := range []struct {
		stream string
		seq    uint64
	}{{"odd", 13}, {"odd", 0}, {"new", 2}, {"nobody", 1}} {
		_, _, err := s.Prove("n", c.stream, c.seq)
		require.ErrorIs(t, err, store.ErrNotFound, "%s/%d", c.stream, c.seq)
	}
	_, _, err := s.Prove("n", "bad/id", 1)
	require.ErrorIs(t, err, store.ErrInvalid)

	// Once closed, the pending readings prove.
	e3, err := s.CloseEpoch(3)
	require.NoError(t, err)
	p, _, err := s.Prove("n", "odd", 12)
	require.NoError(t, err)
	require.NoError(t, p.Verify(e3.Root, 2))
}

func TestProveManyEpochsFindsTheRightOne(t *testing.T) {
	s := openStore(t, t.TempDir())
	l := newLedger()
	var epochs []*store.Epoch
	for n := uint64(1); n <= 12; n++ { // more epochs than the proof cache holds
		for k := range 3 {
			id := fmt.Sprintf("s%d", k)
			l.mu.Lock()
			first := uint64(len(l.readings[id])) + 1
			l.mu.Unlock()
			l.append(t, s, id, makeReadings(id, first, int(n)+k, 16), int64(n))
		}
		e, err := s.CloseEpoch(n)
		require.NoError(t, err)
		epochs = append(epochs, e)
	}
	for _, e := range epochs {
		for _, b := range e.Batches {
			for _, seq := range []uint64{b.FirstSeq, b.LastSeq} {
				p, got, err := s.Prove("n", b.StreamID, seq)
				require.NoError(t, err)
				require.Equal(t, e.Number, got.Number)
				require.NoError(t, p.Verify(e.Root, uint64(len(e.Batches))))
			}
		}
	}
}
