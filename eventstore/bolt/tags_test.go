package bolt

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTagIndex holds the index (filled at Open from byte slices, and by
// commits from strings) to a plain list of positions per tag, for every
// start and limit: tags once, twice, many times and twice in one event.
func TestTagIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &Store{tags: map[string]postings{}}
	want := map[string][]uint64{}
	for seq := uint64(1); seq <= 3000; seq++ {
		tags := []string{fmt.Sprintf("key:%d", seq), fmt.Sprintf("company:%d", rng.IntN(50)), fmt.Sprintf("device:%d", rng.IntN(1500))}
		if seq%10 == 0 {
			tags = append(tags, tags[1]) // the same tag twice in one event
		}
		if seq <= 2000 { // as Open finds them
			b := make([][]byte, len(tags))
			for i, tag := range tags {
				b[i] = []byte(tag)
			}
			s.index(seq, b)
		} else { // as commits add them
			for _, tag := range tags {
				s.addTag(tag, seq)
			}
		}
		for _, tag := range tags {
			if w := want[tag]; len(w) == 0 || w[len(w)-1] != seq {
				want[tag] = append(w, seq)
			}
		}
	}
	for tag, seqs := range want {
		for _, from := range []uint64{0, 1, seqs[0], seqs[0] + 1, seqs[len(seqs)/2], seqs[len(seqs)-1], seqs[len(seqs)-1] + 1} {
			for _, limit := range []int{1, 2, 3, 1000} {
				i, _ := slices.BinarySearch(seqs, from)
				exp := seqs[i:min(len(seqs), i+limit)]
				if got := s.tagged(tag, from, limit); !slices.Equal(got, exp) {
					t.Fatalf("tagged(%q, from %d, limit %d) = %v, want %v", tag, from, limit, got, exp)
				}
			}
		}
	}
	if got := s.tagged("nope", 1, 10); got != nil {
		t.Fatalf("an unknown tag has positions %v", got)
	}
}
