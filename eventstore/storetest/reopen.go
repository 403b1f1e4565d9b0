package storetest

import (
	"errors"
	"testing"

	"github.com/innolic/ledger/eventstore"
)

// testReopen closes a log and opens it again by name: everything is still
// there, also by tag, the chain verifies, and appends continue after the
// old head.
func testReopen(t *testing.T, open Factory) {
	name := uniqueName(t)
	s := openStore(t, open, name)
	_, all := fill(t, s, 3, 5)
	head := mustHead(t, s)
	mustClose(t, s)

	for round := range 2 {
		s = openStore(t, open, name)
		got := readAll(t, s)
		expectEnvelopes(t, "log after reopening", all, got)
		if v := verifyChain(t, got); v != head {
			t.Fatalf("reopened log verifies to %d/%s, want %d/%s", v.Seq, v.Hash, head.Seq, head.Hash)
		}
		if h := mustHead(t, s); h != head {
			t.Fatalf("reopened log has head %d/%s, want %d/%s", h.Seq, h.Hash, head.Seq, head.Hash)
		}
		for _, tag := range []string{tagAll, tagOdd, "company:c3", "company:c21"} {
			got, err := s.ReadTag(ctxFor(t), tag, 1, 100)
			if err != nil {
				t.Fatal(err)
			}
			expectEnvelopes(t, "ReadTag("+tag+") after reopening", withTag(all, tag), got)
		}
		more := appendBatch(t, s, head.Seq, makeEvents(20+round, 4))
		if more[0].Seq != head.Seq+1 || more[0].Prev != head.Hash {
			t.Fatalf("first append after reopening got seq %d prev %s, want seq %d prev %s", more[0].Seq, more[0].Prev, head.Seq+1, head.Hash)
		}
		all = append(all, more...)
		head = eventstore.Head{Seq: more[len(more)-1].Seq, Hash: more[len(more)-1].Hash}
		mustClose(t, s)
	}
}

// mustClose closes s and fails the test on error.
func mustClose(t testing.TB, s eventstore.Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// testClosed checks that every call on a closed store returns ErrClosed,
// and that closing twice does no harm.
func testClosed(t *testing.T, open Factory) {
	s := fresh(t, open)
	fill(t, s, 2)
	mustClose(t, s)
	ctx := ctxFor(t)
	_, errAppend := s.Append(ctx, 2, makeEvents(1, 1))
	_, errRead := s.Read(ctx, 1, 10)
	_, errTag := s.ReadTag(ctx, tagAll, 1, 10)
	_, errHead := s.Head(ctx)
	errFollow := s.Follow(ctx, 1, func(eventstore.Envelope) error { return nil })
	for call, err := range map[string]error{"Append": errAppend, "Read": errRead, "ReadTag": errTag, "Head": errHead, "Follow": errFollow} {
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("%s on a closed store returned %v, want ErrClosed", call, err)
		}
	}
	if err := s.Close(); err != nil && !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("second Close returned %v, want nil or ErrClosed", err)
	}
}
