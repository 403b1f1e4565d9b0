package bolt

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
)

// request is one Append call waiting for the committer.
type request struct {
	ctx      context.Context
	expected uint64
	events   []eventstore.Event
	batch    *sealed // sealed by the caller if it could, else by the committer
	err      error
	settled  func([]eventstore.Envelope, error) // told the outcome, once
	// chained is set on a conflict whose actual head included batches of
	// the same group; if the group fails, that conflict did not happen.
	chained bool
}

// Append writes the events as one atomic, durable batch if the head is
// still expected. The events are chained in the caller's goroutine when
// expected is the end of the log as queued so far (the committed head plus
// every append still waiting or committing), so concurrent callers seal on
// all cores and a pipelined caller seals during the previous commit's
// fsync; the committer goroutine then writes every queued batch whose
// expected head chains in one transaction, ordered by expected head (any
// order is valid for calls that are concurrent).
//
// An empty batch writes nothing: it returns no envelopes and no error if
// expected is the head, and a *ConflictError if it is not.
//
// Once queued, a call waits for its transaction even if ctx ends meanwhile,
// so that its answer is never ambiguous; a call whose ctx has ended before
// the committer takes it writes nothing and returns ctx.Err().
func (s *Store) Append(ctx context.Context, expected uint64, events []eventstore.Event) ([]eventstore.Envelope, error) {
	return s.enqueueWait(ctx, expected, events)()
}

// enqueueWait enqueues the append and returns a wait for its outcome.
func (s *Store) enqueueWait(ctx context.Context, expected uint64, events []eventstore.Event) func() ([]eventstore.Envelope, error) {
	done := make(chan struct{})
	var envs []eventstore.Envelope
	var err error
	s.Enqueue(ctx, expected, events, func(e []eventstore.Envelope, er error) {
		envs, err = e, er
		close(done)
	})
	return func() ([]eventstore.Envelope, error) {
		<-done
		return envs, err
	}
}

// Enqueue implements eventstore.Pipeliner: it does what Append does but
// returns once the batch is queued, and tells settled the outcome from the
// committer's goroutine as soon as the transaction is over, before the
// next one begins. An append chained after one that is still in flight is
// written only if that one is: a failed transaction fails every request in
// it, and a request queued behind a failed or refused one no longer finds
// its expected head and gets a conflict.
func (s *Store) Enqueue(ctx context.Context, expected uint64, events []eventstore.Event, settled func([]eventstore.Envelope, error)) {
	r, err := s.request(ctx, expected, events, settled)
	if err != nil || r == nil {
		settled(nil, err)
	}
}

// request checks, seals and queues one append; nil and no error is an
// empty batch at the head.
func (s *Store) request(ctx context.Context, expected uint64, events []eventstore.Event, settled func([]eventstore.Envelope, error)) (*request, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	head, err := s.appendable()
	if err != nil {
		return nil, err
	}
	if expected < head.Seq || len(events) == 0 {
		if expected != head.Seq {
			return nil, &eventstore.ConflictError{Expected: expected, Actual: head.Seq}
		}
		return nil, nil
	}
	r := &request{ctx: ctx, expected: expected, events: events, settled: settled}
	s.qmu.Lock()
	tail := s.tail
	s.qmu.Unlock()
	if expected == tail.Seq {
		if r.batch, err = seal(tail, events); err != nil {
			return nil, err
		}
	}
	return r, s.enqueue(r)
}

// appendable returns the committed head, or why the store takes no appends.
func (s *Store) appendable() (eventstore.Head, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case s.closed:
		return eventstore.Head{}, eventstore.ErrClosed
	case s.opts.ReadOnly:
		return eventstore.Head{}, ErrReadOnly
	case s.failed != nil:
		return eventstore.Head{}, s.unavailableLocked()
	}
	return s.head, nil
}

// enqueue hands r to the committer.
func (s *Store) enqueue(r *request) error {
	s.qmu.Lock()
	if s.qclosed {
		s.qmu.Unlock()
		return eventstore.ErrClosed
	}
	s.queue = append(s.queue, r)
	if r.batch != nil && r.batch.base == s.tail {
		s.tail = r.batch.last()
	}
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	return nil
}

// run is the committer: it takes everything queued, commits it as one
// group, and repeats until Close, after which it drains what was queued.
//
// After a failed commit it reopens the file before it takes anything more
// (recoverLog); while it cannot, appends are refused.
func (s *Store) run() {
	defer close(s.stopped)
	// A commit reads pages through the map: a fault there (a file
	// truncated under it, a failing disk) must fail the commit, not the
	// process (see write and protect).
	debug.SetPanicOnFault(true)
	var took time.Duration // by the last transaction
	for {
		select {
		case <-s.wake:
		case <-s.closing:
		}
		s.gather(took / 2)
		group, last := s.take()
		if len(group) > 0 {
			start := time.Now()
			s.commit(group)
			took = time.Since(start)
		}
		if last {
			return
		}
		if s.Health() != nil {
			s.recoverLog()
		}
	}
}

// take returns the queued requests, emptying the queue, and whether the
// store is closing (nothing more will be queued).
func (s *Store) take() ([]*request, bool) {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	group, last := s.queue, s.qclosed
	s.queue = nil
	return group, last
}

// gather lets the appends that the last transaction's answers set off
// join the next transaction rather than wait a whole transaction more:
// with many callers, a transaction's fsyncs are then shared by about twice
// as many batches. It yields the processor, so that the goroutines the
// answers woke run here, for as long as that brings new requests or the
// producer set with GatherWhile says an append is on its way. It stops
// after two yields in a row with neither, or when budget is spent: half
// the last transaction's time, so that waiting for company never costs
// more than a fraction of what it saves. With nothing to run and nothing
// on its way, it returns at once. (It yields rather than sleeps: timers
// can be a millisecond coarse, longer than the whole wait.)
func (s *Store) gather(budget time.Duration) {
	if budget <= 0 {
		return
	}
	deadline := time.Now().Add(budget)
	busy, _ := s.busy.Load().(func() bool)
	n := s.queued()
	for quiet := 0; quiet < 2 && time.Now().Before(deadline); {
		runtime.Gosched()
		m := s.queued()
		if m != n || busy != nil && busy() {
			quiet = 0
		} else {
			quiet++
		}
		n = m
	}
}

// GatherWhile implements eventstore.Gatherer.
func (s *Store) GatherWhile(busy func() bool) {
	if busy == nil {
		busy = func() bool { return false }
	}
	s.busy.Store(busy)
}

// queued is how many requests wait for the committer.
func (s *Store) queued() int {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return len(s.queue)
}

// commit decides, writes and answers one group of requests; while the
// store is failed, it refuses them all.
func (s *Store) commit(group []*request) {
	s.mu.RLock()
	base, failed := s.head, s.failed
	s.mu.RUnlock()
	if failed != nil {
		s.refuse(group)
		return
	}
	slices.SortStableFunc(group, func(a, b *request) int { return cmp.Compare(a.expected, b.expected) })
	accepted, head, clean := s.decide(group, base)
	if len(accepted) > 0 {
		if err := s.write(accepted); err != nil {
			for _, r := range group {
				if r.err == nil || r.chained {
					r.err = err
				}
			}
			head, clean = base, false
		} else {
			s.publish(accepted, head)
		}
	}
	s.settleTail(head, clean)
	for _, r := range group {
		if r.err != nil {
			r.settled(nil, r.err)
		} else {
			r.settled(r.batch.envs, nil)
		}
	}
}

// settleTail keeps the queued end of the log (where callers seal) in step
// with a group just committed at head. After a group that went as queued
// the tail is still right, or behind the head if the committer sealed
// batches itself; after anything else (a refused request, a batch sealed
// again, a failed write) requests sealed after the tail are lost anyway, so
// the tail restarts from the head, before any caller of the group is
// answered and appends again. A caller that keeps appending past requests
// queued unsealed finds no tail to seal on and leaves sealing to the
// committer: slower, never wrong. The writer drains before it appends again
// after a failure, so it never does.
func (s *Store) settleTail(head eventstore.Head, clean bool) {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if !clean || s.tail.Seq < head.Seq {
		s.tail = head
	}
}

// decide checks each request's expected head against the running head of
// the group, seals the ones the caller could not, and returns those to
// write with the head after them, and whether every request was accepted
// as its caller sealed it. Rejected requests get their error.
func (s *Store) decide(group []*request, base eventstore.Head) ([]*request, eventstore.Head, bool) {
	var accepted []*request
	head, clean := base, true
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err, clean = err, false
			continue
		}
		if r.expected != head.Seq {
			r.err, clean = &eventstore.ConflictError{Expected: r.expected, Actual: head.Seq}, false
			r.chained = head != base
			continue
		}
		if r.batch == nil || r.batch.base != head {
			// A batch its caller sealed on another head had moved the tail.
			clean = clean && r.batch == nil
			b, err := seal(head, r.events)
			if err != nil {
				r.err = err
				continue
			}
			r.batch = b
		}
		accepted = append(accepted, r)
		head = r.batch.last()
	}
	return accepted, head, clean
}

// write puts every accepted batch in one transaction and commits it. A
// failed commit (or begin) leaves the log in doubt: what reached the disk
// and what bbolt holds in memory are unknown, so it fails the store until
// the committer has reopened the file; an error before the commit only
// rolls the transaction back. A fault or a panic of bbolt's while the
// transaction reads the file counts as a failed commit.
func (s *Store) write(accepted []*request) (err error) {
	var tx *bbolt.Tx
	defer func() {
		if r := recover(); r != nil {
			if err = storeFault(r); err == nil {
				panic(r)
			}
			if tx != nil {
				_ = protect(tx.Rollback)
			}
			s.fail(err)
		}
	}()
	if tx, err = s.db.Begin(true); err != nil {
		s.fail(err)
		return fmt.Errorf("eventstore/bolt: begin: %w", err)
	}
	if err := s.put(tx, accepted); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("eventstore/bolt: write: %w", err)
	}
	commit := (*bbolt.Tx).Commit
	if s.testCommit != nil {
		commit = s.testCommit
	}
	if err := commit(tx); err != nil {
		s.fail(err)
		return fmt.Errorf("eventstore/bolt: commit: %w", err)
	}
	s.commits.Add(1)
	s.failures = 0
	return nil
}

// put writes the records of the accepted batches into tx.
func (s *Store) put(tx *bbolt.Tx, accepted []*request) error {
	b := tx.Bucket(bucketName)
	b.FillPercent = 1.0 // append-only: pack pages full instead of splitting in half
	for _, r := range accepted {
		keys := make([]byte, 8*len(r.batch.envs)) // bbolt keeps key slices until commit
		for i := range r.batch.envs {
			k := keys[8*i : 8*i+8]
			binary.BigEndian.PutUint64(k, r.batch.envs[i].Seq)
			if err := b.Put(k, r.batch.vals[i]); err != nil {
				return err
			}
		}
	}
	if s.testBefore != nil {
		return s.testBefore()
	}
	return nil
}

// publish makes a committed group visible: head, tag index, and a wake-up
// for every follower.
func (s *Store) publish(accepted []*request, head eventstore.Head) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range accepted {
		for i := range r.batch.envs {
			e := &r.batch.envs[i]
			for _, t := range e.Tags {
				s.addTag(t, e.Seq)
			}
		}
	}
	s.head = head
	close(s.notify)
	s.notify = make(chan struct{})
}
