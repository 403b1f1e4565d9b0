package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// The strict check of request bodies (body_check.go) is compiled, by
// reflection, from the same Go type the OpenAPI document reflects the
// body's schema from, with the same rules strictObjects and the reflector
// apply: a field without omitempty is required, a pointer to a scalar and
// a slice without omitempty may be null, `nullable` overrides, other
// properties are refused, `maxLength` caps a string (the items of a string
// list). TestBodyChecksMatchTheDocument compares the two for every route.

// bodyKind is the JSON type a value must have.
type bodyKind uint8

const (
	kindObject bodyKind = iota
	kindMap             // an object with any keys: map[string]T
	kindArray
	kindString
	kindBool
	kindInt
	kindUint
	kindFloat
	kindAny // json.Unmarshaler or interface: any value, checked as text
)

// bodyType is the compiled check of one Go type.
type bodyType struct {
	kind     bodyKind
	name     string // the Go type, for messages of compile errors
	bits     int    // size of numbers
	elem     bodyNode
	fields   []bodyField // objects, in declaration order
	required uint64      // bit i: fields[i] is required
}

// bodyNode is one place a value may stand (the body, a field, an element)
// with the rules of that place: may it be null, which text it may hold.
type bodyNode struct {
	t        *bodyType
	nullable bool
	text     textRule
}

// textRule is what a string may hold: multi-line text may hold tab and
// newline; maxLen caps the characters (0: uncapped).
type textRule struct {
	maxLen    int
	multiline bool
}

type bodyField struct {
	name     string
	node     bodyNode
	required bool
}

// maxBodyFields bounds the fields of one object type: seen fields are
// tracked in a uint64, so checking allocates nothing.
const maxBodyFields = 64

// bodyTypes caches the compiled check per Go type.
var bodyTypes sync.Map // reflect.Type -> *bodyType

// bodyTypeOf returns the compiled check of t, compiling it once.
func bodyTypeOf(t reflect.Type) (*bodyType, error) {
	t = derefType(t)
	if bt, ok := bodyTypes.Load(t); ok {
		return bt.(*bodyType), nil
	}
	bt, err := compileType(t, map[reflect.Type]*bodyType{})
	if err != nil {
		return nil, err
	}
	actual, _ := bodyTypes.LoadOrStore(t, bt)
	return actual.(*bodyType), nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// compileType compiles the check of t; seen breaks cycles of recursive
// types.
func compileType(t reflect.Type, seen map[reflect.Type]*bodyType) (*bodyType, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if bt, ok := seen[t]; ok {
		return bt, nil
	}
	bt := &bodyType{name: t.String()}
	seen[t] = bt
	switch pt := reflect.PointerTo(t); {
	case pt.Implements(jsonUnmarshaler) || t.Kind() == reflect.Interface:
		bt.kind = kindAny
		return bt, nil
	case pt.Implements(textUnmarshaler):
		bt.kind = kindString
		return bt, nil
	}
	switch t.Kind() {
	case reflect.Struct:
		bt.kind = kindObject
		return bt, compileFields(bt, t, seen)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, fmt.Errorf("%s: byte slices (base64) are not supported in bodies", t)
		}
		bt.kind = kindArray
		return bt, compileElem(bt, t.Elem(), seen)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%s: only maps with string keys are supported in bodies", t)
		}
		bt.kind = kindMap
		return bt, compileElem(bt, t.Elem(), seen)
	case reflect.String:
		bt.kind = kindString
	case reflect.Bool:
		bt.kind = kindBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bt.kind, bt.bits = kindInt, t.Bits()
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bt.kind, bt.bits = kindUint, t.Bits()
	case reflect.Float32, reflect.Float64:
		bt.kind, bt.bits = kindFloat, t.Bits()
	default:
		return nil, fmt.Errorf("%s: kind %s is not supported in bodies", t, t.Kind())
	}
	return bt, nil
}

func compileElem(bt *bodyType, et reflect.Type, seen map[reflect.Type]*bodyType) error {
	t, err := compileType(et, seen)
	if err != nil {
		return err
	}
	// Elements of []*T may be null (encoding/json leaves them nil), as the
	// reflector documents pointers to scalars.
	bt.elem = bodyNode{t: t, nullable: et.Kind() == reflect.Pointer && t.kind != kindObject}
	return nil
}

// compileFields collects the JSON fields of a struct as encoding/json
// does: exported fields under their json name, "-" skipped, embedded
// structs without a name flattened.
func compileFields(bt *bodyType, t reflect.Type, seen map[reflect.Type]*bodyType) error {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if f.Anonymous && name == "" {
			if et := derefType(f.Type); et.Kind() == reflect.Struct {
				if err := compileFields(bt, et, seen); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if err := addField(bt, f, name, opts, seen); err != nil {
			return fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
	}
	return nil
}

func addField(bt *bodyType, f reflect.StructField, name, opts string, seen map[reflect.Type]*bodyType) error {
	if name == "" {
		name = f.Name
	}
	if hasOpt(opts, "string") {
		return fmt.Errorf("the ,string option is not supported in bodies")
	}
	for _, o := range bt.fields {
		if o.name == name {
			return fmt.Errorf("two fields are named %q", name)
		}
	}
	if len(bt.fields) == maxBodyFields {
		return fmt.Errorf("more than %d fields", maxBodyFields)
	}
	ft, err := compileType(f.Type, seen)
	if err != nil {
		return err
	}
	node, err := fieldNode(f, ft, hasOpt(opts, "omitempty"))
	if err != nil {
		return err
	}
	req := !hasOpt(opts, "omitempty") && !hasOpt(opts, "omitzero") || f.Tag.Get("required") == "true"
	if req {
		bt.required |= 1 << len(bt.fields)
	}
	bt.fields = append(bt.fields, bodyField{name: name, node: node, required: req})
	return nil
}

// fieldNode applies a field's tags: nullable (as the reflector decides
// it), maxLength and text.
func fieldNode(f reflect.StructField, ft *bodyType, omitempty bool) (bodyNode, error) {
	n := bodyNode{t: ft}
	k := f.Type.Kind()
	switch v := f.Tag.Get("nullable"); {
	case v != "":
		n.nullable = v == "true"
	case k == reflect.Pointer:
		n.nullable = ft.kind != kindObject
	case k == reflect.Slice || k == reflect.Map:
		n.nullable = !omitempty && f.Type.Name() == ""
	}
	if v := f.Tag.Get("maxLength"); v != "" {
		max, err := strconv.Atoi(v)
		if err != nil || max <= 0 {
			return n, fmt.Errorf("maxLength %q is not a positive integer", v)
		}
		n.text.maxLen = max
	}
	switch v := f.Tag.Get("text"); v {
	case "":
	case "multiline":
		n.text.multiline = true
	default:
		return n, fmt.Errorf("text %q: the only text kind is multiline", v)
	}
	return n, nil
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func hasOpt(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}
