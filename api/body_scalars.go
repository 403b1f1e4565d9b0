package api

import (
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/innolic/ledger/domain"
)

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
