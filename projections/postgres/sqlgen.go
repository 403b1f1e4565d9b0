package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// table describes how a rowset's changes become SQL: the key and value
// columns with their Postgres types, and how to turn keys and rows into
// one slice per column. Every change of a batch to a table is then one
// DELETE and one INSERT ... ON CONFLICT over unnest()ed arrays, and rows
// new to the table may instead be appended with COPY (copyIn).
type table[K, R comparable] struct {
	tableSQL
	keyArgs func([]K) []any
	valArgs func([]R) []any
}

// tableSQL is the generated SQL of a table.
type tableSQL struct {
	name     string
	cols     []string // the key columns, then the others: "name type [cast]"
	nKey     int      // how many key columns
	del, ups string
}

func newTable[K, R comparable](name string, keyCols, valCols []string, keyArgs func([]K) []any, valArgs func([]R) []any) *table[K, R] {
	t := &table[K, R]{keyArgs: keyArgs, valArgs: valArgs}
	t.name, t.cols, t.nKey = name, append(append([]string{}, keyCols...), valCols...), len(keyCols)
	// A column is "name type" or "name type cast": the values travel as an
	// array of type and are cast when inserted (JSON passes as text).
	names := func(cols []string) []string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = strings.Fields(c)[0]
		}
		return out
	}
	unnest := func(cols []string) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = fmt.Sprintf("$%d::%s[]", i+1, strings.Fields(c)[1])
		}
		return "unnest(" + strings.Join(parts, ", ") + ")"
	}
	selects := func(cols []string) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			f := strings.Fields(c)
			parts[i] = "d." + f[0]
			if len(f) > 2 {
				parts[i] += "::" + f[2]
			}
		}
		return strings.Join(parts, ", ")
	}
	keys, vals := names(keyCols), names(valCols)
	match := make([]string, len(keys))
	for i, k := range keys {
		match[i] = fmt.Sprintf("t.%s = d.%s", k, k)
	}
	t.del = fmt.Sprintf("DELETE FROM %s t USING %s AS d(%s) WHERE %s", name, unnest(keyCols),
		strings.Join(keys, ", "), strings.Join(match, " AND "))
	all := append(append([]string{}, keyCols...), valCols...)
	t.ups = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS d(%s) ON CONFLICT (%s) ", name,
		strings.Join(names(all), ", "), selects(all), unnest(all), strings.Join(names(all), ", "), strings.Join(keys, ", "))
	if len(vals) == 0 {
		t.ups += "DO NOTHING"
	} else {
		set := make([]string, len(vals))
		for i, v := range vals {
			set[i] = fmt.Sprintf("%s = excluded.%s", v, v)
		}
		t.ups += "DO UPDATE SET " + strings.Join(set, ", ")
	}
	return t
}

// tableWrite is a batch's changes to one table, as column slices: the keys
// of the rows to delete, the rows that exist and changed, and the rows new
// to the table (nIns of them).
type tableWrite struct {
	*tableSQL
	del, ups, ins []any
	nIns          int
	// insMayExist: a key of a new row holds U+FFFD, maybe as the stored
	// form of another key, whose row may exist (text.go): upsert them.
	insMayExist bool
}

// changesOf appends the changes of rs to ws.
func changesOf[K, R, P comparable](ws []tableWrite, t *table[K, R], rs *rowset[K, R, P]) []tableWrite {
	c := rs.changes()
	if len(c.dels)+len(c.upKeys)+len(c.insKeys) == 0 {
		return ws
	}
	// The mirror keeps the state's own text; what is written is its
	// stored form (text.go), the same for upserts and COPY.
	w := tableWrite{tableSQL: &t.tableSQL, nIns: len(c.insKeys)}
	if len(c.dels) > 0 {
		w.del = storedColumns(t.cols, t.keyArgs(c.dels))
	}
	if len(c.upKeys) > 0 {
		w.ups, _ = storedRows(t.cols, t.nKey, append(t.keyArgs(c.upKeys), t.valArgs(c.upRows)...))
	}
	if len(c.insKeys) > 0 {
		w.ins, w.insMayExist = storedRows(t.cols, t.nKey, append(t.keyArgs(c.insKeys), t.valArgs(c.insRows)...))
	}
	return append(ws, w)
}

// col extracts one column of values.
func col[T, V any](xs []T, f func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// copyMinRows is the fewest new rows a table gets by COPY, a round trip
// of its own; fewer travel with the batch's upserts.
var copyMinRows = 64

// queue adds the deletes and upserts of w to b, and copies its new rows at
// once when there are enough of them. When another projector had written
// past this one's checkpoint, "new" rows may exist already, so all of them
// are upserted.
func (w *tableWrite) queue(ctx context.Context, tx pgx.Tx, b *pgx.Batch, shared bool) error {
	if w.del != nil {
		b.Queue(w.tableSQL.del, w.del...)
	}
	if w.ups != nil {
		b.Queue(w.tableSQL.ups, w.ups...)
	}
	switch {
	case w.ins == nil:
	case shared || w.insMayExist || w.nIns < copyMinRows:
		b.Queue(w.tableSQL.ups, w.ins...)
	default:
		rows, err := sortByKey(w.ins, w.nKey)
		if err != nil {
			return err
		}
		return copyIn(ctx, tx, w.name, w.cols, rows)
	}
	return nil
}
