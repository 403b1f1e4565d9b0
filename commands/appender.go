package commands

import (
	"context"
	"errors"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

// appender makes decided batches durable in order. Everything queued when
// it wakes goes into one append, so one durable write serves many batches.
// With a store that pipelines (eventstore.Pipeliner) it hands the append
// over and goes on to the next while the store commits, so the next batch
// is sealed and queued during the current fsync; a second goroutine waits
// for each append in turn and answers its callers. Callers are answered
// only after their events are durable.
func (w *Writer) appender() {
	defer close(w.appenderOut)
	inflight := make(chan appending, 1024)
	settled := make(chan struct{})
	go func() {
		defer close(settled)
		for a := range inflight {
			w.settle(a)
		}
	}()
	for j := range w.commits {
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
		inflight <- w.start(jobs)
	}
	close(inflight)
	<-settled
}

// appending is an append handed to the store and not yet settled.
type appending struct {
	jobs []*job
	wait func() ([]eventstore.Envelope, error)
}

// start appends the events of jobs, without waiting for them to be
// durable if the store can take the next append meanwhile.
func (w *Writer) start(jobs []*job) appending {
	if w.failed.Load() {
		return appending{jobs, failed(errors.New("an earlier append failed"))}
	}
	var events []eventstore.Event
	for _, j := range jobs {
		evs, err := j.encode()
		if err != nil {
			// The state holds events the log cannot take: a bug. Failing
			// the jobs makes the writer rebuild it from the log.
			return appending{jobs, failed(err)}
		}
		events = append(events, evs...)
	}
	if len(events) == 0 {
		return appending{jobs, failed(nil)}
	}
	// Not tied to any caller's context: a durable write is not abandoned
	// because one caller left.
	ctx := context.Background()
	if p, ok := w.store.(eventstore.Pipeliner); ok {
		return appending{jobs, p.Enqueue(ctx, jobs[0].expected, events)}
	}
	_, err := w.store.Append(ctx, jobs[0].expected, events)
	return appending{jobs, failed(err)}
}

// failed is a settled append's outcome: err, or durable if nil.
func failed(err error) func() ([]eventstore.Envelope, error) {
	return func() ([]eventstore.Envelope, error) { return nil, err }
}

// settle waits for an append and answers its callers, or fails its jobs.
// An append chained after one that failed fails too (the store promises
// it), so no caller is answered on events that were not written.
func (w *Writer) settle(a appending) {
	defer w.outstanding.Add(-len(a.jobs))
	if _, err := a.wait(); err != nil {
		w.failJobs(a.jobs, err)
		return
	}
	for _, j := range a.jobs {
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
