// Package commands is the application service of the ledger: it runs the
// single writer that decides every command against the in-memory state,
// appends the events of many commands in one durable write (group commit)
// and only then answers the callers. It also keeps idempotency by command
// id and rebuilds the state from the log after a failed append.
package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

// Request is one command with its envelope data.
type Request struct {
	// ID is the command id (the Idempotency-Key); empty: a fresh one.
	ID string
	// Digest identifies the caller's payload, so a reused id with another
	// payload is told apart from a retry. Empty: derived from the command.
	Digest  string
	By      domain.Principal
	Actor   eventstore.Actor
	Command domain.Command
}

// Result is what a command wrote.
type Result struct {
	CommandID string
	// Positions of the events written, in order. A retried command returns
	// the positions of its first execution.
	Positions []uint64
	Events    []domain.Event
	// Replayed is true when the command id was seen before and nothing new
	// was written.
	Replayed bool
}

// Last is the position of the command's last event (what ?after= waits for).
func (r Result) Last() uint64 {
	if len(r.Positions) == 0 {
		return 0
	}
	return r.Positions[len(r.Positions)-1]
}

// Options tune the writer.
type Options struct {
	MaxBatch   int              // commands per group commit (default 4096)
	MaxRetries int              // re-decisions after an append conflict (default 3)
	Clock      func() time.Time // default time.Now
	Logger     *slog.Logger
	// Observe, if set, is told each command's type, outcome code and the
	// batch size it was committed in (for metrics).
	Observe func(cmdType, outcome string, batch int)
}

// Writer is the single writer. Submit may be called from any goroutine.
type Writer struct {
	store   eventstore.Store
	catalog *domain.Catalog
	opts    Options
	queue   chan *pending
	stop    chan struct{}
	done    chan struct{}

	// Owned by the writer goroutine.
	state *domain.State
	head  eventstore.Head // tentative: includes batches still being appended
	idem  *idemTable

	// The pipeline between the writer and the appender: while one batch is
	// being made durable, the next is decided on the tentative state.
	commits     chan *job
	outstanding sync.WaitGroup // jobs handed to the appender, not yet answered
	failed      atomic.Bool    // an append failed: the tentative state is wrong
	wake        chan struct{}  // the appender tells the writer to recover
	retryMu     sync.Mutex
	retries     []*pending // commands of failed appends, to decide again
	appenderOut chan struct{}
	inspect     chan func()
	// lastFlight is the last append handed to a pipelining store; batches
	// that write nothing wait for it (appender.go, flight).
	flightMu   sync.Mutex
	lastFlight *flight
	// deciding and encoding are set while the writer decides a batch and
	// while the appender encodes one: with the queues, they tell the log
	// that an append is on its way (busy).
	deciding, encoding atomic.Bool

	mu     sync.Mutex // guards closed
	closed bool

	replays atomic.Uint64 // full replays of the log (Replays)
}

type pending struct {
	req Request
	// scoped is the command id within its sender's scope (appendScoped): the
	// name the idempotency table and the event ids use.
	scoped   string
	ctx      context.Context
	reply    chan reply
	attempts int
}

type reply struct {
	res Result
	err error
}

// ErrRetryable is matched by errors that a client should retry (the log
// could not be written); the API answers 503 with Retry-After.
var ErrRetryable = &domain.Error{Kind: domain.KindUnavailable, Code: "log-unavailable",
	Detail: "the log could not be written; the command was not applied, retry"}

// ErrShuttingDown is returned for commands submitted after Close began.
var ErrShuttingDown = &domain.Error{Kind: domain.KindUnavailable, Code: "shutting-down",
	Detail: "the ledger is shutting down; retry on another instance or later"}

// Open replays the log into a fresh state and starts the writer.
func Open(ctx context.Context, store eventstore.Store, catalog *domain.Catalog, opts Options) (*Writer, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 4096
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 3
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	w := &Writer{store: store, catalog: catalog, opts: opts,
		queue: make(chan *pending, opts.MaxBatch), stop: make(chan struct{}), done: make(chan struct{}),
		commits: make(chan *job, pipelineDepth), wake: make(chan struct{}, 1), appenderOut: make(chan struct{}),
		inspect: make(chan func())}
	if err := w.rebuild(ctx); err != nil {
		return nil, err
	}
	if g, ok := store.(eventstore.Gatherer); ok {
		g.GatherWhile(w.busy)
	}
	go w.run()
	go w.appender()
	return w, nil
}

// Replays is how many times the writer has replayed the whole log: once
// at start, and once after each append that failed. Tests and metrics use
// it to show that recovery does not cost more replays than it must.
func (w *Writer) Replays() uint64 { return w.replays.Load() }

// rebuild replaces the state, head and idempotency table by a fresh replay
// of the log: the way back to the truth after a failed or lost append.
func (w *Writer) rebuild(ctx context.Context) error {
	w.replays.Add(1)
	st := domain.NewState(w.catalog)
	h, err := w.store.Head(ctx)
	if err != nil {
		return err
	}
	// Most commands write one event: sized for the log, the table never
	// grows during the replay.
	idem := newIdemTable(h.Seq)
	var last eventstore.Head
	// Once a sixteenth of the log is applied, the state's maps are sized
	// for the rest of it.
	growAt := h.Seq / 16
	err = replay.RangeLean(ctx, w.store, 1, h.Seq, func(recs []replay.Lean) error {
		if growAt > 0 && last.Seq >= growAt {
			st.Grow(float64(h.Seq) / float64(last.Seq))
			growAt = 0
		}
		// The state and the table do not depend on each other: filling the
		// table on another core takes it off the replay's one serial path.
		var wg sync.WaitGroup
		wg.Go(func() { idem.replay(recs) })
		defer wg.Wait()
		for i := range recs {
			if err := st.Evolve(recs[i].Event); err != nil {
				return fmt.Errorf("replay at position %d: %w", recs[i].Seq, err)
			}
		}
		if n := len(recs); n > 0 {
			last = eventstore.Head{Seq: recs[n-1].Seq, Hash: recs[n-1].Hash}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.state, w.idem, w.head = st, idem, last
	w.groundFlights()
	return nil
}

// Submit queues the command and waits for its result: the positions of its
// durable events, a domain error (nothing written), or a retryable error.
func (w *Writer) Submit(ctx context.Context, req Request) (Result, error) {
	if req.ID == "" {
		req.ID = uuid.NewString()
	}
	if req.Digest == "" {
		req.Digest = digestOf(req.Command)
	}
	req.Actor = actorOf(req)
	p := &pending{req: req, scoped: string(appendScoped(nil, req.Actor.Channel, req.Actor.Person, req.ID)),
		ctx: ctx, reply: make(chan reply, 1)}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return Result{}, ErrShuttingDown
	}
	select {
	case w.queue <- p:
		w.mu.Unlock()
	case <-ctx.Done():
		w.mu.Unlock()
		return Result{}, ctx.Err()
	}
	// Once queued, the command is decided and possibly written even if the
	// caller goes away, so wait for the answer regardless of ctx: the
	// answer tells the truth about what was written.
	r := <-p.reply
	if r.err == nil && r.res.Replayed {
		return w.fillReplayed(ctx, r.res)
	}
	return r.res, r.err
}

// fillReplayed reads the events of a retried command back from the log, so
// the caller gets the same answer as the first time.
func (w *Writer) fillReplayed(ctx context.Context, res Result) (Result, error) {
	for _, pos := range res.Positions {
		envs, err := w.store.Read(ctx, pos, 1)
		if err != nil || len(envs) == 0 {
			return res, fmt.Errorf("reading replayed command at %d: %v", pos, err)
		}
		rec, err := replay.Decode(envs[0])
		if err != nil {
			return res, err
		}
		res.Events = append(res.Events, rec.Event)
	}
	return res, nil
}

// actorOf completes the actor the events of req carry: the person and the
// vendor flag of the principal unless the caller named them, and the API
// channel by default. The idempotency scope is taken from it, in Submit
// and in a replay alike.
func actorOf(req Request) eventstore.Actor {
	a := req.Actor
	if a.Person == "" && req.By.Person != 0 {
		a.Person = strconv.FormatInt(int64(req.By.Person), 10)
	}
	a.Vendor = a.Vendor || req.By.Vendor
	if a.Channel == "" {
		a.Channel = eventstore.ChannelAPI
	}
	return a
}

// appendScoped appends the idempotency name of command id sent by person
// through channel. An Idempotency-Key belongs to the principal that sent it,
// as Stripe scopes keys to an account: the same key from another person, or
// through another channel, is another command and never finds this one's
// answer (which may hold a fresh activation code). NUL cannot occur in a
// channel or a person id, so the parts cannot run into each other.
func appendScoped[S ~string | ~[]byte](b []byte, channel, person, id S) []byte {
	b = append(b, channel...)
	b = append(b, 0)
	b = append(b, person...)
	b = append(b, 0)
	return append(b, id...)
}

// digestOf identifies a command's payload by its type and JSON form.
func digestOf(c domain.Command) string {
	b, _ := json.Marshal(c)
	h := sha256.Sum256(append([]byte(c.CommandType()+"\x00"), b...))
	return hex.EncodeToString(h[:16])
}

// Fingerprint returns the fingerprint of the writer's state once every
// batch in flight is durable: what a replay of the log must reproduce.
func (w *Writer) Fingerprint() string {
	res := make(chan string, 1)
	w.inspect <- func() {
		w.outstanding.Wait()
		if w.failed.Load() {
			w.recover()
		}
		res <- w.state.Fingerprint()
	}
	return <-res
}

// busy reports whether commands are on their way to the log: queued for
// the writer, being decided, waiting for the appender or being encoded.
func (w *Writer) busy() bool {
	return len(w.queue) > 0 || w.deciding.Load() || len(w.commits) > 0 || w.encoding.Load()
}

// Close stops accepting commands, lets the queued ones finish and stops the
// writer. Every acknowledged command is durable.
func (w *Writer) Close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.stop)
	}
	w.mu.Unlock()
	<-w.done
	if g, ok := w.store.(eventstore.Gatherer); ok {
		g.GatherWhile(nil)
	}
}

// errIdemConflict answers a command id reused with another payload.
var errIdemConflict = &domain.Error{Kind: domain.KindConflict, Code: "idempotency-key-reused",
	Detail: "this Idempotency-Key was used before with another request"}
