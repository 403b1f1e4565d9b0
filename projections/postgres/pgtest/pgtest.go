// Package pgtest gives tests a fresh Postgres schema for the read models.
// The database is named by LEDGER_POSTGRES_TEST_URL; without it the tests
// skip, except under CI=true, where a missing or unreachable database is a
// failure (CI installs and starts one, see .ci/run).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/projections/postgres"
)

// EnvURL names the variable holding the test database's URL.
const EnvURL = "LEDGER_POSTGRES_TEST_URL"

// URL returns the test database's URL, or skips (fails under CI=true).
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(EnvURL)
	if url == "" {
		unavailable(t, EnvURL+" is not set (e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable)")
	}
	return url
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("Postgres read-model tests cannot run under CI=true: %s", why)
	}
	t.Skipf("skipping Postgres read-model tests: %s", why)
}

// Open opens the read models in a new schema with a random name, dropped
// when the test ends, so concurrent runs never share tables.
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	url := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		unavailable(t, EnvURL+" is set but the database is unreachable: "+err.Error())
	}
	conn.Close(ctx)
	schema := NewSchema()
	db, err := postgres.Open(ctx, url, postgres.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Drop(t, db) })
	return db
}

// NewSchema returns a fresh schema name.
func NewSchema() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "ledger_test_" + hex.EncodeToString(b)
}

// Drop drops db's schema and closes it.
func Drop(t testing.TB, db *postgres.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.Pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{db.Schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("dropping test schema %s: %v", db.Schema, err)
	}
	db.Close()
}
