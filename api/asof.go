package api

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

// ReadModel is a fresh, empty read model that as-of queries replay the
// log into (the memory backend).
type ReadModel interface {
	projections.Reader
	projections.Projection
}

// asOfCacheSize bounds the past read models kept: auditors tend to ask
// several questions about the same date in a row, and each model holds a
// whole state.
const asOfCacheSize = 4

// asOf builds read models for past positions by replaying the log, and
// keeps the few most recently used. Requests for a cached position do not
// wait for another position's replay; requests for a position being built
// wait for that one build.
type asOf struct {
	mu     sync.Mutex
	models []*asOfModel // most recently used first
	builds chan struct{}
}

// asOfBuilds bounds concurrent replays: each reads the whole log prefix.
const asOfBuilds = 2

type asOfModel struct {
	pos   uint64
	rd    projections.Reader
	err   error
	ready chan struct{} // closed when rd or err is set
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

// model returns the read model at pos, from the cache or by replaying the
// log from the start into a fresh model.
func (a *asOf) model(ctx context.Context, s *Server, pos uint64) (projections.Reader, error) {
	if s.cfg.NewReadModel == nil {
		return nil, domain.Errorf(domain.KindNotImplemented, "as-of-unavailable", "this server cannot build past read models")
	}
	m, build := a.entry(pos)
	if build {
		m.rd, m.err = a.build(ctx, s, pos)
		if m.err != nil {
			a.drop(m) // a failed build is not cached: the next request tries again
		}
		close(m.ready)
	}
	select {
	case <-m.ready:
		return m.rd, m.err
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

// build replays positions 1..pos into a fresh read model.
func (a *asOf) build(ctx context.Context, s *Server, pos uint64) (projections.Reader, error) {
	// The build outlives a caller that gives up: others may wait for it.
	bctx := context.WithoutCancel(ctx)
	a.builds <- struct{}{}
	defer func() { <-a.builds }()
	rm := s.cfg.NewReadModel()
	if pos == 0 {
		return rm, nil
	}
	err := replay.Range(bctx, s.cfg.Store, 1, pos, func(recs []replay.Record) error { return rm.Apply(bctx, recs) })
	if err != nil {
		return nil, err
	}
	return rm, nil
}
