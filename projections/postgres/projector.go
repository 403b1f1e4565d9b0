package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

// Projector is the write side of the Postgres read models; it implements
// projections.Projection for the runner.
//
// It keeps the domain state of the log up to its checkpoint in memory and
// applies each batch to it with the domain's own Evolve; the rows of every
// entity the batch's events tag are then derived from that state, compared
// with what was last written, and the differences are written together with
// the history rows and the new checkpoint in one transaction. So:
//   - exactly once: rows and checkpoint commit together; a failure anywhere
//     in the batch commits nothing, and the next start replays the state up
//     to the committed checkpoint and continues from there;
//   - records at or below the committed checkpoint are a no-op (another
//     process may have written them: the checkpoint row is locked for the
//     transaction, so two projectors on one schema take turns);
//   - parity with the memory read model by construction: both are the
//     domain state, so only the queries can differ, which the parity suite
//     in projections/projectiontest checks.
//
// A Projector is used from one goroutine (the runner's).
type Projector struct {
	db    *DB
	store eventstore.Store
	cat   *domain.Catalog
	log   *slog.Logger

	st      *domain.State
	applied uint64 // the position of st (and of the mirror t)
	pos     uint64 // the committed checkpoint
	t       *tables
	// stale: st and t may be ahead of the committed checkpoint (a batch is
	// being written, or its write failed); the next batch reloads them
	// unless the write finishes.
	stale bool
	// bulk: a catch-up has set the indexes aside.
	bulk bool

	// retrying, when set (the runner), is told every failed write that is
	// tried again; it may be called from the catch-up's writer goroutine.
	retrying func(err error, wait time.Duration)

	// failInTx, when set (tests), is called inside each transaction after
	// the rows are written and before the checkpoint moves.
	failInTx func(context.Context) error
}

var (
	_ projections.Projection = (*Projector)(nil)
	_ projections.CatchUpper = (*Projector)(nil)
	_ projections.Retrier    = (*Projector)(nil)
)

// ReportRetries implements projections.Retrier: a write that fails
// transiently is tried again with the batch already prepared (a restart
// would replay the log into the state first), and each failed try is
// reported to the runner. Call it before the projector is used.
func (p *Projector) ReportRetries(report func(err error, wait time.Duration)) { p.retrying = report }

// NewProjector prepares the projector: it reads the checkpoint, checks that
// the log holds the event it names (the read models belong to this log),
// and replays the log up to it into the state.
func NewProjector(ctx context.Context, db *DB, store eventstore.Store, cat *domain.Catalog, log *slog.Logger) (*Projector, error) {
	if log == nil {
		log = slog.Default()
	}
	p := &Projector{db: db, store: store, cat: cat, log: log}
	// A catch-up interrupted in bulk mode left indexes aside.
	if err := db.restoreIndexes(ctx); err != nil {
		return nil, err
	}
	if err := p.load(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// load rebuilds the state and the mirror of the tables at the committed
// checkpoint.
func (p *Projector) load(ctx context.Context) error {
	cp, err := p.db.Checkpoint(ctx)
	if err != nil {
		return err
	}
	st := domain.NewState(p.cat)
	if cp.Position > 0 {
		envs, err := p.store.Read(ctx, cp.Position, 1)
		if err != nil {
			return fmt.Errorf("postgres: reading the log at the checkpoint: %w", err)
		}
		if len(envs) == 0 || envs[0].Seq != cp.Position {
			return fmt.Errorf("postgres: the read models are at position %d but the log ends before it: a different log? run `ledger rebuild`", cp.Position)
		}
		if envs[0].Hash.String() != cp.Hash {
			return fmt.Errorf("postgres: the read models were built from another log (hash at position %d differs): run `ledger rebuild`", cp.Position)
		}
		last, err := replay.Into(ctx, p.store, st, 1, cp.Position)
		if err != nil {
			return fmt.Errorf("postgres: replaying the log up to the checkpoint: %w", err)
		}
		if last != cp.Position {
			return fmt.Errorf("postgres: replay stopped at %d before the checkpoint %d", last, cp.Position)
		}
	}
	// The committed rows are the rows of this state (they were written from
	// it), so the mirror is derived instead of read back.
	t := newTables()
	all := newTouched()
	all.all(st)
	t.sync(st, all)
	t.syncSSA(st, true)
	t.commit()
	p.st, p.applied, p.pos, p.t, p.stale = st, cp.Position, cp.Position, t, false
	return nil
}

// Position implements projections.Projection: the committed checkpoint.
func (p *Projector) Position() uint64 { return p.pos }

// Apply implements projections.Projection.
func (p *Projector) Apply(ctx context.Context, recs []replay.Record) error {
	if p.stale {
		if err := p.load(ctx); err != nil {
			return err
		}
	}
	j, err := p.prepare(recs)
	if j == nil || err != nil {
		return err
	}
	return p.finish(ctx, j)
}

// job is one batch ready to be written: everything computed from the
// state, so the transaction only sends it.
type job struct {
	prev   uint64 // the checkpoint the batch follows
	last   eventstore.Envelope
	bulk   bool // written while the indexes are set aside
	hist   *history
	ctxs   []contextRow
	merges []contextMerge
	rows   []tableWrite
}

// prepare applies recs to the state and derives the rows they change. The
// mirror is moved to the batch's end at once (so the next batch can be
// prepared while this one is written) and the projector marked stale until
// finish: if the write fails, everything is reloaded from the log at the
// committed checkpoint. It returns no job when recs hold nothing new.
func (p *Projector) prepare(recs []replay.Record) (*job, error) {
	for len(recs) > 0 && recs[0].Env.Seq <= p.applied {
		recs = recs[1:] // applied already: exactly once
	}
	if len(recs) == 0 {
		return nil, nil
	}
	if first := recs[0].Env.Seq; first != p.applied+1 {
		return nil, fmt.Errorf("postgres: records start at position %d, the read models are at %d", first, p.applied)
	}
	p.stale = true
	d := newTouched()
	j := &job{prev: p.applied, last: *recs[len(recs)-1].Env, bulk: p.bulk, hist: newHistory(len(recs))}
	for _, r := range recs {
		for _, c := range historyContexts(r, p.st) {
			j.ctxs = append(j.ctxs, contextRow{StoredText(c), int64(r.Env.Seq)})
		}
		if e, ok := r.Event.(domain.CompanyJoined); ok {
			j.merges = append(j.merges, contextMerge{into: e.Company.Tag(), old: e.Absorbed.Tag(), seq: r.Env.Seq})
			d.addJoin(p.st, e)
		}
		if err := p.st.Evolve(r.Event); err != nil {
			return nil, fmt.Errorf("postgres: position %d: %w", r.Env.Seq, err)
		}
		d.addTags(r.Env.Tags)
		j.hist.add(r)
	}
	p.t.sync(p.st, d)
	p.t.syncSSA(p.st, touchesReminders(recs))
	j.rows = p.t.changes()
	p.t.commit()
	p.applied = j.last.Seq
	return j, nil
}

// finish writes a prepared job and moves the committed position.
func (p *Projector) finish(ctx context.Context, j *job) error {
	shared, err := p.writeRetrying(ctx, j)
	if err != nil {
		return err
	}
	// When another projector had moved the checkpoint, the tables hold its
	// rows, which may be newer than this state: the mirror is reloaded.
	p.pos = j.last.Seq
	p.stale = shared || p.applied != p.pos
	return nil
}

// writeRetrying writes the batch, retrying while the database is
// unreachable or the transaction lost a serialization race; other errors
// are returned at once.
func (p *Projector) writeRetrying(ctx context.Context, j *job) (shared bool, err error) {
	wait := 50 * time.Millisecond
	for {
		shared, err = p.write(ctx, j)
		if err == nil || !transient(err) || ctx.Err() != nil {
			return shared, err
		}
		if p.retrying != nil {
			p.retrying(err, wait)
		} else {
			p.log.Warn("postgres read models: writing a batch failed, retrying", "err", err, "in", wait)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return false, ctx.Err()
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// transient says whether a failed write may succeed if tried again.
func transient(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code[:2] {
		case "08", "40", "53", "57": // connection, transaction rollback, resources, operator intervention
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || pgconn.SafeToRetry(err) || errors.Is(err, pgx.ErrTxClosed)
}

// write is one transaction: lock the checkpoint, write what lies beyond it,
// move it. shared reports that another projector had moved the checkpoint
// past this one's.
//
// The transaction commits without waiting for its WAL flush
// (synchronous_commit off): the read models are derived from the log, and
// a commit lost in a Postgres crash loses its rows and its checkpoint
// together, so the projector simply applies those events again. This
// takes a disk flush off every batch, which is most of the steady-state lag.
func (p *Projector) write(ctx context.Context, j *job) (shared bool, err error) {
	err = pgx.BeginFunc(ctx, p.db.Pool, func(tx pgx.Tx) error {
		cp, err := readCheckpoint(ctx, tx, true)
		if err != nil {
			return err
		}
		shared = cp.Position > j.prev
		switch {
		case cp.Position >= j.last.Seq:
			return nil // another projector applied the batch already
		case cp.Position < j.prev:
			return fmt.Errorf("postgres: the checkpoint went back from %d to %d (rebuilt meanwhile?)", j.prev, cp.Position)
		}
		// Rows are final images of the state at the batch's end, so writing
		// them again over another projector's partial progress is
		// idempotent; history is append-only and takes only the new events.
		if err := copyIn(ctx, tx, "history", historyColumns, j.hist.after(cp.Position)); err != nil {
			return err
		}
		if err := copyIn(ctx, tx, "history_contexts", contextColumns, contextsAfter(j.ctxs, cp.Position, j.bulk)); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue("SET LOCAL synchronous_commit = off")
		for _, w := range j.rows {
			if err := w.queue(ctx, tx, b, shared); err != nil {
				return err
			}
		}
		merges := false
		for _, m := range j.merges {
			if m.seq > cp.Position {
				merges = true
				b.Queue(`INSERT INTO history_contexts (context, position) SELECT $1, position FROM history_contexts
					WHERE context = $2 AND position <= $3 ON CONFLICT DO NOTHING`, m.into, m.old, int64(m.seq))
			}
		}
		// A merge finds the absorbed company's rows and skips the joining
		// one's by the primary key, which a bulk catch-up may have set
		// aside: it comes back first, for the rest of the catch-up.
		if merges {
			if err := restoreIndexesOf(ctx, tx, "history_contexts"); err != nil {
				return err
			}
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("postgres: writing rows: %w", err)
		}
		if p.failInTx != nil {
			if err := p.failInTx(ctx); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE checkpoint SET position = $1, hash = $2, time = $3 WHERE name = $4",
			int64(j.last.Seq), j.last.Hash.String(), j.last.Time, checkpointName)
		return err
	})
	return shared, err
}
