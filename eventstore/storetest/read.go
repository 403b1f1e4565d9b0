package storetest

import (
	"fmt"
	"testing"
)

// testReadRanges reads from the middle, with limits, and past the head.
func testReadRanges(t *testing.T, open Factory) {
	s := fresh(t, open)
	_, all := fill(t, s, 4, 6, 1, 9) // 20 events
	n := uint64(len(all))
	cases := []struct {
		from uint64
		max  int
	}{
		{1, 1}, {1, 5}, {3, 2}, {5, 100}, {10, 7}, {11, 10}, {20, 1}, {20, 5}, {0, 3},
	}
	for _, c := range cases {
		lo := max(c.from, 1) - 1
		hi := min(lo+uint64(c.max), n)
		got := mustRead(t, s, c.from, c.max)
		expectEnvelopes(t, fmt.Sprintf("Read(from %d, max %d)", c.from, c.max), all[lo:hi], got)
	}
	for _, from := range []uint64{n + 1, n + 2, n + 1000} {
		if got := mustRead(t, s, from, 10); len(got) != 0 {
			t.Fatalf("Read(from %d) past the head %d returned %s, want nothing", from, n, seqs(got))
		}
	}
}

// testReadTag reads by tag: only the tagged events, in order, from a
// position and with a limit.
func testReadTag(t *testing.T, open Factory) {
	s := fresh(t, open)
	_, all := fill(t, s, 5, 4, 8, 3) // 20 events
	odd := withTag(all, tagOdd)
	if len(odd) == 0 || len(odd) == len(all) {
		t.Fatalf("suite bug: tag %q is on %d of %d events", tagOdd, len(odd), len(all))
	}
	cases := []struct {
		tag  string
		from uint64
		max  int
	}{
		{tagOdd, 1, 100}, {tagOdd, 1, 2}, {tagOdd, 7, 3}, {tagOdd, odd[2].Seq, 1},
		{tagOdd, odd[2].Seq + 1, 100}, {tagAll, 1, 100}, {tagAll, 15, 3}, {"company:c2", 1, 100},
	}
	for _, c := range cases {
		want := fromSeq(withTag(all, c.tag), c.from)
		want = want[:min(len(want), c.max)]
		got, err := s.ReadTag(ctxFor(t), c.tag, c.from, c.max)
		if err != nil {
			t.Fatalf("ReadTag(%q, from %d, max %d): %v", c.tag, c.from, c.max, err)
		}
		expectEnvelopes(t, fmt.Sprintf("ReadTag(%q, from %d, max %d)", c.tag, c.from, c.max), want, got)
	}
	for _, c := range []struct {
		tag  string
		from uint64
	}{{"company:none", 1}, {tagOdd, odd[len(odd)-1].Seq + 1}, {tagAll, 21}} {
		got, err := s.ReadTag(ctxFor(t), c.tag, c.from, 10)
		if err != nil || len(got) != 0 {
			t.Fatalf("ReadTag(%q, from %d) = %s, %v; want nothing", c.tag, c.from, seqs(got), err)
		}
	}
}
