package postgres

import (
	"context"
	"fmt"
	"reflect"
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

// MirrorDiff compares the mirror p kept batch by batch with the one load
// derives from the whole state at the same position, and names the
// tables whose rows differ: an event that changes rows its tags do not
// reach shows here.
func MirrorDiff(ctx context.Context, p *Projector) ([]string, error) {
	kept := p.t
	p.stale = true
	if err := p.load(ctx); err != nil {
		return nil, err
	}
	return rowsetDiff(reflect.ValueOf(kept).Elem(), reflect.ValueOf(p.t).Elem()), nil
}

// rowsetDiff walks the tables struct (and its embedded parts) and compares
// the rows of each rowset; fmt prints maps in key order.
func rowsetDiff(a, b reflect.Value) []string {
	var out []string
	for i := range a.NumField() {
		fa, fb, name := a.Field(i), b.Field(i), a.Type().Field(i).Name
		switch {
		case fa.Kind() == reflect.Struct:
			out = append(out, rowsetDiff(fa, fb)...)
		case fa.Kind() == reflect.Pointer && fa.Type().Elem().Kind() == reflect.Struct && fa.Elem().FieldByName("rows").IsValid():
			if ra, rb := fmt.Sprint(fa.Elem().FieldByName("rows")), fmt.Sprint(fb.Elem().FieldByName("rows")); ra != rb {
				out = append(out, fmt.Sprintf("%s:\n kept:    %.600s\n derived: %.600s", name, ra, rb))
			}
		}
	}
	return out
}
