// Package postgres keeps the ledger's read models in PostgreSQL, in tables
// a license department can query with plain SQL (persons, companies,
// members, projects, balances, keys, history, checkpoint), and answers the
// projections.Reader queries from them with the same answers as the memory
// backend.
//
// The write side is a Projector: it applies the log in batches and writes
// the changed rows together with the checkpoint in one transaction, so a
// crash between or inside batches neither loses nor repeats anything. The
// read side is a Reader: plain SQL over a pool, usable by any number of API
// instances, with Position read from the checkpoint so ?after= works across
// processes.
//
// Everything lives in one schema (default "ledger", or the search_path given
// in the URL): the schema is created and migrated at Open by the embedded,
// numbered SQL files in migrations/, and `ledger rebuild` drops and
// rebuilds it from the log.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultSchema holds the read models unless the URL names another
// search_path.
const DefaultSchema = "ledger"

// Options tune Open.
type Options struct {
	// Schema overrides the schema (default: the URL's search_path, else
	// DefaultSchema). Tests use a fresh random schema per run.
	Schema string
	// MaxConns bounds the pool (default: pgxpool's, max(4, cores)).
	MaxConns int32
}

// DB is a connection pool bound to the read models' schema, migrated.
type DB struct {
	Pool   *pgxpool.Pool
	Schema string
}

var validSchema = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Open connects, creates the schema if needed and applies the pending
// migrations.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	schema := opts.Schema
	if schema == "" {
		schema = cfg.ConnConfig.RuntimeParams["search_path"]
	}
	if schema == "" {
		schema = DefaultSchema
	}
	if !validSchema.MatchString(schema) {
		return nil, fmt.Errorf("postgres: schema %q: use one lower-case identifier", schema)
	}
	// Every connection resolves the tables in the schema, so the SQL in
	// this package and in the migrations never names it.
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{Pool: pool, Schema: schema}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Reset drops the schema with every read model in it and migrates it anew:
// the first step of a rebuild. Projectors of other processes working on
// the schema must be stopped first; theirs would fail on the moved
// checkpoint and stop.
func (db *DB) Reset(ctx context.Context) error {
	if _, err := db.Pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{db.Schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("postgres: dropping schema %s: %w", db.Schema, err)
	}
	return db.migrate(ctx)
}

// Checkpoint is the last position applied to the read models.
type Checkpoint struct {
	Position uint64
	Hash     string // hex hash of the event at Position ("" at 0)
}

// Checkpoint reads the committed checkpoint.
func (db *DB) Checkpoint(ctx context.Context) (Checkpoint, error) {
	return readCheckpoint(ctx, db.Pool, false)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const checkpointName = "read-models"

func readCheckpoint(ctx context.Context, q querier, forUpdate bool) (Checkpoint, error) {
	sql := "SELECT position, hash FROM checkpoint WHERE name = $1"
	if forUpdate {
		// The row lock serializes projectors of several processes: the
		// second waits, then sees the batch already applied.
		sql += " FOR UPDATE"
	}
	var c Checkpoint
	var pos int64
	if err := q.QueryRow(ctx, sql, checkpointName).Scan(&pos, &c.Hash); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return c, errors.New("postgres: the checkpoint row is missing")
		}
		return c, fmt.Errorf("postgres: reading the checkpoint: %w", err)
	}
	c.Position = uint64(pos)
	return c, nil
}
