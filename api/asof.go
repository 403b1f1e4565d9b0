package api

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

// ReadModel is a read model that as-of queries replay the log into (the
// memory backend).
type ReadModel interface {
	projections.Reader
	projections.Projection
	// Clone returns an independent copy: builds start from a copy of the
	// latest model at or before the position asked for, not from empty.
	Clone() ReadModel
}

// asOfCacheSize bounds the past read models kept for answering: auditors
// tend to ask several questions about the same date in a row, and each
// model holds a whole state.
const asOfCacheSize = 4

// asOfSnapshots bounds the snapshots kept. Snapshots lie on a grid of
// every·2^k positions (every: Config.AsOfSnapshotEvery), k the smallest
// that fits the whole log into asOfSnapshots steps, so a build replays at
// most one step after copying a snapshot.
const asOfSnapshots = 8

// asOf builds read models for past positions and keeps the few most
// recently used, plus periodic snapshots taken during builds. A build
// copies the latest model (answer or snapshot) at or before its position
// and replays only the rest of the log. Requests for a cached position do
// not wait for another position's build; requests for a position being
// built wait for that one build.
type asOf struct {
	mu     sync.Mutex
	models []*asOfModel // most recently used first
	snaps  []asOfSnap   // by position; never queried, only copied
	builds chan struct{}
	every  uint64 // least snapshot spacing (Config.AsOfSnapshotEvery)
}

// asOfBuilds bounds concurrent builds: each may read much of the log.
const asOfBuilds = 2

type asOfModel struct {
	pos   uint64
	rm    ReadModel
	err   error
	ready chan struct{} // closed when rm or err is set
}

type asOfSnap struct {
	pos uint64
	rm  ReadModel
}

// pastReader answers the reader and the position for the request's as_of
// (RFC 3339 time) or at (log position); ok is false when the request asks
// for the present.
func (s *Server) pastReader(c echo.Context) (rd projections.Reader, pos uint64, ok bool, err error) {
	asOfRaw, atRaw := c.QueryParam("as_of"), c.QueryParam("at")
	if asOfRaw == "" && atRaw == "" {
		return nil, 0, false, nil
	}
	if asOfRaw != "" && atRaw != "" {
		return nil, 0, false, domain.Errorf(domain.KindInvalid, "invalid-as-of", "give as_of or at, not both")
	}
	ctx := c.Request().Context()
	head, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	if atRaw != "" {
		pos, err = strconv.ParseUint(atRaw, 10, 64)
		if err != nil {
			return nil, 0, false, domain.Errorf(domain.KindInvalid, "invalid-at", "at must be a log position (a non-negative integer)")
		}
		if pos > head.Seq {
			return nil, 0, false, domain.Errorf(domain.KindNotFound, "position-not-found", "the log ends at position %d", head.Seq)
		}
	} else {
		t, err := time.Parse(time.RFC3339Nano, asOfRaw)
		if err != nil {
			return nil, 0, false, domain.Errorf(domain.KindInvalid, "invalid-as-of", "as_of must be an RFC 3339 time, e.g. 2021-03-01T00:00:00Z")
		}
		if pos, err = positionAt(ctx, s.cfg.Store, head.Seq, t); err != nil {
			return nil, 0, false, err
		}
	}
	rd, err = s.past.model(ctx, s, pos)
	return rd, pos, true, err
}

// positionAt is the last position written at or before t (0: none), by
// binary search over the log: the single writer stamps events in log
// order, so times do not decrease along the log.
func positionAt(ctx context.Context, st eventstore.Store, head uint64, t time.Time) (uint64, error) {
	lo, hi := uint64(0), head // invariant: time(lo) <= t (lo 0: before the log), time(hi+1) > t
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		envs, err := st.Read(ctx, mid, 1)
		if err != nil {
			return 0, err
		}
		if len(envs) == 0 || envs[0].Time.After(t) {
			hi = mid - 1
		} else {
			lo = mid
		}
	}
	return lo, nil
}

// model returns the read model at pos, from the cache or by a build.
func (a *asOf) model(ctx context.Context, s *Server, pos uint64) (projections.Reader, error) {
	if s.cfg.NewReadModel == nil {
		return nil, domain.Errorf(domain.KindNotImplemented, "as-of-unavailable", "this server cannot build past read models")
	}
	m, build := a.entry(pos)
	if build {
		m.rm, m.err = a.build(ctx, s, pos)
		if m.err != nil {
			a.drop(m) // a failed build is not cached: the next request tries again
		}
		close(m.ready)
	}
	select {
	case <-m.ready:
		return m.rm, m.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// entry finds or adds the cache entry of pos, most recently used first;
// build says the caller must build it.
func (a *asOf) entry(pos uint64) (*asOfModel, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.builds == nil {
		a.builds = make(chan struct{}, asOfBuilds)
	}
	for i, m := range a.models {
		if m.pos == pos {
			copy(a.models[1:i+1], a.models[:i])
			a.models[0] = m
			return m, false
		}
	}
	m := &asOfModel{pos: pos, ready: make(chan struct{})}
	a.models = append([]*asOfModel{m}, a.models...)
	if len(a.models) > asOfCacheSize {
		a.models = a.models[:asOfCacheSize]
	}
	return m, true
}

func (a *asOf) drop(m *asOfModel) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, x := range a.models {
		if x == m {
			a.models = append(a.models[:i], a.models[i+1:]...)
			return
		}
	}
}

// build copies the latest model at or before pos and replays the log
// from there to pos, taking a snapshot at each grid position it passes
// that has none yet.
func (a *asOf) build(ctx context.Context, s *Server, pos uint64) (ReadModel, error) {
	// The build outlives a caller that gives up: others may wait for it.
	bctx := context.WithoutCancel(ctx)
	a.builds <- struct{}{}
	defer func() { <-a.builds }()
	head, err := s.cfg.Store.Head(bctx)
	if err != nil {
		return nil, err
	}
	rm, from := a.base(pos)
	if rm == nil {
		rm = s.cfg.NewReadModel()
	}
	step := a.step(head.Seq)
	for from < pos {
		to := min(pos, (from/step+1)*step)
		if err := replay.Range(bctx, s.cfg.Store, from+1, to, func(recs []replay.Record) error {
			s.cfg.Metrics.asOfReplayed.Add(float64(len(recs)))
			return rm.Apply(bctx, recs)
		}); err != nil {
			return nil, err
		}
		if to%step == 0 && to < pos {
			a.snapshot(to, rm.Clone())
		}
		from = to
	}
	return rm, nil
}

// base copies the latest model at or before pos: a finished answer or a
// snapshot (both never change again). nil, 0: there is none.
func (a *asOf) base(pos uint64) (ReadModel, uint64) {
	a.mu.Lock()
	var best ReadModel
	var at uint64
	for _, m := range a.models {
		select {
		case <-m.ready:
			if m.err == nil && m.pos <= pos && (best == nil || m.pos > at) {
				best, at = m.rm, m.pos
			}
		default: // still building
		}
	}
	for _, sn := range a.snaps {
		if sn.pos <= pos && (best == nil || sn.pos > at) {
			best, at = sn.rm, sn.pos
		}
	}
	a.mu.Unlock()
	if best == nil {
		return nil, 0
	}
	return best.Clone(), at
}

// step is the snapshot spacing for a log of head events.
func (a *asOf) step(head uint64) uint64 {
	step := max(a.every, 1)
	for step*asOfSnapshots < head {
		step *= 2
	}
	return step
}

// snapshot keeps rm as the snapshot at pos. Beyond asOfSnapshots it drops
// the snapshot closest to its predecessor, which keeps the rest spread
// over the log.
func (a *asOf) snapshot(pos uint64, rm ReadModel) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, found := slices.BinarySearchFunc(a.snaps, pos, func(sn asOfSnap, p uint64) int { return cmp.Compare(sn.pos, p) })
	if found {
		return // another build took it meanwhile
	}
	a.snaps = slices.Insert(a.snaps, i, asOfSnap{pos, rm})
	if len(a.snaps) <= asOfSnapshots {
		return
	}
	drop, gap := 0, uint64(math.MaxUint64)
	for j, sn := range a.snaps {
		prev := uint64(0)
		if j > 0 {
			prev = a.snaps[j-1].pos
		}
		if sn.pos-prev < gap {
			drop, gap = j, sn.pos-prev
		}
	}
	a.snaps = slices.Delete(a.snaps, drop, drop+1)
}
