package commands_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/memstore"
)

// otherStaff is a second vendor principal: same rights as vendor, another
// person.
var otherStaff = domain.Principal{Person: 7, Vendor: true}

// TestIdempotencyKeyBelongsToItsSender: the same Idempotency-Key and
// payload from another person, or from the same person through another
// channel, is another command: it is decided on its own and never gets the
// first sender's answer, in one batch, across batches and after a restart.
func TestIdempotencyKeyBelongsToItsSender(t *testing.T) {
	w, store := open(t)
	req := func(by domain.Principal, channel, email string) commands.Request {
		return commands.Request{ID: "order-42", Digest: "same-body", By: by, Actor: eventstore.Actor{Channel: channel},
			Command: domain.RegisterPerson{Email: email, Name: "N"}}
	}
	first := mustSubmit(t, w, req(vendor, "", "a@example.com"))
	other := mustSubmit(t, w, req(otherStaff, "", "b@example.com"))
	if other.Replayed || other.Last() == first.Last() {
		t.Fatalf("another person's command with the same key got %+v, the first sender's answer is %+v", other, first)
	}
	channel := mustSubmit(t, w, req(vendor, eventstore.ChannelInterface, "c@example.com"))
	if channel.Replayed || channel.Last() == first.Last() {
		t.Fatalf("the same key through another channel got %+v", channel)
	}
	// Concurrent submissions of one key by two persons, in whatever batches
	// they fall into: each person's own command is written once.
	var wg sync.WaitGroup
	got := make([]commands.Result, 8)
	for i := range got {
		by, email := vendor, "d@example.com"
		if i%2 == 1 {
			by, email = otherStaff, "e@example.com"
		}
		wg.Go(func() {
			r := req(by, "", email)
			r.ID = "together"
			got[i] = mustSubmit(t, w, r)
		})
	}
	wg.Wait()
	for i := 2; i < len(got); i++ {
		if got[i].Last() != got[i%2].Last() {
			t.Fatalf("submission %d at %d, its sender's first at %d", i, got[i].Last(), got[i%2].Last())
		}
	}
	if got[0].Last() == got[1].Last() {
		t.Fatalf("two persons' commands with one key answered with the same position %d", got[0].Last())
	}
	// The table rebuilt from the log scopes the keys the same way.
	h := head(t, store)
	w.Close()
	w2 := openOn(t, store)
	for _, c := range []struct {
		r    commands.Request
		want uint64
	}{{req(vendor, "", "a@example.com"), first.Last()}, {req(otherStaff, "", "b@example.com"), other.Last()},
		{req(vendor, eventstore.ChannelInterface, "c@example.com"), channel.Last()}} {
		res := mustSubmit(t, w2, c.r)
		if !res.Replayed || res.Last() != c.want {
			t.Fatalf("after restart, %v through %q: %+v; want its own answer at %d", c.r.By, c.r.Actor.Channel, res, c.want)
		}
	}
	if head(t, store) != h {
		t.Fatal("a retry after restart wrote again")
	}
}

// TestRefusalWaitsForTheAppendItWasDecidedAfter: a refusal decided on a
// state holding an append that is not durable yet is not answered until
// that append lands; when it fails, the refused command is decided again
// on the log as it is, and here it succeeds. Answering at once would have
// told the client "email-taken" for an email no durable event holds.
func TestRefusalWaitsForTheAppendItWasDecidedAfter(t *testing.T) {
	w, mem, store := openHeld(t)
	first := submitAsync(w, register("a@example.com"))
	waitUntil(t, func() bool { return store.count() == 1 }, "the first registration handed to the log")
	second := submitAsync(w, register("A@example.com"))
	select {
	case o := <-second:
		t.Fatalf("answered %+v while the registration it was decided after is not durable", o)
	case <-time.After(200 * time.Millisecond):
	}
	mem.FailNextAppend(errors.New("disk full"))
	store.release()
	if o := <-first; !errors.Is(o.err, commands.ErrRetryable) {
		t.Fatalf("first registration: %+v, want the retryable error", o)
	}
	if o := <-second; o.err != nil {
		t.Fatalf("second registration: %v; the email is free in the log, so it must be decided again and succeed", o.err)
	}
}

// TestRetriesOfACommandInFlightWaitForIt: concurrent retries of a command
// whose append is not durable yet wait for it and then get its answer,
// events included, instead of an error from reading positions not written.
func TestRetriesOfACommandInFlightWaitForIt(t *testing.T) {
	w, mem, store := openHeld(t)
	req := register("a@example.com")
	req.ID, req.Digest = "retried", "d"
	outs := []<-chan outcome{submitAsync(w, req)}
	waitUntil(t, func() bool { return store.count() == 1 }, "the command handed to the log")
	for range 10 {
		outs = append(outs, submitAsync(w, req))
	}
	time.Sleep(200 * time.Millisecond)
	for i, o := range outs {
		select {
		case got := <-o:
			t.Fatalf("submission %d answered %+v before the command is durable", i, got)
		default:
		}
	}
	store.release()
	var want uint64
	for _, o := range outs {
		got := <-o
		if got.err != nil || len(got.res.Events) != 1 || got.res.Last() == 0 || (want != 0 && got.res.Last() != want) {
			t.Fatalf("answer %+v; want the one event at one position for all", got)
		}
		want = got.res.Last()
	}
	if head(t, mem) != want {
		t.Fatalf("log head %d, want the command written once at %d", head(t, mem), want)
	}
}

// degradedStore is a log that takes no appends while down, and says so.
type degradedStore struct {
	*memstore.Store
	down atomic.Bool
}

func (d *degradedStore) Health() error {
	if d.down.Load() {
		return eventstore.ErrUnavailable
	}
	return nil
}

func (d *degradedStore) Append(ctx context.Context, exp uint64, evs []eventstore.Event) ([]eventstore.Envelope, error) {
	if d.down.Load() {
		return nil, eventstore.ErrUnavailable
	}
	return d.Store.Append(ctx, exp, evs)
}

// TestDegradedLogRefusesWithoutReplays: while the log says it takes no
// appends, commands are answered retryable without being decided, so the
// writer does not replay the whole log once per command; once the log is
// back, they go through.
func TestDegradedLogRefusesWithoutReplays(t *testing.T) {
	w, mem := open(t)
	w.Close()
	store := &degradedStore{Store: mem}
	w = openOn(t, store)
	replays := w.Replays()
	store.down.Store(true)
	for i := range 10 {
		if _, err := w.Submit(context.Background(), register(fmt.Sprintf("p%d@example.com", i))); !errors.Is(err, commands.ErrRetryable) {
			t.Fatalf("command while the log is down: %v, want retryable", err)
		}
	}
	if got := w.Replays(); got != replays {
		t.Fatalf("the writer replayed the log %d times while it was down", got-replays)
	}
	store.down.Store(false)
	mustSubmit(t, w, register("back@example.com"))
}
