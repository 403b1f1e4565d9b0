package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/innolic/ledger/eventstore"
)

// testRoundTrip appends batches and reads them back field for field, with
// positions from 1, a verifying chain and the head at the last event.
func testRoundTrip(t *testing.T, open Factory) {
	s := fresh(t, open)
	if h := mustHead(t, s); h != (eventstore.Head{}) {
		t.Fatalf("head of a new log is %d/%s, want the zero Head", h.Seq, h.Hash)
	}
	sent, written := fill(t, s, 3, 1, 7, 5)
	for i := range written {
		if written[i].Seq != uint64(i+1) {
			t.Fatalf("Append assigned seq %d to event %d, want %d", written[i].Seq, i, i+1)
		}
		if d := sameEvent(sent[i], written[i]); d != "" {
			t.Fatalf("Append returned event %d with %s", i, d)
		}
	}
	head := verifyChain(t, written)
	got := mustRead(t, s, 1, 1000)
	expectEnvelopes(t, "Read(1, 1000)", written, got)
	for i := range got {
		if d := sameEvent(sent[i], got[i]); d != "" {
			t.Fatalf("read back event %d (seq %d) with %s", i, got[i].Seq, d)
		}
	}
	if h := mustHead(t, s); h != head {
		t.Fatalf("Head = %d/%s, want the last event %d/%s", h.Seq, h.Hash, head.Seq, head.Hash)
	}
}

// testStaleHead appends at a head that has moved: the store must answer
// with a *ConflictError naming both heads and write nothing.
func testStaleHead(t *testing.T, open Factory) {
	s := fresh(t, open)
	_, written := fill(t, s, 2, 3)
	head := mustHead(t, s)
	for _, expected := range []uint64{0, 2, 4, head.Seq + 1, head.Seq + 10} {
		_, err := s.Append(ctxFor(t), expected, makeEvents(90, 2))
		expectConflict(t, err, expected, head.Seq)
		if h := mustHead(t, s); h != head {
			t.Fatalf("after a conflicting append at %d the head moved from %d to %d", expected, head.Seq, h.Seq)
		}
		expectEnvelopes(t, "log after a conflicting append", written, mustRead(t, s, 1, 100))
	}
	appendBatch(t, s, head.Seq, makeEvents(91, 1))
}

// testRace lets several goroutines append at the same expected head at
// once, for several rounds: each round exactly one must win and the others
// must get a conflict, and the log must hold only the winners' events.
func testRace(t *testing.T, open Factory) {
	const racers, rounds = 8, 5
	s := fresh(t, open)
	var winners []eventstore.Envelope
	for round := range rounds {
		head := mustHead(t, s)
		results := raceOnce(t, s, head.Seq, round, racers)
		won := 0
		for _, r := range results {
			switch {
			case r.err == nil:
				won++
				winners = append(winners, r.out...)
			case !errors.Is(r.err, eventstore.ErrConflict):
				t.Fatalf("round %d: a losing append failed with %v, want a conflict", round, r.err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d of %d appends at head %d succeeded, want exactly 1", round, won, racers, head.Seq)
		}
	}
	got := readAll(t, s)
	expectEnvelopes(t, "log after the races", winners, got)
	verifyChain(t, got)
}

// raceResult is one racer's outcome.
type raceResult struct {
	out []eventstore.Envelope
	err error
}

// raceOnce starts n appends at expected as close together as it can.
func raceOnce(t *testing.T, s eventstore.Store, expected uint64, round, n int) []raceResult {
	results := make([]raceResult, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			evs := makeEvents(100+round*n+i, 1+i%3)
			<-start
			results[i].out, results[i].err = s.Append(ctxFor(t), expected, evs)
		})
	}
	close(start)
	wg.Wait()
	return results
}

// testEmptyBatch pins down the documented choice for an empty batch: an
// adapter may treat it as a no-op or reject it, but it must write nothing,
// return no envelopes and leave the log usable.
func testEmptyBatch(t *testing.T, open Factory) {
	s := fresh(t, open)
	_, written := fill(t, s, 2)
	head := mustHead(t, s)
	for _, evs := range [][]eventstore.Event{nil, {}} {
		out, err := s.Append(ctxFor(t), head.Seq, evs)
		if err == nil && len(out) != 0 {
			t.Fatalf("empty append returned %d envelopes", len(out))
		}
		if h := mustHead(t, s); h != head {
			t.Fatalf("empty append moved the head from %d to %d", head.Seq, h.Seq)
		}
	}
	more := appendBatch(t, s, head.Seq, makeEvents(7, 2))
	all := readAll(t, s)
	expectEnvelopes(t, "log after empty appends", append(written, more...), all)
	verifyChain(t, all)
}
