package commands

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

// pipelineDepth is how many decided batches may wait for the appender.
const pipelineDepth = 8

// eventIDSpace derives event ids from command ids, so that a retried
// append of the same command carries the same ids (KurrentDB deduplicates
// on them).
var eventIDSpace = uuid.MustParse("6f1d8f1e-3c8a-4b7e-9d1a-5a2c0e7b9f10")

// EventID is the id of the index-th event of command id: the name-based
// (SHA-1, version 5) UUID of "command/index" in eventIDSpace, built on the
// stack because every event of every command needs one.
func EventID(command string, index int) string {
	var buf [128]byte
	name := append(buf[:0], eventIDSpace[:]...)
	name = append(name, command...)
	name = append(name, '/')
	name = strconv.AppendInt(name, int64(index), 10)
	sum := sha1.Sum(name)
	var u uuid.UUID
	copy(u[:], sum[:])
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// job is a decided batch on its way to the log. Its events are encoded
// by the appender, off the writer's serial path.
type job struct {
	batch    []*pending
	out      []decided
	n        int       // events decided
	now      time.Time // the time the events carry
	expected uint64    // the log head this batch is appended after
}

// decided is the outcome of one command in a batch.
type decided struct {
	res   Result
	err   error
	dupOf int // >= 0: same command id as an earlier command of this batch
}

func (w *Writer) run() {
	defer func() {
		w.outstanding.Wait()
		close(w.commits)
		<-w.appenderOut
		close(w.done)
	}()
	for {
		select {
		case p := <-w.queue:
			w.handle(w.collect(p))
		case <-w.wake:
			w.recover()
		case f := <-w.inspect:
			f()
		case <-w.stop:
			w.drain()
			return
		}
	}
}

// drain finishes the queued commands and any retries before stopping.
func (w *Writer) drain() {
	for {
		select {
		case p := <-w.queue:
			w.handle(w.collect(p))
			continue
		default:
		}
		w.outstanding.Wait()
		if !w.failed.Load() {
			return
		}
		w.recover()
	}
}

// collect takes the first command and whatever else is queued, up to
// MaxBatch: the commands that arrived during the previous append share the
// next one.
func (w *Writer) collect(first *pending) []*pending {
	batch := []*pending{first}
	for len(batch) < w.opts.MaxBatch {
		select {
		case p := <-w.queue:
			batch = append(batch, p)
		default:
			return batch
		}
	}
	return batch
}

// handle decides a batch and hands it to the appender.
func (w *Writer) handle(batch []*pending) {
	w.deciding.Store(true)
	defer w.deciding.Store(false)
	if w.failed.Load() {
		w.recover()
	}
	if err := w.storeHealth(); err != nil {
		// The log takes no appends until it recovers: refusing the batch
		// before deciding it leaves the state as it is, where deciding it
		// would fail the append and cost a replay of the whole log for
		// every batch that arrives meanwhile.
		for _, p := range batch {
			w.observe(p, ErrRetryable, len(batch))
			p.reply <- reply{err: ErrRetryable}
		}
		return
	}
	expected := w.head.Seq
	now := w.opts.Clock().UTC()
	out, n, err := w.decideBatch(batch, now)
	if err != nil {
		// A decider produced an event its own state refuses: a bug. The
		// state is half-applied; throw it away and fail the batch.
		w.opts.Logger.Error("decided events do not apply; rebuilding", "err", err)
		w.outstanding.Wait()
		w.mustRebuild()
		for _, p := range batch {
			w.observe(p, err, len(batch))
			p.reply <- reply{err: err}
		}
		return
	}
	w.head.Seq += uint64(n)
	w.outstanding.Add(1)
	w.commits <- &job{batch: batch, out: out, n: n, now: now, expected: expected}
}

// storeHealth is why the log takes no appends now, if it says so.
func (w *Writer) storeHealth() error {
	if h, ok := w.store.(eventstore.HealthReporter); ok {
		return h.Health()
	}
	return nil
}

// decideBatch decides every command against the state, applying each
// command's events tentatively so that the next command sees them, and
// records the positions they will have. It returns how many events the
// batch wrote.
func (w *Writer) decideBatch(batch []*pending, now time.Time) ([]decided, int, error) {
	out := make([]decided, len(batch))
	events := 0
	seen := make(map[string]int, len(batch))
	for i, p := range batch {
		d := &out[i]
		d.dupOf = -1
		if j, ok := seen[p.scoped]; ok {
			d.dupOf = j
			continue
		}
		seen[p.scoped] = i
		k, e, ok := w.idem.get(p.scoped)
		if ok {
			d.res, d.err = Result{CommandID: p.req.ID, Positions: e.positions(), Replayed: true}, nil
			if !w.idem.sameDigest(e, p.req.Digest) {
				d.res, d.err = Result{}, errIdemConflict
			}
			continue
		}
		if err := p.ctx.Err(); err != nil {
			d.err = err
			continue
		}
		evs, err := domain.Decide(w.state, p.req.By, p.req.Command, now)
		if err != nil {
			d.err = err
			continue
		}
		first := w.head.Seq + uint64(events) + 1
		for _, ev := range evs {
			if err := w.state.Evolve(ev); err != nil {
				return nil, 0, errors.Join(errors.New("decider produced an inapplicable event"), err)
			}
		}
		events += len(evs)
		w.idem.add(k, p.req.Digest, first, uint32(len(evs)))
		d.res = Result{CommandID: p.req.ID, Events: evs, Positions: idemEntry{first: first, n: uint32(len(evs))}.positions()}
	}
	return out, events, nil
}

// encode appends the events of a decided batch as the log takes them.
func (j *job) encode(events []eventstore.Event) ([]eventstore.Event, error) {
	for i, p := range j.batch {
		d := &j.out[i]
		if d.dupOf >= 0 || d.err != nil || d.res.Replayed {
			continue
		}
		for k, ev := range d.res.Events {
			env, err := encode(p, ev, k, j.now)
			if err != nil {
				return nil, err
			}
			events = append(events, env)
		}
	}
	return events, nil
}

// encode builds the stored form of a command's index-th event. Its id is
// derived from the scoped command id, so that two principals using the same
// key never produce the same event ids (KurrentDB deduplicates on them).
func encode(p *pending, ev domain.Event, index int, now time.Time) (eventstore.Event, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return eventstore.Event{}, err
	}
	return eventstore.Event{ID: EventID(p.scoped, index), Type: ev.EventType(), Time: now, Actor: p.req.Actor,
		Command: p.req.ID, Digest: p.req.Digest, Tags: ev.EventTags(), Data: data}, nil
}

// recover runs on the writer goroutine after a failed append: it waits for
// the appender to settle every batch in flight, rebuilds the state from the
// log and decides the commands of the failed batches again.
func (w *Writer) recover() {
	w.outstanding.Wait()
	if !w.failed.Load() {
		return
	}
	w.mustRebuild()
	w.retryMu.Lock()
	retries := w.retries
	w.retries = nil
	w.retryMu.Unlock()
	w.failed.Store(false)
	if len(retries) > 0 {
		w.handle(retries)
	}
}

// mustRebuild rebuilds the state from the log; while the log cannot be
// read the writer cannot decide anything, so it keeps trying.
func (w *Writer) mustRebuild() {
	for attempt := 0; ; attempt++ {
		err := w.rebuild(context.Background())
		if err == nil {
			return
		}
		w.opts.Logger.Error("rebuilding the state from the log failed", "err", err, "attempt", attempt)
		time.Sleep(min(time.Duration(attempt+1)*100*time.Millisecond, 2*time.Second))
	}
}
