package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// bulkMinEvents is how far behind the log a catch-up must start to set
// the indexes aside (deferIndexes): building an index afresh costs about
// as much as the rows already in the table, maintaining it as much as the
// rows added, so the catch-up must also add at least as many rows as the
// read models hold.
var bulkMinEvents uint64 = 100_000

// bulk says whether a catch-up from pos to head sets the indexes aside.
func bulk(pos, head uint64) bool {
	return head-pos >= bulkMinEvents && head-pos >= pos
}

// deferIndexes drops the indexes the projector's writes can do without,
// recording how to create each again in deferred_indexes in the same
// transaction: every index but the primary keys the upserts and deletes
// match on. history_contexts' goes too until a company join's merge needs
// it (restoreIndexesOf): its rows arrive in no order of the key. History's
// stays: positions arrive in order, so keeping it costs less than a
// build. Readers meanwhile answer, only slower.
func (db *DB) deferIndexes(ctx context.Context) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// The checkpoint lock orders this after any projector's batch; a
		// reader's transaction holding a table must not hold it up long.
		if _, err := readCheckpoint(ctx, tx, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '10s'"); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT i.relname, t.relname, pg_get_indexdef(x.indexrelid), coalesce(pg_get_constraintdef(c.oid), '')
			FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
			WHERE t.relnamespace = to_regnamespace(current_schema())
				AND t.relname NOT IN ('checkpoint', 'schema_migrations', 'deferred_indexes')
				AND (NOT x.indisprimary OR t.relname = 'history_contexts')`)
		idx, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (i [4]string, err error) {
			return i, r.Scan(&i[0], &i[1], &i[2], &i[3])
		})
		if err != nil {
			return fmt.Errorf("postgres: listing indexes: %w", err)
		}
		for _, i := range idx {
			name, table, def, constraint := i[0], i[1], i[2], i[3]
			drop, create := "DROP INDEX "+ident(name), def
			if constraint != "" {
				drop = "ALTER TABLE " + ident(table) + " DROP CONSTRAINT " + ident(name)
				create = "ALTER TABLE " + ident(table) + " ADD CONSTRAINT " + ident(name) + " " + constraint
			}
			if _, err := tx.Exec(ctx, drop); err != nil {
				return fmt.Errorf("postgres: setting index %s aside: %w", name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO deferred_indexes (name, tbl, definition) VALUES ($1, $2, $3)", name, table, create); err != nil {
				return err
			}
		}
		return nil
	})
}

// restoreIndexes creates every index set aside again, in one transaction
// holding the checkpoint lock, then analyzes the tables.
func (db *DB) restoreIndexes(ctx context.Context) error {
	restored := false
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM deferred_indexes").Scan(&n); err != nil || n == 0 {
			return err
		}
		if _, err := readCheckpoint(ctx, tx, true); err != nil {
			return err
		}
		restored = true
		return restoreIndexesOf(ctx, tx, "")
	})
	if err != nil || !restored {
		return err
	}
	return db.analyze(ctx)
}

// analyze gathers the planner's statistics of the schema's tables. After a
// bulk load the queries read millions of new rows at once, and autovacuum
// may be off or not have come round yet: without statistics the planner
// guesses, and chooses badly.
func (db *DB) analyze(ctx context.Context) error {
	rows, _ := db.Pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("postgres: listing the tables to analyze: %w", err)
	}
	for _, t := range tables {
		if _, err := db.Pool.Exec(ctx, "ANALYZE "+ident(t)); err != nil {
			return fmt.Errorf("postgres: analyzing %s: %w", t, err)
		}
	}
	return nil
}

// restoreIndexesOf creates the indexes of table set aside ("": of every
// table) in tx.
func restoreIndexesOf(ctx context.Context, tx pgx.Tx, table string) error {
	rows, _ := tx.Query(ctx, "DELETE FROM deferred_indexes WHERE $1 IN ('', tbl) RETURNING name, definition", table)
	defs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (d [2]string, err error) { return d, r.Scan(&d[0], &d[1]) })
	if err != nil {
		return fmt.Errorf("postgres: reading the indexes set aside: %w", err)
	}
	for _, d := range defs {
		if _, err := tx.Exec(ctx, d[1]); err != nil {
			return fmt.Errorf("postgres: creating index %s again: %w", d[0], err)
		}
	}
	return nil
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }
