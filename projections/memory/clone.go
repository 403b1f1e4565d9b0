package memory

import (
	"reflect"
	"slices"

	clone "github.com/huandu/go-clone"

	"github.com/innolic/ledger/domain"
)

// cloner deep-copies a state. The catalog is shared: it never changes
// after start. The fast mode copies every reference on its own, which is
// exact because the state holds each entity in one place only
// (TestStateSharesNothing in projectiontest checks it); the slow mode that
// tracks shared references costs twice as much.
var cloner = func() *clone.Allocator {
	a := clone.FromHeap()
	a.MarkAsOpaquePointer(reflect.TypeFor[*domain.Catalog]())
	return a
}()

// Clone returns an independent copy of the model: applying records to one
// leaves the other as it was. As-of queries start from a copy of an
// earlier model instead of replaying the log from its start.
func (m *Model) Clone() *Model {
	m.mu.RLock()
	defer m.mu.RUnlock()
	st := cloner.Clone(reflect.ValueOf(m.st)).Interface().(*domain.State)
	return &Model{st: st, pos: m.pos, hist: m.hist.clone(), rental: m.rental.clone()}
}

// clone copies the history's index. Rows never change once added, so the
// copy shares them; the lists are clipped so that an append to either
// copy reallocates instead of writing into the other's array.
func (h *history) clone() history {
	byKey := make(map[string][]int32, len(h.byKey))
	for k, list := range h.byKey {
		byKey[k] = slices.Clip(list)
	}
	return history{rows: slices.Clip(h.rows), byKey: byKey}
}
