package kurrentdb

import (
	"context"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/innolic/ledger/eventstore"
)

// spanGap is the largest distance between two wanted positions that ReadTag
// still fetches with one read, reading the events in between for nothing.
const spanGap = 32

// catchUp extends the tag index with every event the server has after the
// indexed prefix, verifying the chain as it goes. The caller holds idxMu.
func (s *Store) catchUp(ctx context.Context) error {
	from := s.idx.ver.Head().Seq + 1
	err := s.scan(ctx, esdb.Forwards, readFrom(from), readCount(0), func(e eventstore.Envelope) error {
		return s.idx.add(&e)
	})
	s.noteHead(s.idx.ver.Head())
	return err
}

// indexOwn adds the envelopes this instance has just appended (and seen
// confirmed) to the tag index when they directly follow the indexed prefix.
// It never waits for a catch-up in progress, which will read them anyway.
func (s *Store) indexOwn(envs []eventstore.Envelope) {
	if !s.idxMu.TryLock() {
		return
	}
	defer s.idxMu.Unlock()
	if len(envs) == 0 || s.idx.ver.Head().Seq+1 != envs[0].Seq {
		return
	}
	for i := range envs {
		if s.idx.add(&envs[i]) != nil {
			// The index stays at the verified prefix; the next catch-up
			// reads the stored events and reports a real break.
			return
		}
	}
}

// ReadTag returns up to max (max <= 0: all) events carrying tag with seq >=
// from, in order. It first catches the index up to the server's end of the
// stream, so that it sees every event appended before the call, by any
// instance.
func (s *Store) ReadTag(ctx context.Context, tag string, from uint64, max int) ([]eventstore.Envelope, error) {
	octx, done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	s.idxMu.Lock()
	err = s.catchUp(octx)
	seqs := s.idx.positions(tag, from, max)
	s.idxMu.Unlock()
	if err != nil {
		return nil, s.wrap(ctx, "read tag "+tag, err)
	}
	out, err := s.fetch(octx, seqs)
	if err != nil {
		return nil, s.wrap(ctx, "read tag "+tag, err)
	}
	return out, nil
}

// fetch reads the envelopes at the given ascending positions, one read per
// span of nearby positions.
func (s *Store) fetch(ctx context.Context, seqs []uint64) ([]eventstore.Envelope, error) {
	out := make([]eventstore.Envelope, 0, len(seqs))
	next := 0
	for _, sp := range spans(seqs, spanGap) {
		err := s.scan(ctx, esdb.Forwards, readFrom(sp.first), sp.last-sp.first+1, func(e eventstore.Envelope) error {
			if next < len(seqs) && e.Seq == seqs[next] {
				out = append(out, e)
				next++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if next != len(seqs) {
		return nil, &eventstore.ChainError{Seq: seqs[next], Reason: "an indexed event is missing from the stream"}
	}
	return out, nil
}
