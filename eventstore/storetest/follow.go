package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
)

// follower runs Follow in a goroutine and exposes what it delivers.
type follower struct {
	events chan eventstore.Envelope
	done   chan error
	cancel context.CancelFunc
}

// startFollow follows s from position from until the returned follower is
// cancelled.
func startFollow(t *testing.T, s eventstore.Store, from uint64) *follower {
	ctx, cancel := context.WithCancel(ctxFor(t))
	f := &follower{events: make(chan eventstore.Envelope, 10000), done: make(chan error, 1), cancel: cancel}
	t.Cleanup(cancel)
	go func() {
		f.done <- s.Follow(ctx, from, func(e eventstore.Envelope) error {
			f.events <- e
			return nil
		})
	}()
	return f
}

// expect receives the next len(want) events and compares them with want.
func (f *follower) expect(t *testing.T, what string, want []eventstore.Envelope) {
	t.Helper()
	got := make([]eventstore.Envelope, 0, len(want))
	deadline := time.After(timeout)
	for len(got) < len(want) {
		select {
		case e := <-f.events:
			got = append(got, e)
		case err := <-f.done:
			t.Fatalf("%s: Follow returned %v after delivering %s of %d events", what, err, seqs(got), len(want))
		case <-deadline:
			t.Fatalf("%s: Follow delivered %s within %v, want %d events", what, seqs(got), timeout, len(want))
		}
	}
	expectEnvelopes(t, what, want, got)
}

// quiet fails the test if the follower delivers anything within a short
// while: there must be no duplicates and nothing invented.
func (f *follower) quiet(t *testing.T, what string) {
	t.Helper()
	select {
	case e := <-f.events:
		t.Fatalf("%s: Follow delivered unexpected seq %d", what, e.Seq)
	case <-time.After(50 * time.Millisecond):
	}
}

// stopped waits for Follow to return and fails unless its error is want.
func (f *follower) stopped(t *testing.T, what string, want error) {
	t.Helper()
	select {
	case err := <-f.done:
		if !errors.Is(err, want) {
			t.Fatalf("%s: Follow returned %v, want %v", what, err, want)
		}
	case <-time.After(timeout):
		t.Fatalf("%s: Follow did not return within %v", what, timeout)
	}
}

// testFollow catches up on existing events, then receives new ones in
// order with no gaps or duplicates, also from a middle position, and
// returns ctx.Err() when cancelled.
func testFollow(t *testing.T, open Factory) {
	s := fresh(t, open)
	_, all := fill(t, s, 4, 6)
	fromStart, fromMiddle := startFollow(t, s, 1), startFollow(t, s, 5)
	fromStart.expect(t, "catch-up from 1", all)
	fromMiddle.expect(t, "catch-up from 5", all[4:])
	fromStart.quiet(t, "at the head")

	var more []eventstore.Envelope
	for b := range 25 { // back to back, so some land between catch-up and wait
		more = append(more, appendBatch(t, s, uint64(len(all)+len(more)), makeEvents(10+b, 1+b%4))...)
	}
	fromStart.expect(t, "live events", more)
	fromMiddle.expect(t, "live events from 5", more)
	fromStart.quiet(t, "after the live events")

	fromStart.cancel()
	fromStart.stopped(t, "cancelled follow", context.Canceled)
	late := appendBatch(t, s, uint64(len(all)+len(more)), makeEvents(50, 2))
	fromMiddle.expect(t, "events after the other follower stopped", late)
	fromMiddle.cancel()
	fromMiddle.stopped(t, "cancelled follow", context.Canceled)
}

// testFollowStops checks the other two ways out of Follow: fn's error is
// returned as is, and closing the store wakes a waiting follower with
// ErrClosed.
func testFollowStops(t *testing.T, open Factory) {
	s := fresh(t, open)
	fill(t, s, 5)
	stop := errors.New("storetest: stop here")
	n := 0
	err := s.Follow(ctxFor(t), 1, func(eventstore.Envelope) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("Follow with fn failing on the 3rd event returned %v after %d calls, want fn's error after 3", err, n)
	}

	waiting := startFollow(t, s, 6)
	waiting.quiet(t, "follower at the head")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	waiting.stopped(t, "follower of a closed store", eventstore.ErrClosed)
}
