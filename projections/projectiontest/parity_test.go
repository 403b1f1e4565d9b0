package projectiontest_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections/memory"
	"github.com/innolic/ledger/projections/postgres"
	"github.com/innolic/ledger/projections/postgres/pgtest"
	"github.com/innolic/ledger/projections/projectiontest"
)

// TestScriptedParity: the scripted scenario answers equally from memory
// and Postgres, fed one event per batch (every change must reach the rows
// through the tags of its own event) and in batches of 7 and 1024, and
// feeding the log a second time changes nothing.
func TestScriptedParity(t *testing.T) {
	s := projectiontest.Scripted(t)
	parity(t, s.Store, 1)
	reader := parity(t, s.Store, 7, 1024)
	pos := reader.Position()
	db := pgtest.Open(t)
	proj := mustProjector(t, db, s.Store)
	projectiontest.Feed(t, s.Store, proj, 3)
	projectiontest.Feed(t, s.Store, proj, 5) // at or below the checkpoint: a no-op
	if got := postgres.NewReader(db, catalog.Default(), 0).Position(); got != pos {
		t.Fatalf("position after feeding twice = %d, want %d", got, pos)
	}
}

// TestRandomParity: a seeded random command sequence answers equally.
// LEDGER_PARITY_SEED replays a given seed.
func TestRandomParity(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("LEDGER_PARITY_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	n := 300
	if testing.Short() {
		n = 120
	}
	s := projectiontest.Random(t, seed, n)
	parity(t, s.Store, 1)
	parity(t, s.Store, 64, 1, 300)
}

func mustProjector(t *testing.T, db *postgres.DB, store eventstore.Store) *postgres.Projector {
	t.Helper()
	p, err := postgres.NewProjector(context.Background(), db, store, catalog.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// parity feeds the log into both backends and compares every query.
func parity(t *testing.T, store eventstore.Store, sizes ...int) *postgres.Reader {
	t.Helper()
	mem := memory.New(catalog.Default())
	projectiontest.Feed(t, store, mem)
	db := pgtest.Open(t)
	projectiontest.Feed(t, store, mustProjector(t, db, store), sizes...)
	reader := postgres.NewReader(db, catalog.Default(), 0)
	compared := projectiontest.Compare(t, projectiontest.ArgsFor(t, store), mem, reader)
	t.Logf("parity: compared %v", compared)
	return reader
}
