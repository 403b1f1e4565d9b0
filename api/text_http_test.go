package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestFreeTextOverHTTP: control characters and invalid UTF-8 are refused
// with invalid-text in bodies, query and path parameters and the
// Idempotency-Key, and texts are capped at their documented length. A NUL
// in a description once stopped the Postgres projector for good.
func TestFreeTextOverHTTP(t *testing.T) {
	f := licSetup(t)
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000001"]}`), 201, "")
	desc := fmt.Sprintf("/v1/projects/%d/description", f.hotel)
	for _, body := range []string{`{"description":"a\u0000b"}`, "{\"description\":\"a\u0085b\"}", "{\"description\":\"a\x7fb\"}",
		"{\"description\":\"a\xffb\"}", `{"description":"a\u001bb"}`, `{"description":"a\rb"}`, `{"description":"a\ud800"}`,
		`{"description":"` + strings.Repeat("x", 1001) + `"}`} {
		f.refused(400, "invalid-text", "PUT", desc, f.alice, body)
	}
	f.want(f.do("PUT", desc, f.alice, `{"description":"first line\n\tsecond line"}`), 200, "")
	f.refused(400, "invalid-text", "POST", "/v1/companies", f.alice, `{"name":"A\nB"}`)
	f.refused(400, "invalid-text", "PUT", fmt.Sprintf("/v1/companies/%d/devices/000001", f.company), f.bob, `{"name":"PBX","comment":"\u0000"}`)
	f.refused(400, "invalid-text", "POST", "/v1/activation-keys", adminToken,
		`{"lines":[{"type":"PBX-Port","version":13,"quantity":1}],"order_number":"SO\u00001"}`)
	f.refused(400, "invalid-text", "PUT", fmt.Sprintf("/v1/projects/%d/properties", f.hotel), f.alice, `{"cc_mails":["a@b.c\u0085"]}`)

	search := fmt.Sprintf("/v1/companies/%d/search?q=", f.company)
	f.want(f.do("GET", search+"ab%00c", f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", search+"%C2%85abc", f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", search+"ab%FFc", f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", search+strings.Repeat("x", 201), f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", search+"lobby", f.alice, ""), 200, "")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/devices?q=a%%0Ab", f.company), f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/activation-keys?order_number=%%00", f.company), f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/balance?unknown=%%00", f.company), f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/devices/0090%%0033", f.company), f.alice, ""), 400, "invalid-text")
	f.want(f.do("GET", "/v1/registry/orders/"+strings.Repeat("x", 101), adminToken, ""), 400, "invalid-text")
	before := f.head()
	f.want(f.do("POST", "/v1/companies", f.alice, `{"name":"K"}`, "Idempotency-Key", "key\xff"), 400, "invalid-idempotency-key")
	if f.head() != before {
		t.Fatal("a refused command wrote")
	}
}
