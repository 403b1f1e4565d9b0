package postgres

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// table describes how a rowset's changes become SQL: the key and value
// columns with their Postgres types, and how to turn keys and rows into
// one array argument per column. Every change of a batch to a table is then
// one DELETE and one INSERT ... ON CONFLICT over unnest()ed arrays.
type table[K, R comparable] struct {
	name     string
	keyCols  []string // "name type"
	valCols  []string
	keyArgs  func([]K) []any
	valArgs  func([]R) []any
	del, ups string // generated SQL
}

func newTable[K, R comparable](name string, keyCols, valCols []string, keyArgs func([]K) []any, valArgs func([]R) []any) *table[K, R] {
	t := &table[K, R]{name: name, keyCols: keyCols, valCols: valCols, keyArgs: keyArgs, valArgs: valArgs}
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

// queue adds the changes of rs to b.
func queueChanges[K, R, P comparable](b *pgx.Batch, t *table[K, R], rs *rowset[K, R, P]) {
	dels, keys, rows := rs.changes()
	if len(dels) > 0 {
		b.Queue(t.del, t.keyArgs(dels)...)
	}
	if len(keys) > 0 {
		b.Queue(t.ups, append(t.keyArgs(keys), t.valArgs(rows)...)...)
	}
}

// col extracts one column of values.
func col[T, V any](xs []T, f func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
