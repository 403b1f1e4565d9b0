package postgres

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

// Catch-up batches adapt between these bounds: large batches amortize the
// per-transaction cost (commit, statement round trips), while a batch that
// takes too long delays readiness reporting and holds the checkpoint lock.
const (
	minCatchUpBatch = 1024
	maxCatchUpBatch = 32768
	targetBatchTime = 500 * time.Millisecond
)

// CatchUp applies the log from the checkpoint up to the head as it is when
// called: reading and decoding in parallel (replay.Range), preparing the
// next batch while the last one is written, in transactions whose size
// adapts to how long the last one took. progress, if set, is told the
// position committed and the head after every batch. The runner then
// follows the log from there in small batches.
func (p *Projector) CatchUp(ctx context.Context, progress func(pos, head uint64)) error {
	h, err := p.store.Head(ctx)
	if err != nil {
		return err
	}
	if progress != nil {
		progress(p.pos, h.Seq)
	}
	if h.Seq <= p.pos {
		return nil
	}
	if p.stale {
		if err := p.load(ctx); err != nil {
			return err
		}
	}
	if bulk(p.pos, h.Seq) {
		// Setting the indexes aside only makes the catch-up faster: when
		// it fails (readers holding the tables), the catch-up goes on
		// without.
		switch err := p.db.deferIndexes(ctx); {
		case err == nil:
			p.bulk = true
			defer func() { p.bulk = false }()
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			p.log.Warn("postgres read models: catching up without setting the indexes aside", "err", err)
		}
	}
	w := p.startWriter(ctx, progress, h.Seq)
	var pending []replay.Record
	flush := func() error {
		j, err := p.prepare(pending)
		pending = pending[:0]
		if err != nil || j == nil {
			return err
		}
		return w.send(j)
	}
	err = replay.Range(ctx, p.store, p.pos+1, h.Seq, func(recs []replay.Record) error {
		pending = append(pending, recs...)
		if len(pending) >= int(w.size.Load()) {
			return flush()
		}
		return nil
	})
	if err == nil && len(pending) > 0 {
		err = flush()
	}
	werr := w.close()
	p.pos, p.stale = w.committed, w.shared || p.applied != w.committed
	if werr != nil {
		return werr
	}
	if err != nil {
		return err // the indexes set aside are created at the next start
	}
	return p.db.restoreIndexes(ctx)
}

// writer writes prepared jobs in order on its own goroutine, so preparing
// (domain state, row diffs) and writing (Postgres) overlap.
type writer struct {
	jobs      chan *job
	done      chan struct{}
	err       error
	committed uint64
	shared    bool
	size      atomic.Int64 // the batch size to prepare next
	failed    atomic.Bool  // err is set: stop preparing
}

func (p *Projector) startWriter(ctx context.Context, progress func(pos, head uint64), head uint64) *writer {
	w := &writer{jobs: make(chan *job, 1), done: make(chan struct{}), committed: p.pos}
	w.size.Store(minCatchUpBatch)
	go func() {
		defer close(w.done)
		for j := range w.jobs {
			if w.err != nil {
				continue // drain after a failure
			}
			start := time.Now()
			shared, err := p.writeRetrying(ctx, j)
			if err != nil {
				w.err = err
				w.failed.Store(true)
				continue
			}
			w.shared = w.shared || shared
			w.committed = j.last.Seq
			w.size.Store(int64(adapt(int(w.size.Load()), time.Since(start))))
			if progress != nil {
				progress(w.committed, head)
			}
		}
	}()
	return w
}

// send hands a job to the writer; it fails once the writer has failed.
func (w *writer) send(j *job) error {
	if w.failed.Load() {
		return errWriterFailed
	}
	select {
	case w.jobs <- j:
		return nil
	case <-w.done:
		return errWriterFailed
	}
}

// errWriterFailed stops the reading side; close returns the real error.
var errWriterFailed = errors.New("postgres: writing a batch failed")

// close waits for the queued jobs and returns the first write error.
func (w *writer) close() error {
	close(w.jobs)
	<-w.done
	return w.err
}

// adapt doubles the batch while transactions are fast and halves it when
// one is slow.
func adapt(size int, took time.Duration) int {
	switch {
	case took < targetBatchTime/2:
		return min(2*size, maxCatchUpBatch)
	case took > 2*targetBatchTime:
		return max(size/2, minCatchUpBatch)
	}
	return size
}

// Rebuild drops the read models, recreates the schema and applies the
// whole log (`ledger rebuild`).
func Rebuild(ctx context.Context, db *DB, store eventstore.Store, cat *domain.Catalog, progress func(pos, head uint64)) error {
	if err := db.Reset(ctx); err != nil {
		return err
	}
	p, err := NewProjector(ctx, db, store, cat, nil)
	if err != nil {
		return err
	}
	return p.CatchUp(ctx, progress)
}
