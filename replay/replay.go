// Package replay streams the log as typed events: it reads batches from a
// store, decodes the payloads on several cores and hands the records to a
// consumer strictly in log order. The writer rebuilds its state with it,
// projections catch up with it, and verify and as-of queries replay with it.
package replay

import (
	"context"
	"fmt"
	"runtime"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

// Record is an envelope with its decoded event. Env points into the batch
// the store returned rather than copying it: replay moves millions of
// envelopes, and each copy is some 250 bytes of garbage.
type Record struct {
	Env   *eventstore.Envelope
	Event domain.Event
}

// Decode decodes one envelope's payload.
func Decode(env eventstore.Envelope) (Record, error) {
	ev, err := domain.DecodeEvent(env.Type, env.Data)
	if err != nil {
		return Record{}, fmt.Errorf("position %d: %w", env.Seq, err)
	}
	return Record{Env: &env, Event: ev}, nil
}

// DecodeAll decodes a batch of envelopes; the records point into envs.
func DecodeAll(envs []eventstore.Envelope) ([]Record, error) {
	out := make([]Record, len(envs))
	for i := range envs {
		e := &envs[i]
		ev, err := domain.DecodeEvent(e.Type, e.Data)
		if err != nil {
			return nil, fmt.Errorf("position %d: %w", e.Seq, err)
		}
		out[i] = Record{Env: e, Event: ev}
	}
	return out, nil
}

// BatchSize is the number of events read and decoded at a time.
const BatchSize = 2048

type job struct {
	envs []eventstore.Envelope
	recs []Record
	err  error
	done chan struct{}
}

// Range replays the events with from <= seq <= to (to 0: up to the head
// known at the start) and calls fn with batches of records in log order.
// Reading, decoding and fn run concurrently; fn is called from one goroutine.
func Range(ctx context.Context, s eventstore.Store, from, to uint64, fn func([]Record) error) error {
	from, to, err := bounds(ctx, s, from, to)
	if err != nil || from > to {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *job, workers*2)
	ordered := make(chan *job, workers*2)
	readErr := make(chan error, 1)
	go readJobs(ctx, s, from, to, work, ordered, readErr)
	for range workers {
		go decodeJobs(work)
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
	}
	return <-readErr
}

func readJobs(ctx context.Context, s eventstore.Store, from, to uint64, work, ordered chan<- *job, errc chan<- error) {
	defer close(work)
	defer close(ordered)
	for from <= to {
		n := int(min(uint64(BatchSize), to-from+1))
		envs, err := s.Read(ctx, from, n)
		if err != nil {
			errc <- err
			return
		}
		if len(envs) == 0 {
			break
		}
		j := &job{envs: envs, done: make(chan struct{})}
		select {
		case work <- j:
		case <-ctx.Done():
			errc <- ctx.Err()
			return
		}
		select {
		case ordered <- j:
		case <-ctx.Done():
			errc <- ctx.Err()
			return
		}
		from = envs[len(envs)-1].Seq + 1
	}
	errc <- nil
}

func decodeJobs(work <-chan *job) {
	for j := range work {
		j.recs, j.err = DecodeAll(j.envs)
		close(j.done)
	}
}

// Into replays the log up to position to (0: the head) into a fresh state
// and returns it with the last position applied.
func Into(ctx context.Context, s eventstore.Store, st *domain.State, from, to uint64) (uint64, error) {
	last := from - min(from, 1)
	err := Range(ctx, s, from, to, func(recs []Record) error {
		for _, r := range recs {
			if err := st.Evolve(r.Event); err != nil {
				return fmt.Errorf("position %d: %w", r.Env.Seq, err)
			}
			last = r.Env.Seq
		}
		return nil
	})
	return last, err
}

// bounds resolves a range's ends: from 0 is the first position, to 0 the
// head known now. from > to: nothing to read.
func bounds(ctx context.Context, s eventstore.Store, from, to uint64) (uint64, uint64, error) {
	if to == 0 {
		h, err := s.Head(ctx)
		if err != nil {
			return 0, 0, err
		}
		to = h.Seq
	}
	return max(from, 1), to, nil
}
