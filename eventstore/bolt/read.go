package bolt

import (
	"context"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
)

// followBatch is how many events Follow reads per transaction.
const followBatch = 1000

// readable returns the committed head, or why the store cannot be read.
func (s *Store) readable(ctx context.Context) (eventstore.Head, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.Head{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return eventstore.Head{}, eventstore.ErrClosed
	}
	return s.head, nil
}

// Read returns up to limit events with seq >= from, in log order, from one
// read transaction walking a cursor. A limit <= 0 reads nothing.
func (s *Store) Read(ctx context.Context, from uint64, limit int) ([]eventstore.Envelope, error) {
	head, err := s.readable(ctx)
	if err != nil || limit <= 0 {
		return nil, err
	}
	from = max(from, 1)
	out := make([]eventstore.Envelope, 0, min(uint64(limit), head.Seq-min(head.Seq, from-1)))
	var f fields
	err = s.view(func(b *bbolt.Bucket) error {
		c := b.Cursor()
		for k, v := c.Seek(key(from)); k != nil && len(out) < limit; k, v = c.Next() {
			out = append(out, eventstore.Envelope{})
			if err := decode(v, &out[len(out)-1], &f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReadTag returns up to limit events carrying tag with seq >= from, in
// order: the positions come from the in-memory index, the records from one
// read transaction.
func (s *Store) ReadTag(ctx context.Context, tag string, from uint64, limit int) ([]eventstore.Envelope, error) {
	if _, err := s.readable(ctx); err != nil || limit <= 0 {
		return nil, err
	}
	seqs := s.tagged(tag, from, limit)
	if len(seqs) == 0 {
		return nil, nil
	}
	out := make([]eventstore.Envelope, len(seqs))
	var f fields
	err := s.view(func(b *bbolt.Bucket) error {
		for i, seq := range seqs {
			v := b.Get(key(seq))
			if v == nil {
				return fmt.Errorf("eventstore/bolt: tag index names position %d, which is not in the log", seq)
			}
			if err := decode(v, &out[i], &f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Follow calls fn for every event with seq >= from, in order: it reads
// what is in the log in batches, and when it has reached the head it waits
// for the next commit. It takes the commit notification before it looks at
// the head, so an event committed between its last read and its wait still
// wakes it.
func (s *Store) Follow(ctx context.Context, from uint64, fn func(eventstore.Envelope) error) error {
	from = max(from, 1)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.RLock()
		head, notify, closed := s.head, s.notify, s.closed
		s.mu.RUnlock()
		if closed {
			return eventstore.ErrClosed
		}
		if from > head.Seq {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.closing:
				return eventstore.ErrClosed
			case <-notify:
			}
			continue
		}
		next, err := s.deliver(ctx, from, fn)
		if err != nil {
			return err
		}
		from = next
	}
}

// deliver reads one batch from position from, calls fn for each event and
// returns the position after the last one. While the log recovers from a
// failed commit it waits a moment and delivers nothing: a follower (a
// projection) goes on once the log is back rather than fail.
func (s *Store) deliver(ctx context.Context, from uint64, fn func(eventstore.Envelope) error) (uint64, error) {
	evs, err := s.Read(ctx, from, followBatch)
	if errors.Is(err, eventstore.ErrUnavailable) {
		return from, s.pauseFollow(ctx)
	}
	if err != nil {
		return from, err
	}
	for _, e := range evs {
		if err := fn(e); err != nil {
			return from, err
		}
		from = e.Seq + 1
	}
	return from, nil
}

// followRetry is how long a follower waits before it reads again from a
// log that is recovering.
const followRetry = 100 * time.Millisecond

// pauseFollow waits followRetry, or returns why the follower must stop.
func (s *Store) pauseFollow(ctx context.Context) error {
	t := time.NewTimer(followRetry)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return eventstore.ErrClosed
	case <-t.C:
		return nil
	}
}
