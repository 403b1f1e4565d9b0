package postgres

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyIn appends rows to a table with COPY ... FROM STDIN in the binary
// format. The rows come as one slice per column (the same slices the
// upserts send as arrays), and the columns as "name type" or "name type
// cast" (see newTable): the cast, when given, is the column's type.
//
// It encodes the values itself instead of using pgx's CopyFrom, which takes
// each row as []any and encodes every value through the type map: on
// catch-up that boxing and lookup was a large share of the writer's CPU.
// The encoder streams, so Postgres parses one chunk while the next is
// encoded.
func copyIn(ctx context.Context, tx pgx.Tx, table string, cols []string, vals []any) error {
	r, err := newCopyReader(cols, vals)
	if err != nil || r.n == 0 {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = strings.Fields(c)[0]
	}
	sql := "COPY " + table + " (" + strings.Join(names, ", ") + ") FROM STDIN (FORMAT binary)"
	if _, err := tx.Conn().PgConn().CopyFrom(ctx, r, sql); err != nil {
		return fmt.Errorf("postgres: copying into %s: %w", table, err)
	}
	return nil
}

// field appends the binary form of row i's value of one column, with its
// length word.
type field func(buf []byte, i int) []byte

// copyReader is the COPY data: header, rows, trailer, encoded as read.
type copyReader struct {
	fields []field
	n, i   int
	buf    []byte
	off    int
	ended  bool
}

const copyHeader = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" // signature, flags, no extension

func newCopyReader(cols []string, vals []any) (*copyReader, error) {
	if len(cols) != len(vals) {
		return nil, fmt.Errorf("postgres: copy: %d columns, %d value slices", len(cols), len(vals))
	}
	r := &copyReader{n: -1, buf: append(make([]byte, 0, 64<<10), copyHeader...)}
	for i, c := range cols {
		f := strings.Fields(c)
		typ := f[len(f)-1]
		enc, n, err := encoder(typ, vals[i])
		if err != nil {
			return nil, fmt.Errorf("postgres: copy: column %s: %w", f[0], err)
		}
		if r.n >= 0 && n != r.n {
			return nil, fmt.Errorf("postgres: copy: column %s has %d values, not %d", f[0], n, r.n)
		}
		r.n = n
		r.fields = append(r.fields, enc)
	}
	r.n = max(r.n, 0)
	return r, nil
}

func (r *copyReader) Read(p []byte) (int, error) {
	if r.off > 0 {
		r.buf = append(r.buf[:0], r.buf[r.off:]...)
		r.off = 0
	}
	for len(r.buf) < len(p) && !r.ended {
		if r.i == r.n {
			r.buf = binary.BigEndian.AppendUint16(r.buf, 0xffff) // trailer: -1
			r.ended = true
			break
		}
		r.buf = binary.BigEndian.AppendUint16(r.buf, uint16(len(r.fields)))
		for _, f := range r.fields {
			r.buf = f(r.buf, r.i)
		}
		r.i++
	}
	n := copy(p, r.buf)
	r.off = n
	if r.ended && n == len(r.buf) {
		return n, io.EOF
	}
	return n, nil
}

// Postgres timestamps count microseconds from 2000-01-01 UTC.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// textOID is the element type of text[].
const textOID = 25

// encoder returns the field encoder of a column of Postgres type typ held
// in vals, and the number of values.
func encoder(typ string, vals any) (field, int, error) {
	be := binary.BigEndian
	switch v := vals.(type) {
	case []int64:
		if typ == "bigint" {
			return func(b []byte, i int) []byte { return be.AppendUint64(be.AppendUint32(b, 8), uint64(v[i])) }, len(v), nil
		}
	case []*int64:
		if typ == "bigint" {
			return func(b []byte, i int) []byte {
				if v[i] == nil {
					return be.AppendUint32(b, 0xffffffff) // NULL
				}
				return be.AppendUint64(be.AppendUint32(b, 8), uint64(*v[i]))
			}, len(v), nil
		}
	case []int32:
		if typ == "integer" {
			return func(b []byte, i int) []byte { return be.AppendUint32(be.AppendUint32(b, 4), uint32(v[i])) }, len(v), nil
		}
	case []bool:
		if typ == "boolean" {
			return func(b []byte, i int) []byte {
				b = be.AppendUint32(b, 1)
				if v[i] {
					return append(b, 1)
				}
				return append(b, 0)
			}, len(v), nil
		}
	case []string:
		switch typ {
		case "text":
			return func(b []byte, i int) []byte { return append(be.AppendUint32(b, uint32(len(v[i]))), v[i]...) }, len(v), nil
		case "jsonb": // version 1, then the JSON text
			return func(b []byte, i int) []byte {
				return append(append(be.AppendUint32(b, uint32(len(v[i])+1)), 1), v[i]...)
			}, len(v), nil
		}
	case [][]byte:
		switch typ {
		case "json":
			return func(b []byte, i int) []byte { return append(be.AppendUint32(b, uint32(len(v[i]))), v[i]...) }, len(v), nil
		case "jsonb":
			return func(b []byte, i int) []byte {
				return append(append(be.AppendUint32(b, uint32(len(v[i])+1)), 1), v[i]...)
			}, len(v), nil
		}
	case []time.Time:
		if typ == "timestamptz" {
			return func(b []byte, i int) []byte {
				return be.AppendUint64(be.AppendUint32(b, 8), uint64(v[i].UnixMicro()-pgEpoch))
			}, len(v), nil
		}
	case [][]string:
		if typ == "text[]" {
			return func(b []byte, i int) []byte { return appendTextArray(b, v[i]) }, len(v), nil
		}
	}
	return nil, 0, fmt.Errorf("no binary encoding of %T as %s", vals, typ)
}

// appendTextArray appends a one-dimensional text[] without NULLs.
func appendTextArray(b []byte, xs []string) []byte {
	be := binary.BigEndian
	size := 12
	if len(xs) > 0 {
		size += 8
		for _, x := range xs {
			size += 4 + len(x)
		}
	}
	b = be.AppendUint32(b, uint32(size))
	if len(xs) == 0 {
		return be.AppendUint32(be.AppendUint32(be.AppendUint32(b, 0), 0), textOID) // no dimensions
	}
	b = be.AppendUint32(be.AppendUint32(be.AppendUint32(b, 1), 0), textOID) // one dimension, no NULLs
	b = be.AppendUint32(be.AppendUint32(b, uint32(len(xs))), 1)             // length, lower bound
	for _, x := range xs {
		b = append(be.AppendUint32(b, uint32(len(x))), x...)
	}
	return b
}

// sortByKey returns the rows of cols (one slice per column) ordered by
// their first nKey columns, as the primary key orders them (text in byte
// order at least approximately): rows come from maps in random order, and
// Postgres inserts sorted keys into the key's index in far fewer page
// visits (a third less CPU for key_lines).
func sortByKey(cols []any, nKey int) ([]any, error) {
	perm := make([]int, colLen(cols[0]))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int {
		for _, c := range cols[:nKey] {
			var r int
			switch v := c.(type) {
			case []int64:
				r = cmp.Compare(v[a], v[b])
			case []int32:
				r = cmp.Compare(v[a], v[b])
			case []string:
				r = strings.Compare(v[a], v[b])
			}
			if r != 0 {
				return r
			}
		}
		return 0
	})
	out := make([]any, len(cols))
	for i, c := range cols {
		switch v := c.(type) {
		case []int64:
			out[i] = permute(v, perm)
		case []*int64:
			out[i] = permute(v, perm)
		case []int32:
			out[i] = permute(v, perm)
		case []bool:
			out[i] = permute(v, perm)
		case []string:
			out[i] = permute(v, perm)
		default:
			return nil, fmt.Errorf("postgres: sorting rows: no column type %T", c)
		}
	}
	return out, nil
}

func colLen(c any) int { return reflect.ValueOf(c).Len() }

func permute[T any](xs []T, perm []int) []T {
	out := make([]T, len(perm))
	for i, p := range perm {
		out[i] = xs[p]
	}
	return out
}
