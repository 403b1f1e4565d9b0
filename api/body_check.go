package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// checkBody holds a request body to its compiled type before it is
// decoded: every required field present, null only where the document
// allows it, keys matched case-sensitively, no unknown or duplicate key,
// each value of its JSON type (integers of their range), and every string
// valid text (domain.IsTextRune; tab and newline only in multi-line
// fields) within its maxLength. encoding/json alone would take {} for a
// required field, null for an object, {"Name":...} for "name" and the last
// of two equal keys.
//
// data must be one syntactically valid JSON value (json.Valid): syntax is
// reported first, as invalid-json. The check walks the bytes once, without
// building a tree; it allocates only to report a refusal (or for the rare
// key written with escapes).
func checkBody(data []byte, t *bodyType) error {
	w := bodyWalker{data: data}
	if err := w.value(bodyNode{t: t}); err != nil {
		return err
	}
	w.space()
	if w.i != len(w.data) {
		return errSyntax
	}
	return nil
}

// bodyError is a refusal of the check: the code (invalid-body or
// invalid-text), the path of the value in reverse (lines, [0], type) and
// what is wrong with it.
type bodyError struct {
	code string
	path []string
	msg  string
}

func (e *bodyError) Error() string { return e.code + ": " + e.detail() }

// detail names the value as a client writes it: lines[0].type.
func (e *bodyError) detail() string {
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		if b.Len() > 0 && !strings.HasPrefix(e.path[i], "[") {
			b.WriteByte('.')
		}
		b.WriteString(e.path[i])
	}
	if b.Len() == 0 {
		return "the body " + e.msg
	}
	return b.String() + " " + e.msg
}

// errSyntax is answered when the walker meets what json.Valid should have
// refused: the check never trusts its input.
var errSyntax = &bodyError{code: "invalid-json", msg: "is not valid JSON"}

func invalidBody(format string, args ...any) *bodyError {
	return &bodyError{code: "invalid-body", msg: fmt.Sprintf(format, args...)}
}

func invalidText(format string, args ...any) *bodyError {
	return &bodyError{code: "invalid-text", msg: fmt.Sprintf(format, args...)}
}

// at adds a path segment to a refusal from below.
func at(err error, seg string) error {
	if be, ok := err.(*bodyError); ok && be != errSyntax {
		be.path = append(be.path, seg)
	}
	return err
}

// bodyWalker reads a body once, front to back: i is the next byte.
type bodyWalker struct {
	data []byte
	i    int
}

func (w *bodyWalker) space() {
	for w.i < len(w.data) {
		switch w.data[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (w *bodyWalker) peek() byte {
	w.space()
	if w.i >= len(w.data) {
		return 0
	}
	return w.data[w.i]
}

// expect consumes byte c after white space.
func (w *bodyWalker) expect(c byte) error {
	if w.peek() != c {
		return errSyntax
	}
	w.i++
	return nil
}

func (w *bodyWalker) value(n bodyNode) error {
	c := w.peek()
	if c == 'n' {
		if !n.nullable && n.t.kind != kindAny {
			return invalidBody("must not be null")
		}
		return w.literal("null")
	}
	switch k := n.t.kind; {
	case k == kindAny:
		return w.anyValue()
	case c == '{' && k == kindObject:
		return w.object(n.t)
	case c == '{' && k == kindMap:
		return w.mapObject(n.t)
	case c == '[' && k == kindArray:
		return w.array(n)
	case c == '"' && k == kindString:
		return w.str(n.text)
	case c == 't' && k == kindBool:
		return w.literal("true")
	case c == 'f' && k == kindBool:
		return w.literal("false")
	case (c == '-' || '0' <= c && c <= '9') && (k == kindInt || k == kindUint || k == kindFloat):
		return w.number(n.t)
	}
	return invalidBody("must be %s", kindNames[n.t.kind])
}

var kindNames = [...]string{kindObject: "an object", kindMap: "an object", kindArray: "an array", kindString: "a string",
	kindBool: "a boolean", kindInt: "an integer", kindUint: "a non-negative integer", kindFloat: "a number", kindAny: "a value"}

func (w *bodyWalker) literal(lit string) error {
	end := w.i + len(lit)
	if end > len(w.data) || string(w.data[w.i:end]) != lit {
		return errSyntax
	}
	w.i = end
	return nil
}

// object checks an object against its fields: each key once, known, and
// every required field present.
func (w *bodyWalker) object(t *bodyType) error {
	w.i++ // {
	var seen uint64
	if w.peek() == '}' {
		w.i++
		return t.missing(seen)
	}
	for {
		key, escaped, err := w.key()
		if err != nil {
			return err
		}
		f := t.field(key, escaped)
		if f < 0 {
			return invalidBody("has the unknown field %s (fields are matched case-sensitively)", quoteKey(key, escaped))
		}
		if seen&(1<<f) != 0 {
			return invalidBody("has the field %q twice", t.fields[f].name)
		}
		seen |= 1 << f
		if err := w.value(t.fields[f].node); err != nil {
			return at(err, t.fields[f].name)
		}
		if done, err := w.next('}'); done || err != nil {
			if err != nil {
				return err
			}
			return t.missing(seen)
		}
	}
}

// next consumes the comma or the closing byte after a member or element;
// done reports the closing byte.
func (w *bodyWalker) next(closing byte) (done bool, err error) {
	switch w.peek() {
	case ',':
		w.i++
		return false, nil
	case closing:
		w.i++
		return true, nil
	}
	return false, errSyntax
}

// missing refuses an object without one of its required fields.
func (t *bodyType) missing(seen uint64) error {
	if seen&t.required == t.required {
		return nil
	}
	for i, f := range t.fields {
		if f.required && seen&(1<<i) == 0 {
			return at(invalidBody("is required"), f.name)
		}
	}
	return nil
}

// field finds the field of a key exactly as written; a key written with
// escapes is unescaped first.
func (t *bodyType) field(key []byte, escaped bool) int {
	if escaped {
		s, ok := unquoteKey(key)
		if !ok {
			return -1
		}
		key = []byte(s)
	}
	for i := range t.fields {
		if string(key) == t.fields[i].name {
			return i
		}
	}
	return -1
}

// key reads an object key and its colon; key is the raw text between the
// quotes.
func (w *bodyWalker) key() (key []byte, escaped bool, err error) {
	if w.peek() != '"' {
		return nil, false, errSyntax
	}
	start := w.i + 1
	for w.i = start; w.i < len(w.data); w.i++ {
		switch w.data[w.i] {
		case '\\':
			escaped = true
			w.i++
		case '"':
			key = w.data[start:w.i]
			w.i++
			return key, escaped, w.expect(':')
		}
	}
	return nil, false, errSyntax
}

// unquoteKey decodes a key written with escapes, as encoding/json does.
func unquoteKey(raw []byte) (string, bool) {
	var s string
	err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s)
	return s, err == nil
}

// quoteKey writes a key for a message, escaped so that it cannot carry
// control characters into logs.
func quoteKey(raw []byte, escaped bool) string {
	if s, ok := unquoteKey(raw); ok && escaped {
		return strconv.Quote(s)
	}
	return strconv.Quote(string(raw))
}

// array checks the elements of a list; the text rule of a list field
// (its maxLength) is its items'.
func (w *bodyWalker) array(list bodyNode) error {
	w.i++ // [
	if w.peek() == ']' {
		w.i++
		return nil
	}
	elem := list.t.elem
	if elem.t.kind == kindString {
		elem.text = list.text
	}
	for n := 0; ; n++ {
		if err := w.value(elem); err != nil {
			return at(err, "["+strconv.Itoa(n)+"]")
		}
		if done, err := w.next(']'); done || err != nil {
			return err
		}
	}
}
