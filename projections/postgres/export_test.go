package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

// SetFailInTx injects f into every transaction of p, after the rows are
// written and before the checkpoint moves: the crash tests' failure.
func SetFailInTx(p *Projector, f func(context.Context) error) { p.failInTx = f }

// SetBulkMinEvents makes catch-ups from n events behind bulk catch-ups
// (tests use small logs); the returned function restores the default.
func SetBulkMinEvents(n uint64) func() {
	old := bulkMinEvents
	bulkMinEvents = n
	return func() { bulkMinEvents = old }
}

// SetCopyMinRows makes tables with n new rows in a batch get them by COPY.
func SetCopyMinRows(n int) func() {
	old := copyMinRows
	copyMinRows = n
	return func() { copyMinRows = old }
}

// Dump renders every read-model table (all tables of the schema but
// schema_migrations) as sorted text rows, to compare two databases.
func Dump(ctx context.Context, db *DB) (string, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
		AND tablename <> 'schema_migrations' ORDER BY tablename`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, t := range tables {
		rows, _ := db.Pool.Query(ctx, "SELECT r::text FROM "+pgx.Identifier{t}.Sanitize()+` r ORDER BY r::text COLLATE "C"`)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return "", err
		}
		b.WriteString("== " + t + "\n" + strings.Join(lines, "\n") + "\n")
	}
	return b.String(), nil
}
