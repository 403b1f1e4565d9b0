// Package memstore is a log adapter that keeps everything in memory. It is
// not durable: it exists so that deciders, the writer and projections can
// be tested fast and in isolation, and it passes the same conformance suite
// as the durable adapters (except the crash test).
package memstore

import (
	"context"
	"sync"

	"github.com/innolic/ledger/eventstore"
)

// Store is the in-memory log.
type Store struct {
	mu       sync.RWMutex
	events   []eventstore.Envelope
	tags     map[string][]uint64
	closed   bool
	changed  chan struct{}
	failNext error
}

// FailNextAppend makes the next Append fail with err, writing nothing: the
// way tests reach the writer's I/O-failure path.
func (s *Store) FailNextAppend(err error) {
	s.mu.Lock()
	s.failNext = err
	s.mu.Unlock()
}

// New returns an empty log.
func New() *Store {
	return &Store{tags: map[string][]uint64{}, changed: make(chan struct{})}
}

var _ eventstore.Store = (*Store)(nil)

// Append implements eventstore.Store.
func (s *Store) Append(_ context.Context, expected uint64, evs []eventstore.Event) ([]eventstore.Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	if err := s.failNext; err != nil {
		s.failNext = nil
		return nil, err
	}
	head := s.head()
	if expected != head.Seq {
		return nil, &eventstore.ConflictError{Expected: expected, Actual: head.Seq}
	}
	if len(evs) == 0 {
		return nil, nil
	}
	envs, err := eventstore.Seal(head, evs)
	if err != nil {
		return nil, err
	}
	for _, e := range envs {
		s.events = append(s.events, e)
		for _, t := range e.Tags {
			s.tags[t] = append(s.tags[t], e.Seq)
		}
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return envs, nil
}

func (s *Store) head() eventstore.Head {
	if len(s.events) == 0 {
		return eventstore.Head{}
	}
	e := s.events[len(s.events)-1]
	return eventstore.Head{Seq: e.Seq, Hash: e.Hash}
}

// Read implements eventstore.Store.
func (s *Store) Read(_ context.Context, from uint64, max int) ([]eventstore.Envelope, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	from = maxU(from, 1)
	if from > uint64(len(s.events)) || max <= 0 {
		return nil, nil
	}
	end := min(uint64(len(s.events)), from-1+uint64(max))
	return append([]eventstore.Envelope(nil), s.events[from-1:end]...), nil
}

// ReadTag implements eventstore.Store.
func (s *Store) ReadTag(_ context.Context, tag string, from uint64, max int) ([]eventstore.Envelope, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	var out []eventstore.Envelope
	for _, seq := range s.tags[tag] {
		if seq >= from && len(out) < max {
			out = append(out, s.events[seq-1])
		}
	}
	return out, nil
}

// Follow implements eventstore.Store.
func (s *Store) Follow(ctx context.Context, from uint64, fn func(eventstore.Envelope) error) error {
	from = maxU(from, 1)
	for {
		s.mu.RLock()
		closed, ch := s.closed, s.changed
		var batch []eventstore.Envelope
		if from <= uint64(len(s.events)) {
			end := min(uint64(len(s.events)), from-1+4096)
			batch = append(batch, s.events[from-1:end]...)
		}
		s.mu.RUnlock()
		if closed {
			return eventstore.ErrClosed
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
			from = e.Seq + 1
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Head implements eventstore.Store.
func (s *Store) Head(context.Context) (eventstore.Head, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return eventstore.Head{}, eventstore.ErrClosed
	}
	return s.head(), nil
}

// Reopen returns an open store holding the same log, as a durable adapter
// would after Close and Open.
func (s *Store) Reopen() *Store {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := New()
	for _, e := range s.events {
		n.events = append(n.events, e)
		for _, t := range e.Tags {
			n.tags[t] = append(n.tags[t], e.Seq)
		}
	}
	return n
}

// Close implements eventstore.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.changed)
	}
	return nil
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
