package commands_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/memstore"
	"github.com/innolic/ledger/replay"
)

var vendor = domain.Principal{Person: 1, Vendor: true}

func fixedClock() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// open starts a writer on a fresh in-memory log with the vendor bootstrapped.
func open(t *testing.T) (*commands.Writer, *memstore.Store) {
	t.Helper()
	store := memstore.New()
	w := openOn(t, store)
	mustSubmit(t, w, commands.Request{ID: "boot", Command: domain.Bootstrap{Email: "staff@vendor.example", Name: "Staff", TokenID: "t", TokenHash: fmt.Sprintf("%064d", 0)}})
	return w, store
}

func openOn(t *testing.T, store eventstore.Store) *commands.Writer {
	t.Helper()
	w, err := commands.Open(context.Background(), store, catalog.Default(), commands.Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

func mustSubmit(t *testing.T, w *commands.Writer, r commands.Request) commands.Result {
	t.Helper()
	res, err := w.Submit(context.Background(), r)
	if err != nil {
		t.Fatalf("submit %T: %v", r.Command, err)
	}
	return res
}

func head(t *testing.T, s eventstore.Store) uint64 {
	t.Helper()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Seq
}

func register(email string) commands.Request {
	return commands.Request{By: vendor, Command: domain.RegisterPerson{Email: email, Name: "N"}}
}

func TestAnswerCarriesDurablePositions(t *testing.T) {
	w, store := open(t)
	res := mustSubmit(t, w, register("a@example.com"))
	if len(res.Positions) != 1 || res.Positions[0] != 3 {
		t.Fatalf("positions = %v, want [3]", res.Positions)
	}
	envs, err := store.Read(context.Background(), 3, 1)
	if err != nil || len(envs) != 1 || envs[0].Type != "PersonRegistered" || envs[0].Command != res.CommandID {
		t.Fatalf("position 3 holds %+v (err %v), want the command's PersonRegistered", envs, err)
	}
}

func TestRefusalWritesNothing(t *testing.T) {
	w, store := open(t)
	mustSubmit(t, w, register("a@example.com"))
	before := head(t, store)
	_, err := w.Submit(context.Background(), register("A@example.com"))
	if !errors.Is(err, domain.ErrEmailTaken) {
		t.Fatalf("err = %v, want email-taken", err)
	}
	if got := head(t, store); got != before {
		t.Fatalf("head moved from %d to %d on a refused command", before, got)
	}
}

func TestIdempotency(t *testing.T) {
	w, store := open(t)
	first := mustSubmit(t, w, commands.Request{ID: "k1", Digest: "d1", By: vendor, Command: domain.RegisterPerson{Email: "a@example.com", Name: "A"}})
	h := head(t, store)
	again := mustSubmit(t, w, commands.Request{ID: "k1", Digest: "d1", By: vendor, Command: domain.RegisterPerson{Email: "a@example.com", Name: "A"}})
	if !again.Replayed || fmt.Sprint(again.Positions) != fmt.Sprint(first.Positions) {
		t.Fatalf("retry = %+v, want the first result %v replayed", again, first.Positions)
	}
	if ev, ok := again.Events[0].(domain.PersonRegistered); !ok || ev.Person != 2 {
		t.Fatalf("replayed events = %v, want the first PersonRegistered", again.Events)
	}
	if head(t, store) != h {
		t.Fatal("a retried command wrote again")
	}
	_, err := w.Submit(context.Background(), commands.Request{ID: "k1", Digest: "other", By: vendor, Command: domain.RegisterPerson{Email: "b@example.com", Name: "B"}})
	if domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("reused key with another payload: err = %v, want a conflict", err)
	}
	// The idempotency table survives a restart: it is rebuilt from the log.
	w.Close()
	w2 := openOn(t, store)
	again = mustSubmit(t, w2, commands.Request{ID: "k1", Digest: "d1", By: vendor, Command: domain.RegisterPerson{Email: "a@example.com", Name: "A"}})
	if !again.Replayed || head(t, store) != h {
		t.Fatalf("after restart: %+v, head %d; want a replay and no write", again, head(t, store))
	}
}

func TestSameKeyTwiceInOneBatch(t *testing.T) {
	w, store := open(t)
	var wg sync.WaitGroup
	results := make([]commands.Result, 8)
	for i := range results {
		wg.Go(func() {
			results[i] = mustSubmit(t, w, commands.Request{ID: "same", Digest: "d", By: vendor, Command: domain.RegisterPerson{Email: "a@example.com", Name: "A"}})
		})
	}
	wg.Wait()
	if head(t, store) != 3 {
		t.Fatalf("head = %d; eight submissions of one command id must write once", head(t, store))
	}
	for _, r := range results {
		if r.Last() != 3 {
			t.Fatalf("result %+v, want position 3", r)
		}
	}
}

func TestGroupCommitSharesAppends(t *testing.T) {
	w, store := open(t)
	counting := &countingStore{Store: store}
	w.Close()
	w = openOn(t, counting)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() { mustSubmit(t, w, register(fmt.Sprintf("p%d@example.com", i))) })
	}
	wg.Wait()
	if head(t, store) != 202 {
		t.Fatalf("head = %d, want 202", head(t, store))
	}
	if n := counting.appends(); n >= 200 {
		t.Fatalf("%d appends for 200 concurrent commands: no group commit", n)
	}
}

type countingStore struct {
	*memstore.Store
	mu sync.Mutex
	n  int
}

func (c *countingStore) Append(ctx context.Context, exp uint64, evs []eventstore.Event) ([]eventstore.Envelope, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	time.Sleep(time.Millisecond) // an fsync's worth, so that commands queue up
	return c.Store.Append(ctx, exp, evs)
}

func (c *countingStore) appends() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func TestIOFailureRebuildsAndFailsRetryably(t *testing.T) {
	w, store := open(t)
	store.FailNextAppend(errors.New("disk on fire"))
	before := head(t, store)
	_, err := w.Submit(context.Background(), register("a@example.com"))
	if !errors.Is(err, commands.ErrRetryable) {
		t.Fatalf("err = %v, want the retryable log-unavailable error", err)
	}
	if head(t, store) != before {
		t.Fatal("the failed append wrote")
	}
	// The tentative registration was thrown away: the same email registers.
	res := mustSubmit(t, w, register("a@example.com"))
	if res.Last() != before+1 {
		t.Fatalf("position %d, want %d", res.Last(), before+1)
	}
}

func TestConflictCatchesUpAndDecidesAgain(t *testing.T) {
	w, store := open(t)
	// Another instance appends behind this writer's back.
	other := openOn(t, store)
	mustSubmit(t, other, register("a@example.com"))
	// This writer's head is stale: its append conflicts, it catches up and
	// decides again, now seeing the other instance's registration.
	_, err := w.Submit(context.Background(), register("a@example.com"))
	if !errors.Is(err, domain.ErrEmailTaken) {
		t.Fatalf("err = %v, want email-taken after catching up", err)
	}
	res := mustSubmit(t, w, register("b@example.com"))
	if res.Last() != 4 {
		t.Fatalf("position %d, want 4", res.Last())
	}
}

func TestReplayEqualsLiveState(t *testing.T) {
	w, store := open(t)
	res := mustSubmit(t, w, register("alice@example.com"))
	alice := domain.Principal{Person: res.Events[0].(domain.PersonRegistered).Person}
	c := mustSubmit(t, w, commands.Request{By: alice, Command: domain.CreateCompany{Name: "Co"}})
	k := mustSubmit(t, w, commands.Request{By: vendor, Command: domain.IssueKey{Code: "ABCDE-1", Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 3}}}})
	_ = k
	project := c.Events[2].(domain.ProjectCreated).Project
	mustSubmit(t, w, commands.Request{By: alice, Command: domain.RedeemKey{Code: "ABCDE-1", Project: project}})
	live := w.Fingerprint()
	st := domain.NewState(catalog.Default())
	if _, err := replay.Into(context.Background(), store, st, 1, 0); err != nil {
		t.Fatal(err)
	}
	if got := st.Fingerprint(); got != live {
		t.Fatalf("replayed fingerprint %s != live %s", got, live)
	}
}
