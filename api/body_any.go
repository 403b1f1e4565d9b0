package api

import "slices"

// Values without a fixed schema: objects with any keys (map[string]T) and
// values a type decodes itself (json.Unmarshaler). They are held to the
// rules that need no schema: no key twice, strings valid single-line text.

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
		key, err := w.textKey()
		if err != nil {
			return err
		}
		if seen[key] {
			return invalidBody("has the key %q twice", key)
		}
		seen[key] = true
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
		key, err := w.textKey()
		if err != nil {
			return err
		}
		if slices.Contains(seen, key) {
			return invalidBody("has the key %q twice", key)
		}
		seen = append(seen, key)
		if err := w.anyValue(); err != nil {
			return at(err, key)
		}
		if done, err := w.next('}'); done || err != nil {
			return err
		}
	}
}

// textKey reads a key of an object with any keys, valid single-line
// text, decoded, and its colon.
func (w *bodyWalker) textKey() (string, error) {
	w.space()
	start := w.i
	if err := w.str(textRule{}); err != nil {
		return "", err
	}
	key, _ := unquoteKey(w.data[start+1 : w.i-1])
	return key, w.expect(':')
}
