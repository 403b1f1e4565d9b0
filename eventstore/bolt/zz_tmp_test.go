package bolt

import (
	"context"
	"testing"

	"github.com/innolic/ledger/eventstore"
)

func BenchmarkTmpSeal1000(b *testing.B) {
	evs := benchEvents(1000)
	for b.Loop() {
		seal(eventstore.Head{}, evs)
	}
}

func BenchmarkTmpAppendNoSync1000(b *testing.B) {
	s, _ := openTemp(b, Options{NoSync: true, PageSize: benchPageSize})
	evs := benchEvents(1000)
	var head uint64
	for b.Loop() {
		out, err := s.Append(context.Background(), head, evs)
		if err != nil {
			b.Fatal(err)
		}
		head = out[len(out)-1].Seq
	}
	reportRate(b, int64(head))
}
