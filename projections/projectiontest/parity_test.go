package projectiontest_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
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
	compared := projectiontest.CompareStored(t, projectiontest.ArgsFor(t, store), mem, reader, postgres.StoredText)
	t.Logf("parity: compared %v", compared)
	return reader
}

// TestJoinMovesGrantsParity: a company join gives the joining company the
// rights the absorbed company had on a third company's projects, and the
// RMA devices it was due to receive; neither project nor device is named
// by the join event, and Postgres must still follow.
func TestJoinMovesGrantsParity(t *testing.T) {
	s := projectiontest.NewScript(t)
	for _, p := range []domain.RegisterPerson{{Email: "ann@acme.example", Name: "Ann"}, {Email: "lee@beta.example", Name: "Lee"}} { // 2, 3
		s.Must(projectiontest.Vendor, p)
	}
	ann, lee := domain.Principal{Person: 2}, domain.Principal{Person: 3}
	s.Must(ann, domain.CreateCompany{Name: "Acme"})  // company 1, project 1
	s.Must(lee, domain.CreateCompany{Name: "Beta"})  // company 2, project 2
	s.Must(lee, domain.CreateCompany{Name: "Gamma"}) // company 3, project 3
	s.Must(ann, domain.GrantProjectRight{Project: 1, Grantee: 3})
	s.Must(projectiontest.Vendor, domain.RegisterDevices{OrderNumber: "ORD-1", Delivered: "2026-10-01",
		Devices: []domain.RegistryEntry{{MAC: "00-90-33-00-00-01", Type: "IP811"}}})
	s.Must(lee, domain.AddDevices{Project: 3, MACs: []string{"00-90-33-00-00-01"}})
	s.Must(lee, domain.RequestRMA{Company: 3, MAC: "00-90-33-00-00-01", Reason: "broken"})
	s.Must(lee, domain.JoinCompany{Company: 2, Absorbed: 3})
	parity(t, s.Store, 1) // the join alone in its batch: nothing else touches them
}

// TestUnstorableTextParity: a log holding text Postgres cannot store as it
// is (U+0000, other controls, a lone surrogate, invalid UTF-8) projects,
// one event per batch and in larger batches, and Postgres answers what
// memory answers with that text stored as documented (postgres.StoredText).
func TestUnstorableTextParity(t *testing.T) {
	store := projectiontest.Unstorable(t)
	parity(t, store, 1)
	parity(t, store, 7, 1024)
}
