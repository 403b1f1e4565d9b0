package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestBodyChecksMatchTheDocument: for every route with a body, the strict
// check compiled from the body's Go type and the schema the OpenAPI
// document states for it agree on every field: present, required, may be
// null, JSON type, maxLength and multi-line text. Both come from the same
// type by reflection; this catches a rule applied on one side only.
func TestBodyChecksMatchTheDocument(t *testing.T) {
	s := New(Config{})
	var doc map[string]any
	if err := json.Unmarshal(s.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := dig(doc, "components", "schemas").(map[string]any)
	n := 0
	for _, d := range s.ops {
		if d.Op.Body == nil {
			continue
		}
		bt, err := bodyTypeOf(reflect.TypeOf(d.Op.Body))
		if err != nil {
			t.Fatalf("%s %s: %v", d.Method, d.Path, err)
		}
		schema, _ := dig(doc, "paths", openapiPath(d.Path), strings.ToLower(d.Method), "requestBody", "content",
			"application/json", "schema").(map[string]any)
		if schema == nil {
			t.Errorf("%s %s: no request body in the document", d.Method, d.Path)
			continue
		}
		c := schemaComparer{schemas: schemas, seen: map[string]bool{}}
		c.compare(fmt.Sprintf("%s %s body", d.Method, d.Path), bodyNode{t: bt}, schema)
		for _, e := range c.errs {
			t.Error(e)
		}
		n++
	}
	if n < 40 {
		t.Fatalf("compared %d bodies; the routes have more than 40", n)
	}
}

// TestBodyTypesCompile: the check of every documented body compiles (a
// type the check cannot hold, such as a byte slice, fails here rather than
// at a request).
func TestBodyTypesCompile(t *testing.T) {
	for _, d := range New(Config{}).ops {
		if d.Op.Body == nil {
			continue
		}
		if _, err := bodyTypeOf(reflect.TypeOf(d.Op.Body)); err != nil {
			t.Errorf("%s %s: %v", d.Method, d.Path, err)
		}
	}
}

type schemaComparer struct {
	schemas map[string]any
	seen    map[string]bool
	errs    []string
}

func (c *schemaComparer) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// resolve follows a $ref (or an allOf/anyOf holding one) to its schema.
func (c *schemaComparer) resolve(s map[string]any) (map[string]any, string) {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		r, _ := c.schemas[name].(map[string]any)
		return r, name
	}
	return s, ""
}

func (c *schemaComparer) compare(path string, n bodyNode, s map[string]any) {
	if n.t.kind == kindAny {
		return // a type with its own JSON form documents itself
	}
	types := schemaTypes(s)
	if nullable := slices.Contains(types, "null"); nullable != n.nullable {
		c.errorf("%s: the check says nullable=%v, the document %v", path, n.nullable, types)
	}
	s, ref := c.resolve(s)
	if s == nil {
		c.errorf("%s: unresolved reference %s", path, ref)
		return
	}
	if ref != "" {
		types = schemaTypes(s)
	}
	want := map[bodyKind]string{kindObject: "object", kindMap: "object", kindArray: "array", kindString: "string",
		kindBool: "boolean", kindInt: "integer", kindUint: "integer", kindFloat: "number"}[n.t.kind]
	if !slices.Contains(types, want) {
		c.errorf("%s: the check wants %s, the document says %v", path, want, types)
		return
	}
	switch n.t.kind {
	case kindString:
		c.compareText(path, n.text, s)
	case kindArray:
		items, _ := s["items"].(map[string]any)
		elem := n.t.elem
		if elem.t.kind == kindString {
			elem.text = n.text
		}
		c.compare(path+"[]", elem, items)
	case kindObject:
		if ref != "" {
			if c.seen[ref] {
				return
			}
			c.seen[ref] = true
		}
		c.compareObject(path, n.t, s)
	}
}

func (c *schemaComparer) compareText(path string, rule textRule, s map[string]any) {
	max, _ := s["maxLength"].(float64)
	if int(max) != rule.maxLen {
		c.errorf("%s: the check caps at %d characters, the document at %v", path, rule.maxLen, s["maxLength"])
	}
	desc, _ := s["description"].(string)
	if documented := strings.Contains(desc, "Multi-line text"); documented != rule.multiline {
		c.errorf("%s: the check says multi-line=%v, the document's description %q", path, rule.multiline, desc)
	}
}

func (c *schemaComparer) compareObject(path string, t *bodyType, s map[string]any) {
	if s["additionalProperties"] != false {
		c.errorf("%s: the document allows other properties", path)
	}
	props, _ := s["properties"].(map[string]any)
	var checked, inDoc, reqCheck, reqDoc []string
	for _, f := range t.fields {
		checked = append(checked, f.name)
		if f.required {
			reqCheck = append(reqCheck, f.name)
		}
		if p, ok := props[f.name].(map[string]any); ok {
			c.compare(path+"."+f.name, f.node, p)
		}
	}
	for name := range props {
		inDoc = append(inDoc, name)
	}
	if r, ok := s["required"].([]any); ok {
		for _, v := range r {
			reqDoc = append(reqDoc, v.(string))
		}
	}
	for _, l := range [][]string{checked, inDoc, reqCheck, reqDoc} {
		sort.Strings(l)
	}
	if !slices.Equal(checked, inDoc) {
		c.errorf("%s: the check knows the fields %v, the document %v", path, checked, inDoc)
	}
	if !slices.Equal(reqCheck, reqDoc) {
		c.errorf("%s: the check requires %v, the document %v", path, reqCheck, reqDoc)
	}
}

// schemaTypes is a schema's "type" as a list ("null" included), or the
// types of an anyOf.
func schemaTypes(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, v := range t {
			out = append(out, v.(string))
		}
		return out
	}
	var out []string
	for _, alt := range asList(s["anyOf"]) {
		if m, ok := alt.(map[string]any); ok {
			if m["$ref"] != nil {
				out = append(out, "object")
			}
			out = append(out, schemaTypes(m)...)
		}
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
