package app

import (
	"context"
	"log/slog"
	"testing"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/memstore"
)

// emptyHead is a log seen by a node that read its head just before another
// node bootstrapped it.
type emptyHead struct{ *memstore.Store }

func (emptyHead) Head(context.Context) (eventstore.Head, error) { return eventstore.Head{}, nil }

// TestBootstrapOnceAcrossNodes: two nodes starting on one empty log do not
// both bootstrap it. The one that loses the race issues no token (its own
// would never work) and starts all the same; the log holds one
// administrator.
func TestBootstrapOnceAcrossNodes(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	open := func() *commands.Writer {
		w, err := commands.Open(ctx, mem, catalog.Default(), commands.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Close)
		return w
	}
	first, second := open(), open() // both replayed the empty log
	tok, err := bootstrap(ctx, Config{Store: mem}, first)
	if err != nil || tok == "" {
		t.Fatalf("first node: token %q, %v", tok, err)
	}
	h, _ := mem.Head(ctx)
	tok2, err := bootstrap(ctx, Config{Store: emptyHead{mem}, Logger: slog.Default()}, second)
	if err != nil || tok2 != "" {
		t.Fatalf("second node: token %q, %v; want no token and no error", tok2, err)
	}
	if h2, _ := mem.Head(ctx); h2 != h {
		t.Fatalf("the second bootstrap wrote: head %d -> %d", h.Seq, h2.Seq)
	}
}
