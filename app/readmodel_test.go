package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/eventstore/memstore"
	"github.com/innolic/ledger/projections/postgres"
	"github.com/innolic/ledger/projections/postgres/pgtest"
)

// syncBuffer is a log destination several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// get serves a request as the vendor administrator.
func get(n *app.Node, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer secret-admin-token")
	rec := httptest.NewRecorder()
	n.Server.ServeHTTP(rec, req)
	return rec
}

// eventually polls cond until it holds, failing the test after 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// TestPostgresProjectorRecovers: the Postgres projector is made to fail
// at its checkpoint update, by a trigger that kills its connection
// (pg_terminate_backend: a transient failure the projector retries
// itself) or raises an error (the runner restarts it from the
// checkpoint). The failure is logged at error level with the model and
// position, counted in /metrics, turns /readyz to 503 with the reason and
// answers ?after= with it; once the trigger is gone the node recovers by
// itself, /readyz is 200 again, and the tables equal a clean rebuild's.
func TestPostgresProjectorRecovers(t *testing.T) {
	for _, c := range []struct{ name, body, reason string }{
		{"connection killed", "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW;", "terminating connection"},
		{"error", "RAISE EXCEPTION 'checkpoint refused by the test'; RETURN NEW;", "checkpoint refused by the test"},
	} {
		t.Run(c.name, func(t *testing.T) { projectorRecovers(t, c.body, c.reason) })
	}
}

func projectorRecovers(t *testing.T, trigger, reason string) {
	db := pgtest.Open(t)
	url := pgtest.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	url += sep + "search_path=" + db.Schema
	ctx := context.Background()
	store := memstore.New()
	logs := &syncBuffer{}
	n, err := app.Start(ctx, app.Config{Store: store, AdminToken: "secret-admin-token", PostgresURL: url,
		Logger: slog.New(slog.NewTextHandler(logs, nil)), MaxWait: 200 * time.Millisecond,
		RetryMin: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	eventually(t, "the node is ready", func() bool { return get(n, "/readyz").Code == http.StatusOK })

	for _, sql := range []string{
		"CREATE FUNCTION fail_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " + trigger + " END $$",
		"CREATE TRIGGER fail_checkpoint BEFORE UPDATE ON checkpoint FOR EACH ROW EXECUTE FUNCTION fail_checkpoint()",
	} {
		if _, err := db.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	applied, err := store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	written := call(t, n, http.MethodPost, "/v1/companies", `{"name":"Acme"}`, `"position"`)
	pos := regexp.MustCompile(`"position":(\d+)`).FindStringSubmatch(written)[1]

	eventually(t, "/readyz reports the failure", func() bool {
		rec := get(n, "/readyz")
		return rec.Code == http.StatusServiceUnavailable && strings.Contains(rec.Body.String(), "read-model-failed") &&
			strings.Contains(rec.Body.String(), reason)
	})
	if rec := get(n, "/v1/companies/1?after="+pos); rec.Code != http.StatusServiceUnavailable ||
		!strings.Contains(rec.Body.String(), "read-model-failed") || !strings.Contains(rec.Body.String(), reason) {
		t.Errorf("a query waiting for position %s while the projector fails = %d %s, want 503 read-model-failed with the reason",
			pos, rec.Code, rec.Body)
	}
	metric := regexp.MustCompile(`(?m)^ledger_read_model_errors_total\{model="postgres"\} (\d+)$`)
	if m := metric.FindStringSubmatch(get(n, "/metrics").Body.String()); m == nil || m[1] == "0" {
		t.Errorf("/metrics counts %v read-model errors, want some", m)
	}
	failure := regexp.MustCompile(fmt.Sprintf(`(?m)^.*level=ERROR msg="read model failed; .* model=postgres position=%d .*$`, applied.Seq))
	if !failure.MatchString(logs.String()) {
		t.Errorf("no error record with the model and position %d in the log:\n%s", applied.Seq, logs)
	}

	if _, err := db.Pool.Exec(ctx, "DROP TRIGGER fail_checkpoint ON checkpoint"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "/readyz is 200 again", func() bool { return get(n, "/readyz").Code == http.StatusOK })
	call(t, n, http.MethodGet, "/v1/companies/1?after="+pos, "", `"Acme"`)
	if !strings.Contains(logs.String(), "read model running again") {
		t.Error("the recovery is not logged")
	}

	// Exactly once: the tables equal those of a rebuild from the log.
	clean := pgtest.Open(t)
	if err := postgres.Rebuild(ctx, clean, store, catalog.Default(), nil); err != nil {
		t.Fatal(err)
	}
	if got, want := tables(t, db), tables(t, clean); got != want {
		t.Fatalf("tables after the recovery:\n%s\nwant (a rebuild):\n%s", got, want)
	}
}

// tables renders every read-model table as sorted text rows.
func tables(t *testing.T, db *postgres.DB) string {
	t.Helper()
	ctx := context.Background()
	rows, _ := db.Pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
		AND tablename NOT IN ('schema_migrations') ORDER BY tablename`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, name := range names {
		rows, _ := db.Pool.Query(ctx, "SELECT r::text FROM "+pgx.Identifier{name}.Sanitize()+` r ORDER BY r::text COLLATE "C"`)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("== " + name + "\n" + strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

// TestReadyzNamesAFailedCatchUp: a node whose Postgres read models fail
// while catching up at start answers /readyz with the failure, not with
// "catching-up", and becomes ready by itself once the cause is gone.
func TestReadyzNamesAFailedCatchUp(t *testing.T) {
	db := pgtest.Open(t) // migrated: the trigger goes on its checkpoint before the node starts
	ctx := context.Background()
	for _, sql := range []string{
		"CREATE FUNCTION fail_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$",
		"CREATE TRIGGER fail_checkpoint BEFORE UPDATE ON checkpoint FOR EACH ROW EXECUTE FUNCTION fail_checkpoint()",
	} {
		if _, err := db.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	url := pgtest.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	n, err := app.Start(ctx, app.Config{Store: memstore.New(), AdminToken: "secret-admin-token", PostgresURL: url + sep + "search_path=" + db.Schema,
		Logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil)), RetryMin: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	eventually(t, "/readyz names the failure", func() bool {
		rec := get(n, "/readyz")
		return rec.Code == http.StatusServiceUnavailable && strings.Contains(rec.Body.String(), "read-model-failed") &&
			strings.Contains(rec.Body.String(), "disk full (test)")
	})
	if _, err := db.Pool.Exec(ctx, "DROP TRIGGER fail_checkpoint ON checkpoint"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the node is ready", func() bool { return get(n, "/readyz").Code == http.StatusOK })
}
