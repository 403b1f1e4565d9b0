package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/labstack/echo/v4"
)

// bindBody is a typical bind request: the hot path of the portal.
const bindBody = `{"version":13,"lines":[{"type":"PBX-Port","quantity":8},{"type":"PBX-Voicemail","quantity":8},` +
	`{"type":"PBX-Standby","quantity":8}],"also_from":[2,3],"on_credit":true,"credit_order":"SO-2026-0042","ssa_end":"2027-11-22"}`

// BenchmarkReadBody measures reading, checking and decoding a bind body:
//
//	GOEXPERIMENT=jsonv2 go test -run '^$' -bench ReadBody -benchmem ./api/
func BenchmarkReadBody(b *testing.B) {
	e := echo.New()
	body := bytes.NewReader([]byte(bindBody))
	req := httptest.NewRequest(http.MethodPost, "/v1/projects/1/devices/00-90-33-01-02-03/licenses", body)
	c := e.NewContext(req, httptest.NewRecorder())
	b.ReportAllocs()
	for b.Loop() {
		body.Reset([]byte(bindBody))
		var v BindBody
		if _, err := readBody(c, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckBody measures the strict check alone (no read, no
// decode): it allocates nothing on an accepted body.
func BenchmarkCheckBody(b *testing.B) {
	t, err := bodyTypeOf(reflect.TypeFor[BindBody]())
	if err != nil {
		b.Fatal(err)
	}
	raw := []byte(bindBody)
	b.ReportAllocs()
	for b.Loop() {
		if err := checkBody(raw, t); err != nil {
			b.Fatal(err)
		}
	}
}
