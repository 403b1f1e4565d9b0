// Package projections feeds read models from the log: a runner follows the
// log from each model's checkpoint and applies the events in batches, and
// callers wait for a position to get read-your-writes answers. Read models
// live in the subpackages memory (default) and postgres.
package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

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

// Retrier is a projection that retries transient failures itself, where
// a restart would redo work (Postgres: reloading its state from the log).
// The runner hands it a function to report each failed try, so such
// failures are logged, counted and reported by Health like the runner's
// own, until a batch applies.
type Retrier interface {
	ReportRetries(report func(err error, wait time.Duration))
}

// MaxApplyBatch bounds the records applied at once.
const MaxApplyBatch = 1024

// ErrWaitTimeout is returned when a read model did not reach a position in
// time (the API answers 504).
var ErrWaitTimeout = &domain.Error{Kind: domain.KindTimeout, Code: "position-not-reached",
	Detail: "the read models did not reach the requested position in time"}

// ErrReadModelFailed is matched (errors.Is, by code) by the error WaitFor
// answers when the read models did not reach a position because their
// runner is failing (the API answers 503 with the reason).
var ErrReadModelFailed = &domain.Error{Kind: domain.KindUnavailable, Code: "read-model-failed",
	Detail: "the read models are failing and restarting"}

// Backoff bounds of a runner restarting after a failure (RunnerOptions).
const (
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
)

// RunnerOptions tune a runner; the zero value is ready to use.
type RunnerOptions struct {
	// Model names the read model in logs and metrics ("memory",
	// "postgres").
	Model string
	// Logger receives a failure at error level and the recovery after it
	// (default slog.Default()).
	Logger *slog.Logger
	// Failed, when set, is told every failure the runner restarts after:
	// the metrics count them.
	Failed func(error)
	// MinBackoff and MaxBackoff bound the wait before a restart, doubled
	// after every failure without progress (defaults 100 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
}

// Runner follows the log into one projection. A failure (the projection
// refusing a batch, the database or the log unreachable) does not stop
// it: it is logged, counted and reported by Health, and the runner starts
// again from the projection's checkpoint after a backoff, until its
// context ends. A read model that stopped silently would leave every
// ?after= waiting and /readyz green.
type Runner struct {
	store eventstore.Store
	proj  Projection
	opts  RunnerOptions
	pos   atomic.Uint64

	mu      sync.Mutex
	changed chan struct{}
	// lastErr is the error the runner failed on last, until it applies
	// again.
	lastErr atomic.Pointer[error]
	// failures counts the failures since the runner last applied.
	failures atomic.Int64
}

// NewRunner prepares a runner; call Run to start it.
func NewRunner(store eventstore.Store, proj Projection, opts RunnerOptions) *Runner {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	opts.MaxBackoff = max(opts.MaxBackoff, opts.MinBackoff)
	r := &Runner{store: store, proj: proj, opts: opts, changed: make(chan struct{})}
	r.pos.Store(proj.Position())
	if rt, ok := proj.(Retrier); ok {
		rt.ReportRetries(func(err error, wait time.Duration) { r.fail(err, wait, "retrying the batch") })
	}
	return r
}

// Position is the last position the projection has applied.
func (r *Runner) Position() uint64 { return r.pos.Load() }

// Run follows the log until ctx is done, restarting after every failure
// (see Runner); it returns ctx's error, or eventstore.ErrClosed once the
// log is closed under it.
func (r *Runner) Run(ctx context.Context) error {
	wait := r.opts.MinBackoff
	for {
		from := r.Position()
		err := r.follow(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, eventstore.ErrClosed) {
			return err
		}
		if r.Position() > from {
			wait = r.opts.MinBackoff // it got somewhere: a new failure
		}
		r.fail(err, wait, "restarting from its checkpoint")
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, r.opts.MaxBackoff)
	}
}

// follow is one run: from the projection's checkpoint, a catch-up if the
// projection has one, then the log as it grows, until an error.
func (r *Runner) follow(ctx context.Context) error {
	// A failed batch may have applied part of itself (memory) or been
	// reloaded from the checkpoint (Postgres): start from what it holds.
	r.advance(r.proj.Position())
	if err := r.recoverIfCaughtUp(ctx); err != nil {
		return err
	}
	if c, ok := r.proj.(CatchUpper); ok {
		if err := c.CatchUp(ctx, func(pos, _ uint64) { r.applied(pos) }); err != nil {
			return err
		}
		r.applied(r.proj.Position())
	}
	return r.tail(ctx)
}

// tail applies the log as it grows, in batches of what has arrived, until
// an error; the log's follower has ended when it returns, so a restart
// never has two.
func (r *Runner) tail(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
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
				cancel()
				<-errc
				return err
			}
		case err := <-errc:
			cancel()
			return err
		}
	}
}

// recoverIfCaughtUp clears a failure when a restart finds nothing to
// apply: no batch will come to prove the runner works again.
func (r *Runner) recoverIfCaughtUp(ctx context.Context) error {
	if r.lastErr.Load() == nil {
		return nil
	}
	h, err := r.store.Head(ctx)
	if err != nil {
		return err
	}
	if h.Seq <= r.Position() {
		r.recovered(r.Position())
	}
	return nil
}

// fail records a failure: logged, counted, reported by Health. It may be
// called from a Retrier's goroutine.
func (r *Runner) fail(err error, wait time.Duration, next string) {
	if err == nil {
		err = errors.New("the log ended the follow without an error")
	}
	n := r.failures.Add(1)
	pos := r.Position()
	r.opts.Logger.Error("read model failed; "+next, "model", r.opts.Model, "position", pos, "failures", n,
		"retry_in", wait, "err", err)
	reason := fmt.Errorf("%s read model failed after position %d (%d times in a row, %s in %s): %w",
		r.model(), pos, n, next, wait, err)
	r.lastErr.Store(&reason)
	if r.opts.Failed != nil {
		r.opts.Failed(err)
	}
}

// applied moves the position after a batch applied, ending a failure
// first, so that a waiter woken by the batch finds the runner healthy.
func (r *Runner) applied(pos uint64) {
	if pos > r.Position() {
		r.recovered(pos)
	}
	r.advance(pos)
}

// recovered clears the failure, if any, once the runner works again.
func (r *Runner) recovered(pos uint64) {
	if r.lastErr.Swap(nil) == nil {
		return
	}
	r.opts.Logger.Info("read model running again", "model", r.opts.Model, "position", pos,
		"failures", r.failures.Swap(0))
}

func (r *Runner) model() string {
	if r.opts.Model == "" {
		return "the"
	}
	return "the " + r.opts.Model
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
		return fmt.Errorf("applying positions %d..%d: %w", envs[0].Seq, envs[len(envs)-1].Seq, err)
	}
	r.applied(envs[len(envs)-1].Seq)
	return nil
}

// advance moves the position to pos and wakes the waiters; it reports
// whether the position moved.
func (r *Runner) advance(pos uint64) bool {
	if pos <= r.pos.Load() {
		return false
	}
	r.pos.Store(pos)
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	return true
}

// Health is nil while the runner follows the log, else the failure it is
// restarting after (with backoff), until it applies again; /readyz
// reports it.
func (r *Runner) Health() error {
	if p := r.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// WaitFor blocks until the projection has applied position seq or ctx is
// done: then it answers ErrWaitTimeout, or, while the runner is failing,
// ErrReadModelFailed with the reason, so a caller learns why.
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
			if err := r.Health(); err != nil {
				return &domain.Error{Kind: domain.KindUnavailable, Code: ErrReadModelFailed.Code, Detail: err.Error()}
			}
			return ErrWaitTimeout
		}
	}
}
