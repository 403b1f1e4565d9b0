package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/innolic/ledger/eventstore"
)

// testScan holds eventstore.Scan (the store's Scanner, if it has one) to
// Read: the same events, field for field, over inner and outer ranges, and
// an error from the callback ends the scan with that error.
func testScan(t *testing.T, open Factory) {
	s := fresh(t, open)
	_, all := fill(t, s, 4, 6, 1, 9) // 20 events
	n := uint64(len(all))
	for _, c := range []struct{ from, to uint64 }{{1, n}, {0, n}, {3, 3}, {5, 17}, {18, n + 10}, {n + 1, n + 5}, {7, 6}} {
		var got []eventstore.Raw
		err := eventstore.Scan(ctxFor(t), s, c.from, c.to, func(r *eventstore.Raw) error {
			// Views are valid only during the callback: keep copies.
			got = append(got, eventstore.Raw{Seq: r.Seq, Type: r.Type, Command: bytes.Clone(r.Command),
				Digest: bytes.Clone(r.Digest), Person: bytes.Clone(r.Person), Channel: bytes.Clone(r.Channel),
				Data: bytes.Clone(r.Data), Hash: r.Hash})
			return nil
		})
		what := fmt.Sprintf("Scan(%d, %d)", c.from, c.to)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		lo, hi := max(c.from, 1)-1, min(c.to, n)
		want := all[min(lo, hi):hi]
		if len(got) != len(want) {
			t.Fatalf("%s returned %d events, want %d", what, len(got), len(want))
		}
		read := mustRead(t, s, max(c.from, 1), len(want))
		for i := range want {
			if d := sameRaw(eventstore.RawOf(&read[i]), got[i]); d != "" || got[i].Seq != want[i].Seq {
				t.Fatalf("%s: event %d (seq %d, want %d) differs from Read: %s", what, i, got[i].Seq, want[i].Seq, d)
			}
		}
	}
	stop := fmt.Errorf("stop")
	calls := 0
	err := eventstore.Scan(ctxFor(t), s, 1, n, func(*eventstore.Raw) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("Scan with a failing callback: %d calls, error %v; want 1 call and the callback's error", calls, err)
	}
}

// sameRaw names the first field in which got differs from want.
func sameRaw(want, got eventstore.Raw) string {
	switch {
	case got.Seq != want.Seq:
		return fmt.Sprintf("seq %d, want %d", got.Seq, want.Seq)
	case got.Type != want.Type:
		return fmt.Sprintf("type %q, want %q", got.Type, want.Type)
	case !bytes.Equal(got.Command, want.Command):
		return fmt.Sprintf("command %q, want %q", got.Command, want.Command)
	case !bytes.Equal(got.Digest, want.Digest):
		return fmt.Sprintf("digest %q, want %q", got.Digest, want.Digest)
	case !bytes.Equal(got.Person, want.Person):
		return fmt.Sprintf("person %q, want %q", got.Person, want.Person)
	case !bytes.Equal(got.Channel, want.Channel):
		return fmt.Sprintf("channel %q, want %q", got.Channel, want.Channel)
	case !bytes.Equal(got.Data, want.Data):
		return fmt.Sprintf("data %s, want %s", got.Data, want.Data)
	case got.Hash != want.Hash:
		return fmt.Sprintf("hash %s, want %s", got.Hash, want.Hash)
	}
	return ""
}
