package postgres

// rowset mirrors one table as the projector last committed it, and collects
// the changes of the batch being applied. Rows are derived from the domain
// state of the entities a batch touched and compared with the mirror, so
// only rows that really changed are written, and rows that vanished (a
// member removed, a project moved to another company or joined into
// another) are deleted without any per-event SQL.
//
// K is the primary key, R the other columns (comparable, so unchanged rows
// are skipped), P the parent entity whose children can be replaced as a set
// (members of a company, balance lines of a project).
type rowset[K comparable, R comparable, P comparable] struct {
	rows     map[K]R
	parentOf func(K, R) P
	children map[P]map[K]struct{}
	// pending holds the batch's verdict per key: a row to have, or nil for
	// no row.
	pending map[K]*R
	// onCommit, if set, sees each committed change (nil: no row), to keep
	// secondary indexes of the mirror.
	onCommit func(k K, old, new *R)
}

func newRowset[K, R, P comparable](parentOf func(K, R) P) *rowset[K, R, P] {
	return &rowset[K, R, P]{rows: map[K]R{}, parentOf: parentOf, children: map[P]map[K]struct{}{}, pending: map[K]*R{}}
}

// put says the row k must be r after the batch.
func (t *rowset[K, R, P]) put(k K, r R) { t.pending[k] = &r }

// del says row k must not exist, unless the batch also puts it (a child
// that moved from one parent to another is dropped by the old parent's
// replace and put by the new one's, in either order).
func (t *rowset[K, R, P]) del(k K) {
	if _, set := t.pending[k]; !set {
		t.pending[k] = nil
	}
}

// replace makes want the complete set of parent p's children.
func (t *rowset[K, R, P]) replace(p P, want map[K]R) {
	for k := range t.children[p] {
		if _, ok := want[k]; !ok {
			t.del(k)
		}
	}
	for k, r := range want {
		t.put(k, r)
	}
}

// changes lists the keys to delete and the rows to upsert: the pending
// verdicts that differ from the mirror.
func (t *rowset[K, R, P]) changes() (deletes []K, upKeys []K, upRows []R) {
	for k, r := range t.pending {
		old, had := t.rows[k]
		switch {
		case r == nil && had:
			deletes = append(deletes, k)
		case r != nil && (!had || old != *r):
			upKeys = append(upKeys, k)
			upRows = append(upRows, *r)
		}
	}
	return deletes, upKeys, upRows
}

// commit makes the pending verdicts the mirror, once they are durable.
func (t *rowset[K, R, P]) commit() {
	for k, r := range t.pending {
		old, had := t.rows[k]
		if t.onCommit != nil && (had || r != nil) {
			var oldp *R
			if had {
				oldp = &old
			}
			t.onCommit(k, oldp, r)
		}
		if had {
			t.unlink(k, old)
			delete(t.rows, k)
		}
		if r != nil {
			t.rows[k] = *r
			if t.parentOf != nil {
				p := t.parentOf(k, *r)
				set := t.children[p]
				if set == nil {
					set = map[K]struct{}{}
					t.children[p] = set
				}
				set[k] = struct{}{}
			}
		}
	}
	clear(t.pending)
}

func (t *rowset[K, R, P]) unlink(k K, r R) {
	if t.parentOf == nil {
		return
	}
	p := t.parentOf(k, r)
	if set := t.children[p]; set != nil {
		delete(set, k)
		if len(set) == 0 {
			delete(t.children, p)
		}
	}
}

// abort forgets the batch's verdicts (its transaction did not commit).
func (t *rowset[K, R, P]) abort() { clear(t.pending) }

// childrenOf lists the committed children of p.
func (t *rowset[K, R, P]) childrenOf(p P) []K {
	out := make([]K, 0, len(t.children[p]))
	for k := range t.children[p] {
		out = append(out, k)
	}
	return out
}
