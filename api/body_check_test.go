package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/innolic/ledger/domain"
)

// checkCase is one body held to a type: want is the code of the refusal
// ("" to accept) and detail a part of its detail.
type checkCase struct {
	name   string
	v      any // a pointer to a value of the body type
	body   string
	want   string
	detail string
}

func TestCheckJSONHoldsBodiesToTheirType(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []checkCase{
		{"a full bind body", new(BindBody), bindBody, "", ""},
		{"a required field left out", new(describeProjectBody), `{}`, "invalid-body", "description is required"},
		{"an empty body is {}", new(describeProjectBody), ``, "invalid-body", "description is required"},
		{"empty text is text", new(describeProjectBody), `{"description":""}`, "", ""},
		{"null is not an empty string", new(describeProjectBody), `{"description":null}`, "invalid-body", "description must not be null"},
		{"null is not an empty object", new(describeProjectBody), `null`, "invalid-body", "the body must not be null"},
		{"null is not an empty list", new(BindBody), `{"version":13,"lines":null}`, "invalid-body", "lines must not be null"},
		{"null is not zero", new(BindBody), `{"version":null,"lines":[]}`, "invalid-body", "version must not be null"},
		{"an optional pointer may be null, as documented", new(UpdateKeyBody), `{"comment":null}`, "", ""},
		{"keys match case-sensitively", new(createCompanyBody), `{"Name":"x"}`, "invalid-body", `unknown field "Name"`},
		{"keys written with escapes match", new(createCompanyBody), `{"n\u0061me":"x"}`, "", ""},
		{"a duplicate key", new(createCompanyBody), `{"name":"x","name":"y"}`, "invalid-body", `field "name" twice`},
		{"a duplicate key written with escapes", new(createCompanyBody), `{"name":"x","\u006eame":"y"}`, "invalid-body", `field "name" twice`},
		{"an unknown key", new(createCompanyBody), `{"name":"x","bogus":1}`, "invalid-body", `unknown field "bogus"`},
		{"an unknown key in an element", new(BindBody), `{"version":13,"lines":[{"type":"PBX-Port","quantity":1,"x":0}]}`,
			"invalid-body", `lines[0] has the unknown field "x"`},
		{"a required field of an element", new(BindBody), `{"version":13,"lines":[{"type":"PBX-Port","quantity":1},{"type":"PBX-Port"}]}`,
			"invalid-body", "lines[1].quantity is required"},
		{"a string for a number", new(BindBody), `{"version":"13","lines":[]}`, "invalid-body", "version must be an integer"},
		{"a fraction for an integer", new(BindBody), `{"version":13.5,"lines":[]}`, "invalid-body", "version must be an integer"},
		{"an exponent for an integer", new(BindBody), `{"version":1e1,"lines":[]}`, "invalid-body", "version must be an integer"},
		{"an integer beyond int64", new(BindBody), `{"version":13,"lines":[{"type":"x","quantity":9223372036854775808}]}`,
			"invalid-body", "lines[0].quantity must be an integer from"},
		{"the least int64", new(BindBody), `{"version":13,"lines":[{"type":"x","quantity":-9223372036854775808}]}`, "", ""},
		{"an object for a list", new(BindBody), `{"version":13,"lines":{}}`, "invalid-body", "lines must be an array"},
		{"a number for a boolean", new(BindBody), `{"version":13,"lines":[],"on_credit":1}`, "invalid-body", "on_credit must be a boolean"},
		{"a list for the body", new(BindBody), `[]`, "invalid-body", "the body must be an object"},
		{"syntax first", new(describeProjectBody), `{"description":"\u0000"`, "invalid-json", ""},
		{"trailing data", new(createCompanyBody), `{"name":"x"} {}`, "invalid-json", ""},
		{"NUL written as an escape", new(describeProjectBody), `{"description":"a\u0000b"}`, "invalid-text", "description must not contain the control character U+0000"},
		{"a C1 control character", new(createCompanyBody), "{\"name\":\"a\u0085b\"}", "invalid-text", "U+0085"},
		{"DEL", new(createCompanyBody), "{\"name\":\"a\x7fb\"}", "invalid-text", "U+007F"},
		{"invalid UTF-8", new(createCompanyBody), "{\"name\":\"a\xffb\"}", "invalid-text", "name must be valid UTF-8"},
		{"a lone surrogate", new(createCompanyBody), `{"name":"a\ud800b"}`, "invalid-text", "lone surrogate"},
		{"a surrogate pair is one character", new(createCompanyBody), `{"name":"\ud83d\ude00"}`, "", ""},
		{"a newline in a name", new(createCompanyBody), `{"name":"a\nb"}`, "invalid-text", "U+000A"},
		{"tab and newline in a description", new(describeProjectBody), `{"description":"a\n\tb"}`, "", ""},
		{"carriage return in a description", new(describeProjectBody), `{"description":"a\r\nb"}`, "invalid-text", "U+000D"},
		{"a name at its limit", new(createCompanyBody), `{"name":"` + long(domain.MaxCompanyName) + `"}`, "", ""},
		{"a name over its limit", new(createCompanyBody), `{"name":"` + long(domain.MaxCompanyName+1) + `"}`, "invalid-text", "name has at most 200 characters"},
		{"limits count characters, not bytes", new(createCompanyBody), `{"name":"` + strings.Repeat("ü", domain.MaxCompanyName) + `"}`, "", ""},
		{"an item of a list over its limit", new(projectPropertiesBody), `{"cc_mails":["` + long(domain.MaxEmail+1) + `"]}`,
			"invalid-text", "cc_mails[0] has at most 254 characters"},
		{"no body where none is documented", new(struct{}), `{"x":1}`, "invalid-body", `unknown field "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSON([]byte(orEmpty(tc.body)), tc.v)
			var de *domain.Error
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
			case !errors.As(err, &de) || de.Code != tc.want || !strings.Contains(de.Detail, tc.detail):
				t.Fatalf("error = %v, want %s with %q", err, tc.want, tc.detail)
			}
		})
	}
}

// orEmpty turns the empty body into {}, as readBody does.
func orEmpty(body string) string {
	if strings.TrimSpace(body) == "" {
		return "{}"
	}
	return body
}

// TestEveryBodyStringIsCapped: every string a body may carry has a
// documented maxLength (or is a choice of an enum), so no route takes
// unbounded text.
func TestEveryBodyStringIsCapped(t *testing.T) {
	s := New(Config{})
	for _, d := range s.ops {
		if d.Op.Body == nil {
			continue
		}
		walkFields(reflect.TypeOf(d.Op.Body), func(path string, f reflect.StructField) {
			if k := derefType(f.Type); (k.Kind() == reflect.String || k.Kind() == reflect.Slice && k.Elem().Kind() == reflect.String) &&
				f.Tag.Get("maxLength") == "" && f.Tag.Get("enum") == "" {
				t.Errorf("%s %s: %s has no maxLength", d.Method, d.Path, path)
			}
		})
	}
}

// walkFields calls fn on every field of a struct type and of the struct
// types it holds.
func walkFields(t reflect.Type, fn func(path string, f reflect.StructField)) {
	var walk func(prefix string, t reflect.Type, seen map[reflect.Type]bool)
	walk = func(prefix string, t reflect.Type, seen map[reflect.Type]bool) {
		t = derefType(t)
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = derefType(t.Elem())
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			fn(prefix+t.Name()+"."+f.Name, f)
			walk(prefix, f.Type, seen)
		}
	}
	walk("", t, map[reflect.Type]bool{})
}

// FuzzCheckJSON: the check never panics, and whatever it accepts decodes
// with encoding/json into the type (and is valid JSON).
//
//	GOEXPERIMENT=jsonv2 go test -run '^$' -fuzz FuzzCheckJSON ./api/
func FuzzCheckJSON(f *testing.F) {
	types := []func() any{
		func() any { return new(BindBody) }, func() any { return new(UpdateKeyBody) },
		func() any { return new(projectPropertiesBody) }, func() any { return new(describeProjectBody) },
		func() any { return new(RegisterOrderBody) }, func() any { return new(SSAQuoteBody) },
	}
	for _, seed := range []string{bindBody, `{}`, `{"comment":null,"delta":[{"type":"PBX-Port","quantity":-2}]}`,
		`{"cc_mails":["a@b.c"],"trust_value":"x"}`, `{"description":"a\n\u0000"}`, `{"max_ssc":5,"opt_out":[1,2]}`,
		`{"order_number":"SO-1","delivered":"2026-01-01","devices":[{"mac":"00-90-33-01-02-03","type":"IP6000"}]}`,
		`{"Name":1,"name":2,"n\u0061me":3}`, `[1,2.5e3,-0,true,null,"\ud83d\ude00"]`} {
		for i := range types {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		v := types[int(which)%len(types)]()
		if err := checkJSON(raw, v); err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid {
				t.Fatalf("refusal %v is not a 400", err)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
		fresh := types[int(which)%len(types)]()
		if err := json.Unmarshal(raw, fresh); err != nil {
			t.Fatalf("accepted %q, which does not decode into %T: %v", raw, fresh, err)
		}
	})
}
