package commands

import "testing"

// TestIdemExtendMatchesPut: a table rebuilt by replaying events (extend,
// with byte slices) answers like the table the writer filled (put).
func TestIdemExtendMatchesPut(t *testing.T) {
	put, replayed := newIdemTable(0), newIdemTable(4)
	replayed.s1, replayed.s2 = put.s1, put.s2
	cmds := []struct {
		id, digest string
		n          uint32
	}{{"a", "d1", 1}, {"b", "d2", 3}, {"", "d3", 1}, {"Zürich ✓", "", 2}}
	seq := uint64(1)
	for _, c := range cmds {
		put.put(c.id, c.digest, seq, c.n)
		for range c.n {
			replayed.extend([]byte(c.id), []byte(c.digest), seq)
			seq++
		}
	}
	for _, c := range cmds {
		want, ok1 := put.get(c.id)
		got, ok2 := replayed.get(c.id)
		if !ok1 || !ok2 || got != want || !replayed.sameDigest(got, c.digest) || replayed.sameDigest(got, c.digest+"x") {
			t.Fatalf("command %q: replayed %+v (%v), written %+v (%v)", c.id, got, ok2, want, ok1)
		}
	}
}
