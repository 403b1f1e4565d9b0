package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/projections/postgres"
	"github.com/innolic/ledger/projections/postgres/pgtest"
	"github.com/innolic/ledger/projections/projectiontest"
	"github.com/innolic/ledger/replay"
)

func projector(t *testing.T, db *postgres.DB, store eventstore.Store) *postgres.Projector {
	t.Helper()
	p, err := postgres.NewProjector(context.Background(), db, store, catalog.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dump(t *testing.T, db *postgres.DB) string {
	t.Helper()
	d, err := postgres.Dump(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func checkpoint(t *testing.T, db *postgres.DB) uint64 {
	t.Helper()
	cp, err := db.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cp.Position
}

// TestExactlyOnceAcrossFailures fails batches inside their transaction
// (after the rows are written, before the checkpoint moves) with an error
// and with a cancelled context, restarts the projector from the checkpoint
// and requires every table to equal a clean run's, row for row.
func TestExactlyOnceAcrossFailures(t *testing.T) {
	s := projectiontest.Random(t, 7, 300)
	recs := projectiontest.Records(t, s.Store)
	clean := pgtest.Open(t)
	projectiontest.Feed(t, s.Store, projector(t, clean, s.Store), 50)
	want := dump(t, clean)

	db := pgtest.Open(t)
	p := projector(t, db, s.Store)
	ctx := context.Background()
	third := len(recs) / 3
	if err := p.Apply(ctx, recs[:third]); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)

	boom := errors.New("injected failure")
	postgres.SetFailInTx(p, func(context.Context) error { return boom })
	if err := p.Apply(ctx, recs[third:2*third]); !errors.Is(err, boom) {
		t.Fatalf("Apply with an injected failure = %v, want it", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	postgres.SetFailInTx(p, func(context.Context) error { cancel(); return cctx.Err() })
	if err := p.Apply(cctx, recs[third:2*third]); err == nil {
		t.Fatal("Apply with a cancelled context succeeded")
	}
	if got := dump(t, db); got != before {
		t.Fatalf("a failed batch changed the tables:\n%s", diff(before, got))
	}
	if got := checkpoint(t, db); got != recs[third-1].Env.Seq {
		t.Fatalf("checkpoint after failures = %d, want %d", got, recs[third-1].Env.Seq)
	}

	// The failed projector recovers by itself (it reloads its state from
	// the log at the checkpoint) ...
	postgres.SetFailInTx(p, nil)
	if err := p.Apply(ctx, recs[third:2*third]); err != nil {
		t.Fatal(err)
	}
	// ... and a new process restarts from the checkpoint; feeding it the
	// whole log applies only what lies beyond.
	projectiontest.Feed(t, s.Store, projector(t, db, s.Store), 64)
	if got := dump(t, db); got != want {
		t.Fatalf("tables after failures and restart differ from a clean run:\n%s", diff(want, got))
	}
}

// TestBatchAtOrBelowCheckpointIsNoop: re-applying applied records writes
// nothing, also from a second projector on the same schema.
func TestBatchAtOrBelowCheckpointIsNoop(t *testing.T) {
	s := projectiontest.Scripted(t)
	db := pgtest.Open(t)
	p := projector(t, db, s.Store)
	projectiontest.Feed(t, s.Store, p, 10)
	want := dump(t, db)
	other := projector(t, db, s.Store)
	recs := projectiontest.Records(t, s.Store)
	for _, batch := range [][]replay.Record{recs, recs[:5], recs[len(recs)-1:]} {
		for _, q := range []*postgres.Projector{p, other} {
			if err := q.Apply(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := dump(t, db); got != want {
		t.Fatalf("re-applying changed the tables:\n%s", diff(want, got))
	}
}

// TestRefusesAnotherLog: read models built from one log are not continued
// from another.
func TestRefusesAnotherLog(t *testing.T) {
	a, b := projectiontest.Scripted(t), projectiontest.Random(t, 1, 60)
	db := pgtest.Open(t)
	projectiontest.Feed(t, a.Store, projector(t, db, a.Store))
	_, err := postgres.NewProjector(context.Background(), db, b.Store, catalog.Default(), nil)
	if err == nil || !strings.Contains(err.Error(), "rebuild") {
		t.Fatalf("NewProjector on another log = %v, want a refusal naming rebuild", err)
	}
}

// TestRebuild drops the tables and rebuilds them equal to incremental
// application; migrations are idempotent on reopen.
func TestRebuild(t *testing.T) {
	s := projectiontest.Random(t, 3, 200)
	db := pgtest.Open(t)
	projectiontest.Feed(t, s.Store, projector(t, db, s.Store), 1)
	want := dump(t, db)
	var last uint64
	if err := postgres.Rebuild(context.Background(), db, s.Store, catalog.Default(), func(pos, _ uint64) { last = pos }); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db); got != want {
		t.Fatalf("rebuilt tables differ:\n%s", diff(want, got))
	}
	if h, _ := s.Store.Head(context.Background()); last != h.Seq {
		t.Fatalf("progress ended at %d, head is %d", last, h.Seq)
	}
	db2, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{Schema: db.Schema})
	if err != nil {
		t.Fatalf("reopening (migrations applied already): %v", err)
	}
	db2.Close()
}

// TestMirrorFollowsEveryChange: fed one event per batch, the projector's
// mirror (what it believes the tables hold, from the entities each event's
// tags name) equals the mirror derived from the whole state, for seeded
// random command sequences.
func TestMirrorFollowsEveryChange(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		s := projectiontest.Random(t, seed, 300)
		db := pgtest.Open(t)
		p := projector(t, db, s.Store)
		projectiontest.Feed(t, s.Store, p, 1)
		diffs, err := postgres.MirrorDiff(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffs {
			t.Errorf("seed %d: %s", seed, d)
		}
	}
}

// diff shows the first differing lines of two dumps.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)) && len(out) < 10; i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, "- "+a, "+ "+b)
		}
	}
	return strings.Join(out, "\n")
}

// TestPostingsReconcile: the postings of the scripted scenario sum to zero
// per event and license type, and the project accounts sum to the
// balances table, as a license department's reconciliation would check
// (project joins included: ProjectJoined posts the balance it moves).
func TestPostingsReconcile(t *testing.T) {
	s := projectiontest.Scripted(t)
	db := pgtest.Open(t)
	projectiontest.Feed(t, s.Store, projector(t, db, s.Store), 4)
	ctx := context.Background()
	var legs, unbalanced, mismatched int
	if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM postings").Scan(&legs); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT position, type, version FROM postings
		GROUP BY 1, 2, 3 HAVING sum(amount) <> 0) x`).Scan(&unbalanced); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM (
			SELECT substr(account, 9)::bigint AS project, type, version, sum(amount) AS q FROM postings
			WHERE account LIKE 'project:%' GROUP BY 1, 2, 3) p
		FULL JOIN balances b ON b.project = p.project AND b.type = p.type AND b.version = p.version
		WHERE coalesce(p.q, 0) <> coalesce(b.quantity, 0)`).Scan(&mismatched); err != nil {
		t.Fatal(err)
	}
	if legs == 0 || unbalanced != 0 || mismatched != 0 {
		t.Fatalf("postings: %d legs, %d unbalanced (event, type), %d project balances differing from postings", legs, unbalanced, mismatched)
	}
}

// indexes lists the indexes of db's schema with their definitions.
func indexes(t *testing.T, db *postgres.DB) string {
	t.Helper()
	rows, _ := db.Pool.Query(context.Background(), `SELECT indexname || ': ' || replace(indexdef, current_schema() || '.', '')
		FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`)
	defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(defs, "\n")
}

// deferred counts the indexes a bulk catch-up set aside, seen from inside
// the projector's transaction.
func deferred(ctx context.Context, db *postgres.DB) (n int, err error) {
	return n, db.Pool.QueryRow(ctx, "SELECT count(*) FROM deferred_indexes").Scan(&n)
}

// TestBulkCatchUp: a catch-up far behind the log sets the indexes aside,
// copies new rows in, and creates the indexes again at the end. The
// tables and indexes equal those of one event per batch, for the scripted
// scenario (rows in every table) and a random one with company joins
// (their merge takes history_contexts' primary key back mid-way).
func TestBulkCatchUp(t *testing.T) {
	defer postgres.SetBulkMinEvents(1)()
	defer postgres.SetCopyMinRows(1)()
	random := projectiontest.Random(t, 13, 200) // a seed whose log has a company join
	joins := 0
	for _, r := range projectiontest.Records(t, random.Store) {
		if _, ok := r.Event.(domain.CompanyJoined); ok {
			joins++
		}
	}
	if joins == 0 {
		t.Fatal("the log has no company join; pick another seed")
	}
	for _, s := range []*projectiontest.Script{projectiontest.Scripted(t), random} {
		clean := pgtest.Open(t)
		projectiontest.Feed(t, s.Store, projector(t, clean, s.Store), 1)

		db := pgtest.Open(t)
		p := projector(t, db, s.Store)
		var aside []int
		postgres.SetFailInTx(p, func(ctx context.Context) error {
			n, err := deferred(ctx, db)
			aside = append(aside, n)
			return err
		})
		if err := p.CatchUp(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if len(aside) == 0 || aside[0] == 0 {
			t.Fatalf("indexes set aside during the catch-up: %v, want some", aside)
		}
		if got, want := dump(t, db), dump(t, clean); got != want {
			t.Fatalf("tables after a bulk catch-up differ:\n%s", diff(want, got))
		}
		if got, want := indexes(t, db), indexes(t, clean); got != want {
			t.Fatalf("indexes after a bulk catch-up differ:\n%s", diff(want, got))
		}
		// The bulk load ends with statistics for the planner (reltuples
		// is -1 until a table is analyzed or vacuumed).
		rows, _ := db.Pool.Query(context.Background(), `SELECT c.relname FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.reltuples < 0`)
		if unanalyzed, err := pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(unanalyzed) > 0 {
			t.Fatalf("tables without statistics after a bulk catch-up: %v (%v)", unanalyzed, err)
		}
	}
}

// TestBulkCatchUpCrash: a bulk catch-up failing in a batch commits
// nothing of it and leaves the indexes aside; the next projector creates
// them again at its start, and catching up then equals a clean run.
func TestBulkCatchUpCrash(t *testing.T) {
	defer postgres.SetBulkMinEvents(1)()
	s := projectiontest.Random(t, 5, 200)
	clean := pgtest.Open(t)
	projectiontest.Feed(t, s.Store, projector(t, clean, s.Store))
	ctx := context.Background()

	db := pgtest.Open(t)
	want := indexes(t, db)
	p := projector(t, db, s.Store)
	boom := errors.New("injected failure")
	postgres.SetFailInTx(p, func(context.Context) error { return boom })
	if err := p.CatchUp(ctx, nil); !errors.Is(err, boom) {
		t.Fatalf("CatchUp with an injected failure = %v, want it", err)
	}
	if n, err := deferred(ctx, db); err != nil || n == 0 {
		t.Fatalf("indexes set aside after the failure: %d (%v), want some", n, err)
	}
	if got := checkpoint(t, db); got != 0 {
		t.Fatalf("checkpoint after the failure = %d, want 0", got)
	}
	p = projector(t, db, s.Store)
	if got := indexes(t, db); got != want {
		t.Fatalf("indexes after a restart differ:\n%s", diff(want, got))
	}
	if err := p.CatchUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, db), dump(t, clean); got != want {
		t.Fatalf("tables after a failed bulk catch-up and a restart differ:\n%s", diff(want, got))
	}
	if got := indexes(t, db); got != want {
		t.Fatalf("indexes after the catch-up differ:\n%s", diff(want, got))
	}
}

// TestRunnerCatchesUpFirst: the runner lets the projector catch up in
// bulk, reports the positions it commits, then follows the log as it
// grows; the tables equal one event per batch.
func TestRunnerCatchesUpFirst(t *testing.T) {
	defer postgres.SetBulkMinEvents(1)()
	s := projectiontest.Random(t, 5, 200)
	ctx := context.Background()
	db := pgtest.Open(t)
	p := projector(t, db, s.Store)
	var bulk atomic.Int64 // indexes aside in the first transaction
	postgres.SetFailInTx(p, func(ctx context.Context) error {
		n, err := deferred(ctx, db)
		bulk.CompareAndSwap(0, int64(n)+1)
		return err
	})
	r := projections.NewRunner(s.Store, p, projections.RunnerOptions{Model: "postgres"})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("runner stopped with %v", err)
		}
	}()
	h, _ := s.Store.Head(ctx)
	wctx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	if err := r.WaitFor(wctx, h.Seq); err != nil {
		t.Fatal(err)
	}
	if bulk.Load() < 2 {
		t.Fatal("the runner did not let the projector catch up in bulk")
	}
	res := s.Must(projectiontest.Vendor, domain.IssueKey{Code: "AFTER-CATCH-UP", OrderNumber: "SO-1",
		Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 5}}})
	if err := r.WaitFor(wctx, res.Last()); err != nil {
		t.Fatal(err)
	}
	clean := pgtest.Open(t)
	projectiontest.Feed(t, s.Store, projector(t, clean, s.Store), 1)
	if got, want := dump(t, db), dump(t, clean); got != want {
		t.Fatalf("tables after the runner's catch-up and follow differ:\n%s", diff(want, got))
	}
}
