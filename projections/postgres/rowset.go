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
	// pending holds the batch's verdict per key.
	pending map[K]verdict[R]
	// onCommit, if set, sees each committed change (nil: no row), to keep
	// secondary indexes of the mirror.
	onCommit func(k K, old, new *R)
}

func newRowset[K, R, P comparable](parentOf func(K, R) P) *rowset[K, R, P] {
	return &rowset[K, R, P]{rows: map[K]R{}, parentOf: parentOf, children: map[P]map[K]struct{}{}, pending: map[K]verdict[R]{}}
}

// verdict is a row to have (keep), or none.
type verdict[R any] struct {
	row  R
	keep bool
}

// put says the row k must be r after the batch.
func (t *rowset[K, R, P]) put(k K, r R) { t.pending[k] = verdict[R]{r, true} }

// del says row k must not exist, unless the batch also puts it (a child
// that moved from one parent to another is dropped by the old parent's
// replace and put by the new one's, in either order).
func (t *rowset[K, R, P]) del(k K) {
	if _, set := t.pending[k]; !set {
		t.pending[k] = verdict[R]{}
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

// changes are the pending verdicts that differ from the mirror.
type changes[K, R any] struct {
	dels    []K // rows to delete
	upKeys  []K // rows that exist and changed
	upRows  []R
	insKeys []K // rows new to the table
	insRows []R
}

func (t *rowset[K, R, P]) changes() (c changes[K, R]) {
	for k, v := range t.pending {
		old, had := t.rows[k]
		switch {
		case !v.keep && had:
			c.dels = append(c.dels, k)
		case v.keep && !had:
			c.insKeys = append(c.insKeys, k)
			c.insRows = append(c.insRows, v.row)
		case v.keep && old != v.row:
			c.upKeys = append(c.upKeys, k)
			c.upRows = append(c.upRows, v.row)
		}
	}
	return c
}

// commit makes the pending verdicts the mirror, once they are durable.
func (t *rowset[K, R, P]) commit() {
	for k, v := range t.pending {
		old, had := t.rows[k]
		switch {
		case had && v.keep && old == v.row:
			continue // unchanged
		case t.onCommit != nil && (had || v.keep):
			var oldp, newp *R
			if had {
				oldp = &old
			}
			if v.keep {
				newp = &v.row
			}
			t.onCommit(k, oldp, newp)
		}
		if !v.keep {
			if had {
				t.unlink(k, old)
				delete(t.rows, k)
			}
			continue
		}
		t.rows[k] = v.row
		if t.parentOf == nil {
			continue
		}
		p := t.parentOf(k, v.row)
		if had {
			if t.parentOf(k, old) == p {
				continue
			}
			t.unlink(k, old)
		}
		set := t.children[p]
		if set == nil {
			set = map[K]struct{}{}
			t.children[p] = set
		}
		set[k] = struct{}{}
	}
	t.reset()
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
func (t *rowset[K, R, P]) abort() { t.reset() }

// reset empties pending. A map emptied by clear keeps its size, and ranging
// over it costs as much as over a full one: after a catch-up's large
// batches, every small batch would pay for that.
func (t *rowset[K, R, P]) reset() {
	if len(t.pending) > 4096 {
		t.pending = map[K]verdict[R]{}
		return
	}
	clear(t.pending)
}

// childrenOf lists the committed children of p.
func (t *rowset[K, R, P]) childrenOf(p P) []K {
	out := make([]K, 0, len(t.children[p]))
	for k := range t.children[p] {
		out = append(out, k)
	}
	return out
}
