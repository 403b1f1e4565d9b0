package commands

import (
	"fmt"
	"testing"
	"unsafe"
)

// TestIdemExtendMatchesPut: a table rebuilt by replaying events (extend,
// with byte slices) answers like the table the writer filled (get, add).
func TestIdemExtendMatchesPut(t *testing.T) {
	put, replayed := newIdemTable(0), newIdemTable(4)
	replayed.s1, replayed.s2 = put.s1, put.s2
	cmds := []struct {
		id, digest string
		n          uint32
	}{{"a", "d1", 1}, {"b", "d2", 3}, {"", "d3", 1}, {"Zürich ✓", "", 2}}
	seq := uint64(1)
	for _, c := range cmds {
		record(t, put, c.id, c.digest, seq, c.n)
		for range c.n {
			replayed.extend([]byte(c.id), []byte(c.digest), seq)
			seq++
		}
	}
	for _, c := range cmds {
		_, want, ok1 := put.get(c.id)
		_, got, ok2 := replayed.get(c.id)
		if !ok1 || !ok2 || got != want || !replayed.sameDigest(got, c.digest) || replayed.sameDigest(got, c.digest+"x") {
			t.Fatalf("command %q: replayed %+v (%v), written %+v (%v)", c.id, got, ok2, want, ok1)
		}
	}
}

// TestIdemTableGrows: a table filled far past its first size, while some
// commands gain events, keeps every entry and tells them apart; it grows a
// little at a time, and a slot stays 48 bytes.
func TestIdemTableGrows(t *testing.T) {
	tb := newIdemTable(0)
	const n = 5000
	events := make([]uint32, n)
	growing := 0
	for i := range n {
		record(t, tb, fmt.Sprint("cmd-", i), fmt.Sprint("d-", i%7), uint64(i*3+1), uint32(i%4))
		events[i] = uint32(i % 4)
		if j := i * 7 % (i + 1); i%3 == 0 { // one more event for an earlier command
			tb.extend([]byte(fmt.Sprint("cmd-", j)), nil, 0)
			events[j]++
		}
		if tb.old != nil {
			growing++
		}
	}
	if tb.used != n || growing == 0 {
		t.Fatalf("%d entries in %d slots, %d inserts while growing", tb.used, len(tb.slots), growing)
	}
	for i := range n {
		_, e, ok := tb.get(fmt.Sprint("cmd-", i))
		if !ok || e.first != uint64(i*3+1) || e.n != events[i] || !tb.sameDigest(e, fmt.Sprint("d-", i%7)) {
			t.Fatalf("command %d: %+v, %v", i, e, ok)
		}
	}
	if _, _, ok := tb.get("cmd-x"); ok {
		t.Fatal("an unknown command id was found")
	}
	if size := unsafe.Sizeof(idemSlot{}); size != 48 {
		t.Fatalf("a slot takes %d bytes", size)
	}
}

// record adds a command as the writer does: looked up, not found, added.
func record(t *testing.T, tb *idemTable, id, digest string, first uint64, n uint32) {
	t.Helper()
	k, _, found := tb.get(id)
	if found {
		t.Fatalf("command %q recorded twice", id)
	}
	tb.add(k, digest, first, n)
}
