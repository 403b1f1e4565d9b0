package commands_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/memstore"
)

// heldStore is a pipelining log whose appends wait, in the order they were
// enqueued, until release: it lets a test see the writer hand over a batch
// while the one before is not yet durable.
type heldStore struct {
	*memstore.Store
	mu       sync.Mutex
	enqueued int
	gate     chan struct{}
	once     sync.Once
	order    chan func() // appends in enqueue order
}

// release lets every held append go, once; a failing test calls it too, or
// its writer's Close would wait for the held appends forever.
func (h *heldStore) release() { h.once.Do(func() { close(h.gate) }) }

func newHeldStore(s *memstore.Store) *heldStore {
	h := &heldStore{Store: s, gate: make(chan struct{}), order: make(chan func(), 64)}
	go func() {
		for f := range h.order {
			<-h.gate
			f()
		}
	}()
	return h
}

func (h *heldStore) Enqueue(ctx context.Context, expected uint64, events []eventstore.Event, settled func([]eventstore.Envelope, error)) {
	h.mu.Lock()
	h.enqueued++
	h.mu.Unlock()
	h.order <- func() { settled(h.Store.Append(ctx, expected, events)) }
}

func (h *heldStore) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.enqueued
}

var _ eventstore.Pipeliner = (*heldStore)(nil)

// TestPipelineFailureFailsChainedBatch: the writer hands a second batch to
// the log while the first is still being written; when the first fails,
// the second, decided on a state that included the first, is not answered
// as written: it is decided again on the rebuilt state and lands where the
// first would have.
func TestPipelineFailureFailsChainedBatch(t *testing.T) {
	w, mem, store := openHeld(t)
	before := head(t, mem)

	first := submitAsync(w, register("a@example.com"))
	waitUntil(t, func() bool { return store.count() == 1 }, "the first batch handed to the log")
	second := submitAsync(w, register("b@example.com"))
	waitUntil(t, func() bool { return store.count() == 2 }, "the second batch handed over before the first is durable")

	mem.FailNextAppend(errors.New("disk on fire"))
	store.release()

	if o := <-first; !errors.Is(o.err, commands.ErrRetryable) {
		t.Fatalf("first command: %+v, want the retryable error", o)
	}
	o := <-second
	if o.err != nil {
		t.Fatalf("second command: %v", o.err)
	}
	if o.res.Last() != before+1 || head(t, mem) != before+1 {
		t.Fatalf("second command at %d, log head %d; want both %d (the first was never written)", o.res.Last(), head(t, mem), before+1)
	}
	// The failed registration left no trace in the state: it registers now.
	res := mustSubmit(t, w, register("a@example.com"))
	if _, ok := res.Events[0].(domain.PersonRegistered); !ok || res.Last() != before+2 {
		t.Fatalf("re-registration: %+v", res)
	}
}

// openHeld starts a writer on a bootstrapped log whose appends are held
// until store.release (called at the latest when the test ends).
func openHeld(t *testing.T) (*commands.Writer, *memstore.Store, *heldStore) {
	w, mem := open(t)
	w.Close()
	store := newHeldStore(mem)
	w = openOn(t, store)
	t.Cleanup(store.release)
	return w, mem, store
}

// outcome is what Submit returned.
type outcome struct {
	res commands.Result
	err error
}

// submitAsync submits r on its own goroutine; the channel gets the outcome.
func submitAsync(w *commands.Writer, r commands.Request) <-chan outcome {
	out := make(chan outcome, 1)
	go func() {
		res, err := w.Submit(context.Background(), r)
		out <- outcome{res, err}
	}()
	return out
}

// waitUntil polls cond for up to ten seconds.
func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
	}
}
