package postgres

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Postgres cannot store every string the log may hold: a text value cannot
// hold U+0000, every value must be valid UTF-8 (the server encoding), jsonb
// refuses the escape \u0000 and an unpaired surrogate escape, and json
// keeps them only to fail when they are read (->>). The API refuses such
// text now, but a log written before holds it and must still project, the
// same way on every replay. So every text and JSON value is stored in this
// documented form (docs/postgres.md):
//
//   - U+0000 becomes U+FFFD, the replacement character;
//   - each byte that is not part of valid UTF-8 becomes U+FFFD, as
//     encoding/json decodes and encodes it;
//   - in a JSON document, the escape \u0000 and an unpaired surrogate
//     escape become U+FFFD, which is what Go decodes a surrogate to, so a
//     string read from a document equals the same string stored as text.
//
// Every other character, other controls included, is stored as it is.

// replacement is U+FFFD in UTF-8.
const replacement = "\uFFFD"

// StoredText is s as the Postgres read models store it: s itself unless
// it holds U+0000 or invalid UTF-8.
func StoredText(s string) string {
	if !textNeeds(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0 || r == utf8.RuneError && n == 1 {
			b.WriteString(replacement)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// textNeeds is the fast check: both scans are vectorized or word at a
// time, so text that needs nothing costs no allocation and little time.
func textNeeds(s string) bool {
	return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)
}

// StoredJSON is the JSON document doc as the Postgres read models store
// it: doc itself unless it holds \u0000, an unpaired surrogate escape or
// invalid UTF-8. doc must be valid JSON apart from those.
func StoredJSON(doc []byte) []byte {
	if !jsonNeeds(doc) {
		return doc
	}
	out := make([]byte, 0, len(doc)+8)
	for i := 0; i < len(doc); {
		c := doc[i]
		switch {
		case c == '\\':
			n, bad := escape(doc[i:])
			if bad {
				out = append(out, replacement...)
			} else {
				out = append(out, doc[i:i+n]...)
			}
			i += n
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(doc[i:])
			if r == utf8.RuneError && n == 1 {
				out = append(out, replacement...)
			} else {
				out = append(out, doc[i:i+n]...)
			}
			i += n
		}
	}
	return out
}

// jsonNeeds is StoredJSON's fast check: a backslash is looked at only
// where one occurs (encoding/json writes <, > and & as \u escapes).
func jsonNeeds(doc []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(doc[i:], '\\')
		if j < 0 {
			break
		}
		n, bad := escape(doc[i+j:])
		if bad {
			return true
		}
		i += j + n
	}
	return !utf8.Valid(doc)
}

// escape returns the length of the escape at the start of b (a backslash
// and one character, \uXXXX, or a surrogate pair of two \uXXXX) and
// whether Postgres cannot store it: \u0000 or an unpaired surrogate.
func escape(b []byte) (n int, bad bool) {
	r, ok := uEscape(b)
	switch {
	case !ok:
		return min(2, len(b)), false
	case r == 0:
		return 6, true
	case r >= 0xd800 && r <= 0xdbff:
		if lo, ok := uEscape(b[6:]); ok && lo >= 0xdc00 && lo <= 0xdfff {
			return 12, false
		}
		return 6, true
	case r >= 0xdc00 && r <= 0xdfff:
		return 6, true // a low surrogate without a high one before it
	}
	return 6, false
}

// uEscape decodes the \uXXXX escape at the start of b.
func uEscape(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// storedColumns returns the column slices vals of the columns cols (as
// newTable declares them, "name type [cast]"; vals may cover only the
// first ones, the keys) with every text and JSON value in its stored form.
// A column that needs nothing is passed on as it is, so a batch of
// ordinary text costs one scan and no copy.
func storedColumns(cols []string, vals []any) []any {
	out, copied := vals, false
	for i, v := range vals {
		f := strings.Fields(cols[i])
		if fixed, ok := storedColumn(slices.Contains(f[1:], "json") || slices.Contains(f[1:], "jsonb"), v); ok {
			if !copied {
				out, copied = slices.Clone(vals), true
			}
			out[i] = fixed
		}
	}
	return out
}

// storedRows is storedColumns for rows to write, whose first nKey columns
// are the key. Two keys the log tells apart may be one in the stored form
// (a key code "K\x00" and "K\uFFFD"), in one batch or in two. Both then
// hold U+FFFD, so when a stored text key holds it, the rows are written by
// upsert, never COPY (mayExist: a row "new" to the mirror may be in the
// table), and one row of each key is kept, since one upsert must not name
// a row twice: the greatest, so that the choice does not depend on the
// order the rows came in.
func storedRows(cols []string, nKey int, vals []any) (out []any, mayExist bool) {
	out = storedColumns(cols, vals)
	for _, c := range out[:nKey] {
		if ks, ok := c.([]string); ok && slices.ContainsFunc(ks, func(k string) bool { return strings.Contains(k, replacement) }) {
			return oneOfEachKey(out, nKey), true
		}
	}
	return out, false
}

// oneOfEachKey keeps, of the rows sharing a key, the one whose values
// print greatest. Only text keys holding U+FFFD come here, so reflection
// is fine.
func oneOfEachKey(cols []any, nKey int) []any {
	n := colLen(cols[0])
	best := map[string]int{} // key -> row
	var order []string
	row := func(i, upto int) string {
		s := ""
		for _, c := range cols[:upto] {
			s += fmt.Sprintf("%v\x00", reflect.ValueOf(c).Index(i).Interface())
		}
		return s
	}
	for i := range n {
		k := row(i, nKey)
		j, seen := best[k]
		switch {
		case !seen:
			order = append(order, k)
			best[k] = i
		case row(i, len(cols)) > row(j, len(cols)):
			best[k] = i
		}
	}
	if len(order) == n {
		return cols
	}
	out := make([]any, len(cols))
	for c, col := range cols {
		v := reflect.ValueOf(col)
		kept := reflect.MakeSlice(v.Type(), len(order), len(order))
		for x, k := range order {
			kept.Index(x).Set(v.Index(best[k]))
		}
		out[c] = kept.Interface()
	}
	return out
}

// storedColumn returns the stored form of one column's values and true,
// or false when they are stored as they are.
func storedColumn(isJSON bool, v any) (any, bool) {
	switch v := v.(type) {
	case []string:
		if isJSON {
			return storedEach(v, func(s string) bool { return jsonNeeds(unsafe.Slice(unsafe.StringData(s), len(s))) },
				func(s string) string { return string(StoredJSON([]byte(s))) })
		}
		return storedEach(v, textNeeds, StoredText)
	case [][]byte:
		return storedEach(v, jsonNeeds, StoredJSON)
	case [][]string:
		return storedEach(v, func(xs []string) bool { return slices.ContainsFunc(xs, textNeeds) }, storedTexts)
	}
	return v, false
}

// storedEach returns a copy of xs with fix applied where needs says so,
// and true, or false when no value needs it.
func storedEach[T any](xs []T, needs func(T) bool, fix func(T) T) (any, bool) {
	i := slices.IndexFunc(xs, needs)
	if i < 0 {
		return nil, false
	}
	out := slices.Clone(xs)
	for ; i < len(out); i++ {
		if needs(out[i]) {
			out[i] = fix(out[i])
		}
	}
	return out, true
}

// storedTexts is xs with every element in its stored form (StoredText);
// xs itself when none needs it.
func storedTexts(xs []string) []string {
	i := slices.IndexFunc(xs, textNeeds)
	if i < 0 {
		return xs
	}
	out := slices.Clone(xs)
	for ; i < len(out); i++ {
		out[i] = StoredText(out[i])
	}
	return out
}
