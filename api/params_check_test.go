package api

import (
	"reflect"
	"testing"
)

// TestEveryQueryStringIsCapped: every string query parameter a route
// documents has a maxLength (or is a choice of an enum), and the check
// enforces the documented one.
func TestEveryQueryStringIsCapped(t *testing.T) {
	s := New(Config{})
	for _, d := range s.ops {
		for _, p := range []any{d.Op.Params, consistencyParams{}} {
			if p == nil {
				continue
			}
			walkParams(reflect.TypeOf(p), func(f reflect.StructField) {
				name := f.Tag.Get("query")
				if name == "" || f.Type.Kind() != reflect.String || f.Tag.Get("enum") != "" {
					return
				}
				if f.Tag.Get("maxLength") == "" {
					t.Errorf("%s %s: query parameter %s has no maxLength", d.Method, d.Path, name)
				}
				if d.Op.Legacy {
					return
				}
				if got := limitsOf(d.Op).query[name]; got == 0 {
					t.Errorf("%s %s: the check does not cap %s", d.Method, d.Path, name)
				}
			})
		}
	}
}
