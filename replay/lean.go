package replay

import (
	"context"
	"fmt"
	"runtime"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

// Lean is an event as the write state needs it: its position, command id,
// digest and the person and channel that sent the command (the owner of its
// idempotency key), chained hash, and the decoded event. A batch of
// records, and the bytes of their Command, Digest, Person and Channel, are
// valid only during the callback that receives them: they are reused for a
// later batch.
type Lean struct {
	Seq     uint64
	Command []byte
	Digest  []byte
	Person  []byte
	Channel []byte
	Hash    eventstore.Digest
	Event   domain.Event
}

// leanJob is one range of positions: workers scan and decode it, then the
// consumer applies it and hands the job back for reuse, so that a replay
// of millions of events allocates its batches only a few times over.
type leanJob struct {
	from, to uint64
	recs     []Lean
	buf      []byte // command ids and digests of recs
	spans    []span // where in buf, while buf may still move
	err      error
	done     chan struct{}
}

// span locates one record's command id (cmd:dig), digest (dig:per), person
// (per:ch) and channel (ch:end) in a job's buf.
type span struct{ cmd, dig, per, ch, end int }

// RangeLean replays the events with from <= seq <= to (to 0: up to the
// head known at the start) like Range, but through eventstore.Scan: it
// builds no envelopes, and each worker reads its own range of the log, so
// reading is spread over the cores too. fn is called from one goroutine.
func RangeLean(ctx context.Context, s eventstore.Store, from, to uint64, fn func([]Lean) error) error {
	from, to, err := bounds(ctx, s, from, to)
	if err != nil || from > to {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *leanJob, workers*2)
	ordered := make(chan *leanJob, workers*2)
	free := make(chan *leanJob, workers*4)
	go dispatch(ctx, from, to, work, ordered, free)
	for range workers {
		go func() {
			for j := range work {
				j.err = scanJob(ctx, s, j)
				close(j.done)
			}
		}()
	}
	for j := range ordered {
		select {
		case <-j.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if j.err != nil {
			return j.err
		}
		if err := fn(j.recs); err != nil {
			return err
		}
		select {
		case free <- j:
		default:
		}
	}
	return ctx.Err()
}

// dispatch cuts [from, to] into jobs, reusing the ones the consumer is done with.
func dispatch(ctx context.Context, from, to uint64, work, ordered chan<- *leanJob, free <-chan *leanJob) {
	defer close(work)
	defer close(ordered)
	for from <= to {
		var j *leanJob
		select {
		case j = <-free:
		default:
			j = &leanJob{}
		}
		j.from, j.to = from, min(to, from+BatchSize-1)
		j.recs, j.buf, j.spans, j.err, j.done = j.recs[:0], j.buf[:0], j.spans[:0], nil, make(chan struct{})
		for _, c := range []chan<- *leanJob{work, ordered} {
			select {
			case c <- j:
			case <-ctx.Done():
				return
			}
		}
		from = j.to + 1
	}
}

// scanJob reads and decodes one job's range.
func scanJob(ctx context.Context, s eventstore.Store, j *leanJob) error {
	err := eventstore.Scan(ctx, s, j.from, j.to, func(r *eventstore.Raw) error {
		if want := j.from + uint64(len(j.recs)); r.Seq != want {
			return fmt.Errorf("replay: expected position %d, found %d", want, r.Seq)
		}
		ev, err := domain.DecodeEvent(r.Type, r.Data)
		if err != nil {
			return fmt.Errorf("position %d: %w", r.Seq, err)
		}
		sp := span{cmd: len(j.buf)}
		j.buf = append(j.buf, r.Command...)
		sp.dig = len(j.buf)
		j.buf = append(j.buf, r.Digest...)
		sp.per = len(j.buf)
		j.buf = append(j.buf, r.Person...)
		sp.ch = len(j.buf)
		j.buf = append(j.buf, r.Channel...)
		sp.end = len(j.buf)
		j.spans = append(j.spans, sp)
		j.recs = append(j.recs, Lean{Seq: r.Seq, Hash: r.Hash, Event: ev})
		return nil
	})
	if err != nil {
		return err
	}
	if want := j.to - j.from + 1; uint64(len(j.recs)) != want {
		return fmt.Errorf("replay: positions %d to %d hold %d events, want %d", j.from, j.to, len(j.recs), want)
	}
	for i, sp := range j.spans {
		j.recs[i].Command = j.buf[sp.cmd:sp.dig:sp.dig]
		j.recs[i].Digest = j.buf[sp.dig:sp.per:sp.per]
		j.recs[i].Person = j.buf[sp.per:sp.ch:sp.ch]
		j.recs[i].Channel = j.buf[sp.ch:sp.end:sp.end]
	}
	return nil
}
