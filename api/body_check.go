package api

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/innolic/ledger/domain"
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

// mapObject checks an object with any keys: each key once and valid
// single-line text, each value of the element type.
func (w *bodyWalker) mapObject(t *bodyType) error {
	w.i++ // {
	if w.peek() == '}' {
		w.i++
		return nil
	}
	seen := map[string]bool{}
	for {
		w.space()
		start := w.i
		if err := w.str(textRule{}); err != nil {
			return err
		}
		key, _ := unquoteKey(w.data[start+1 : w.i-1])
		if seen[key] {
			return invalidBody("has the key %q twice", key)
		}
		seen[key] = true
		if err := w.expect(':'); err != nil {
			return err
		}
		if err := w.value(t.elem); err != nil {
			return at(err, key)
		}
		if done, err := w.next('}'); done || err != nil {
			return err
		}
	}
}

// anyValue checks a value of no fixed type (a json.Unmarshaler decodes it
// later): well formed, no key twice, its strings valid single-line text.
func (w *bodyWalker) anyValue() error {
	switch c := w.peek(); {
	case c == '{':
		return w.anyObject()
	case c == '[':
		w.i++
		if w.peek() == ']' {
			w.i++
			return nil
		}
		for {
			if err := w.anyValue(); err != nil {
				return err
			}
			if done, err := w.next(']'); done || err != nil {
				return err
			}
		}
	case c == '"':
		return w.str(textRule{})
	case c == 't':
		return w.literal("true")
	case c == 'f':
		return w.literal("false")
	case c == 'n':
		return w.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return w.number(anyNumber)
	}
	return errSyntax
}

// anyNumber is the type of a number in a value of no fixed type.
var anyNumber = &bodyType{kind: kindFloat, bits: 64}

func (w *bodyWalker) anyObject() error {
	w.i++ // {
	if w.peek() == '}' {
		w.i++
		return nil
	}
	var seen []string
	for {
		w.space()
		start := w.i
		if err := w.str(textRule{}); err != nil {
			return err
		}
		key, _ := unquoteKey(w.data[start+1 : w.i-1])
		for _, k := range seen {
			if k == key {
				return invalidBody("has the key %q twice", key)
			}
		}
		seen = append(seen, key)
		if err := w.expect(':'); err != nil {
			return err
		}
		if err := w.anyValue(); err != nil {
			return at(err, key)
		}
		if done, err := w.next('}'); done || err != nil {
			return err
		}
	}
}

// str checks a string against its rule, escapes decoded: valid UTF-8, no
// character domain.IsTextRune refuses, at most maxLen characters.
func (w *bodyWalker) str(rule textRule) error {
	if w.peek() != '"' {
		return errSyntax
	}
	w.i++
	for n := 0; ; n++ {
		if w.i >= len(w.data) {
			return errSyntax
		}
		var r rune
		switch c := w.data[w.i]; {
		case c == '"':
			w.i++
			if rule.maxLen > 0 && n > rule.maxLen {
				return invalidText("has at most %d characters", rule.maxLen)
			}
			return nil
		case c == '\\':
			var err error
			if r, err = w.escape(); err != nil {
				return err
			}
		case c < utf8.RuneSelf:
			r = rune(c)
			w.i++
		default:
			var size int
			r, size = utf8.DecodeRune(w.data[w.i:])
			if r == utf8.RuneError && size == 1 {
				return invalidText("must be valid UTF-8")
			}
			w.i += size
		}
		if !domain.IsTextRune(r, rule.multiline) {
			return invalidText("must not contain the control character U+%04X", r)
		}
	}
}

// escape decodes the escape sequence at w.i (a backslash); a surrogate
// must come in a pair, as the one character it encodes.
func (w *bodyWalker) escape() (rune, error) {
	if w.i+1 >= len(w.data) {
		return 0, errSyntax
	}
	c := w.data[w.i+1]
	w.i += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, ok := w.hex4()
		if !ok {
			return 0, errSyntax
		}
		if !utf16.IsSurrogate(r) {
			return r, nil
		}
		if r < 0xDC00 && w.i+1 < len(w.data) && w.data[w.i] == '\\' && w.data[w.i+1] == 'u' {
			w.i += 2
			if lo, ok := w.hex4(); ok {
				if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
					return pair, nil
				}
			}
		}
		return 0, invalidText("must be valid UTF-16 in its escapes (a lone surrogate)")
	}
	return 0, errSyntax
}

func (w *bodyWalker) hex4() (rune, bool) {
	if w.i+4 > len(w.data) {
		return 0, false
	}
	var r rune
	for _, c := range w.data[w.i : w.i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	w.i += 4
	return r, true
}

// number checks a number against its Go type: integers without fraction
// or exponent and within the type's range, floats within theirs.
func (w *bodyWalker) number(t *bodyType) error {
	start := w.i
	integral := true
	for ; w.i < len(w.data); w.i++ {
		c := w.data[w.i]
		if c == '.' || c == 'e' || c == 'E' {
			integral = false
		} else if !('0' <= c && c <= '9' || c == '-' || c == '+') {
			break
		}
	}
	lit := w.data[start:w.i]
	switch t.kind {
	case kindFloat:
		if _, err := strconv.ParseFloat(string(lit), t.bits); err != nil {
			return invalidBody("must be a number of %d bits", t.bits)
		}
		return nil
	case kindUint:
		if !integral || lit[0] == '-' {
			return invalidBody("must be a non-negative integer")
		}
		if _, ok := parseDigits(lit, uint64(math.MaxUint64)>>(64-t.bits)); !ok {
			return invalidBody("must be at most %d", uint64(math.MaxUint64)>>(64-t.bits))
		}
		return nil
	}
	return checkInt(lit, integral, t.bits)
}

func checkInt(lit []byte, integral bool, bits int) error {
	maxPos := uint64(1)<<(bits-1) - 1
	if !integral {
		return invalidBody("must be an integer")
	}
	neg := lit[0] == '-'
	limit := maxPos
	if neg {
		lit, limit = lit[1:], maxPos+1
	}
	if _, ok := parseDigits(lit, limit); !ok {
		return invalidBody("must be an integer from %d to %d", -int64(maxPos)-1, maxPos)
	}
	return nil
}

// parseDigits reads decimal digits up to limit, without allocating.
func parseDigits(digits []byte, limit uint64) (uint64, bool) {
	if len(digits) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}
