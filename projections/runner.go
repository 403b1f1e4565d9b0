// Package projections feeds read models from the log: a runner follows the
// log from each model's checkpoint and applies the events in batches, and
// callers wait for a position to get read-your-writes answers. Read models
// live in the subpackages memory (default) and postgres.
package projections

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

// Projection is a read model fed by the runner.
type Projection interface {
	// Position is the checkpoint: the last position applied.
	Position() uint64
	// Apply applies records in log order and moves the checkpoint to the
	// last one, atomically: after a crash either all or none of the batch
	// is applied.
	Apply(ctx context.Context, recs []replay.Record) error
}

// CatchUpper is a projection that applies a long stretch of the log
// faster by itself than in the runner's batches (Postgres: large
// transactions, parallel decoding, indexes set aside). The runner lets it
// catch up with the head first, then follows the log.
type CatchUpper interface {
	// CatchUp applies the log up to the head as it is when called, and
	// tells progress each position it has committed.
	CatchUp(ctx context.Context, progress func(pos, head uint64)) error
}

// MaxApplyBatch bounds the records applied at once.
const MaxApplyBatch = 1024

// ErrWaitTimeout is returned when a read model did not reach a position in
// time (the API answers 504).
var ErrWaitTimeout = &domain.Error{Kind: domain.KindTimeout, Code: "position-not-reached",
	Detail: "the read models did not reach the requested position in time"}

// Runner follows the log into one projection.
type Runner struct {
	store eventstore.Store
	proj  Projection
	pos   atomic.Uint64

	mu      sync.Mutex
	changed chan struct{}
	// lastErr is the error the runner stopped on, until it runs again.
	lastErr atomic.Pointer[error]
}

// NewRunner prepares a runner; call Run to start it.
func NewRunner(store eventstore.Store, proj Projection) *Runner {
	r := &Runner{store: store, proj: proj, changed: make(chan struct{})}
	r.pos.Store(proj.Position())
	return r
}

// Position is the last position the projection has applied.
func (r *Runner) Position() uint64 { return r.pos.Load() }

// Run follows the log until ctx is done or an error occurs.
func (r *Runner) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c, ok := r.proj.(CatchUpper); ok {
		if err := c.CatchUp(ctx, func(pos, _ uint64) { r.advance(pos) }); err != nil {
			return err
		}
		r.advance(r.proj.Position())
	}
	feed := make(chan eventstore.Envelope, MaxApplyBatch*4)
	errc := make(chan error, 1)
	go func() {
		errc <- r.store.Follow(ctx, r.Position()+1, func(e eventstore.Envelope) error {
			select {
			case feed <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	batch := make([]eventstore.Envelope, 0, MaxApplyBatch)
	for {
		select {
		case e := <-feed:
			batch = drain(feed, append(batch[:0], e))
			if err := r.apply(ctx, batch); err != nil {
				return err
			}
		case err := <-errc:
			return err
		}
	}
}

func drain(feed <-chan eventstore.Envelope, batch []eventstore.Envelope) []eventstore.Envelope {
	for len(batch) < MaxApplyBatch {
		select {
		case e := <-feed:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}

func (r *Runner) apply(ctx context.Context, envs []eventstore.Envelope) error {
	recs, err := replay.DecodeAll(envs)
	if err != nil {
		return err
	}
	if err := r.proj.Apply(ctx, recs); err != nil {
		return err
	}
	r.advance(envs[len(envs)-1].Seq)
	return nil
}

// advance moves the position to pos and wakes the waiters.
func (r *Runner) advance(pos uint64) {
	if pos <= r.pos.Load() {
		return
	}
	r.pos.Store(pos)
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// Health is nil while the runner follows the log, else the error that
// stopped it last (it restarts with backoff); /readyz reports it.
func (r *Runner) Health() error {
	if p := r.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// WaitFor blocks until the projection has applied position seq, ctx is
// done (ErrWaitTimeout when its deadline passed) or the runner stops.
func (r *Runner) WaitFor(ctx context.Context, seq uint64) error {
	for {
		r.mu.Lock()
		ch := r.changed
		r.mu.Unlock()
		if r.pos.Load() >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ErrWaitTimeout
		}
	}
}
