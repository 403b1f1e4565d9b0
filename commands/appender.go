package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

// appender makes decided batches durable in order. Everything queued when
// it wakes goes into one append, so one durable write serves many batches.
// With a store that pipelines (eventstore.Pipeliner) it hands the append
// over and goes on to the next while the store commits, so the next batch
// is sealed and queued during the current fsync, and the store answers the
// callers from its own goroutine the moment their transaction is over.
// Callers are answered only after their events are durable.
func (w *Writer) appender() {
	defer close(w.appenderOut)
	for j := range w.commits {
		w.encoding.Store(true)
		jobs := []*job{j}
	more:
		for {
			select {
			case j, ok := <-w.commits:
				if !ok {
					break more
				}
				jobs = append(jobs, j)
			default:
				break more
			}
		}
		w.start(jobs)
		w.encoding.Store(false)
	}
}

// start appends the events of jobs and settles them once the append is
// over, without waiting for that if the store can take the next append
// meanwhile.
func (w *Writer) start(jobs []*job) {
	if w.failed.Load() {
		w.settle(jobs, errors.New("an earlier append failed"))
		return
	}
	n := 0
	for _, j := range jobs {
		n += j.n
	}
	events := make([]eventstore.Event, 0, n)
	for _, j := range jobs {
		var err error
		if events, err = j.encode(events); err != nil {
			// The state holds events the log cannot take: a bug. Failing
			// the jobs makes the writer rebuild it from the log.
			w.settle(jobs, err)
			return
		}
	}
	if len(events) == 0 {
		w.settleAfterFlight(jobs)
		return
	}
	// Not tied to any caller's context: a durable write is not abandoned
	// because one caller left.
	ctx := context.Background()
	if p, ok := w.store.(eventstore.Pipeliner); ok {
		f := w.takeOff()
		p.Enqueue(ctx, jobs[0].expected, events, func(_ []eventstore.Envelope, err error) { w.land(f, jobs, err) })
		return
	}
	_, err := w.store.Append(ctx, jobs[0].expected, events)
	w.settle(jobs, err)
}

// flight is an append handed to a pipelining store and not settled yet.
// Batches that write nothing (refusals, replays, conflicts) were decided on
// a state holding every event decided before them, so they are answered
// only once the last append in flight is durable: a refusal such as
// key-already-redeemed must not reach a client while the redemption it was
// decided on could still be lost, and a replay must not read positions not
// yet written. Appends settle in the order they were enqueued, and one
// chained after a failed one fails too, so the last append in flight being
// durable means every earlier one is.
type flight struct {
	landed bool
	err    error
	after  []*job // batches without events, decided after this append's
}

// takeOff records a new append as the last one in flight.
func (w *Writer) takeOff() *flight {
	f := &flight{}
	w.flightMu.Lock()
	w.lastFlight = f
	w.flightMu.Unlock()
	return f
}

// land settles an append's own batches and those waiting on it.
func (w *Writer) land(f *flight, jobs []*job, err error) {
	w.flightMu.Lock()
	f.landed, f.err = true, err
	after := f.after
	f.after = nil
	w.flightMu.Unlock()
	w.settle(jobs, err)
	if len(after) > 0 {
		w.settle(after, chainedOn(err))
	}
}

// chainedOn is the outcome of batches that wait on an append that ended
// with err: when it failed, they were decided on events that are not in the
// log, like an append chained after it, and are decided again (a conflict).
func chainedOn(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("decided after an append that failed (%v): %w", err, eventstore.ErrConflict)
}

// settleAfterFlight answers batches that write nothing once the last
// append in flight has landed, with its outcome: if it failed, they were
// decided on events that are not in the log and are decided again.
func (w *Writer) settleAfterFlight(jobs []*job) {
	w.flightMu.Lock()
	f := w.lastFlight
	if f != nil && !f.landed {
		f.after = append(f.after, jobs...)
		w.flightMu.Unlock()
		return
	}
	var err error
	if f != nil {
		err = chainedOn(f.err)
	}
	w.flightMu.Unlock()
	w.settle(jobs, err)
}

// groundFlights forgets the appends of a state that was just rebuilt from
// the log: nothing is in flight then (the writer waits for every batch
// before it rebuilds), and a failed append of the old state must not fail
// what is decided on the new one.
func (w *Writer) groundFlights() {
	w.flightMu.Lock()
	w.lastFlight = nil
	w.flightMu.Unlock()
}

// settle answers the callers of jobs whose append is over, or fails the
// jobs. An append chained after one that failed fails too (the store
// promises it), so no caller is answered on events that were not written.
// It may run on the store's goroutine: nothing in it blocks (replies go to
// buffered channels, the wake-up is dropped if one is pending).
func (w *Writer) settle(jobs []*job, err error) {
	defer w.outstanding.Add(-len(jobs))
	if err != nil {
		w.failJobs(jobs, err)
		return
	}
	for _, j := range jobs {
		w.answer(j)
	}
}

// answer replies to every caller of a durable batch.
func (w *Writer) answer(j *job) {
	for i, p := range j.batch {
		d := j.out[i]
		if d.dupOf >= 0 {
			// A second submission of a command id within the same batch gets
			// the first one's answer, or a conflict for another payload.
			first := j.out[d.dupOf]
			d.res, d.err = first.res, first.err
			d.res.Replayed = true
			if j.batch[d.dupOf].req.Digest != p.req.Digest {
				d.res, d.err = Result{}, errIdemConflict
			}
		}
		w.observe(p, d.err, len(j.batch))
		p.reply <- reply{res: d.res, err: d.err}
	}
}

// failJobs handles batches whose append did not happen. Their decisions
// were taken on a state that included unwritten events, so every command is
// decided again after the writer rebuilds (bounded), or answered with a
// retryable error. Nothing of them was written.
func (w *Writer) failJobs(jobs []*job, cause error) {
	if !w.failed.Swap(true) {
		w.opts.Logger.Error("append failed; the state will be rebuilt from the log", "err", cause)
	}
	conflict := errors.Is(cause, eventstore.ErrConflict)
	var retry []*pending
	for _, j := range jobs {
		for _, p := range j.batch {
			if conflict && p.attempts < w.opts.MaxRetries {
				p.attempts++
				retry = append(retry, p)
				continue
			}
			err := ErrRetryable
			if conflict {
				err = errConflictRetries
			}
			w.observe(p, err, len(j.batch))
			p.reply <- reply{err: err}
		}
	}
	w.retryMu.Lock()
	w.retries = append(w.retries, retry...)
	w.retryMu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

var errConflictRetries = &domain.Error{Kind: domain.KindUnavailable, Code: "append-conflict",
	Detail: "the log moved under this command too often; retry"}

func (w *Writer) observe(p *pending, err error, batch int) {
	if w.opts.Observe == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			outcome = de.Code
		} else {
			outcome = "error"
		}
	}
	w.opts.Observe(p.req.Command.CommandType(), outcome, batch)
}
