package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func searchData(f *licFixture, company int64, token, q string) map[string]any {
	f.t.Helper()
	return f.data(fmt.Sprintf("/v1/companies/%d/search?q=%s", company, url.QueryEscape(q)), token, int64(f.head())).(map[string]any)
}

func names(list any, field string) string {
	var out []string
	for _, x := range list.([]any) {
		out = append(out, fmt.Sprint(x.(map[string]any)[field]))
	}
	return strings.Join(out, ",")
}

func TestSearch(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000001","000002"]}`), 201, "")
	l.want(l.do("PUT", fmt.Sprintf("/v1/companies/%d/devices/000002", f.company), f.alice, `{"name":"Reception gateway","comment":"second floor"}`), 200, "")
	l.want(l.do("PUT", fmt.Sprintf("/v1/projects/%d/description", f.hotel), f.alice, `{"description":"Seaside hotel, reception wing"}`), 200, "")
	f.redeem(f.def, `[{"type":"PBX-PBX","version":13,"quantity":1},{"type":"PBX-Voicemail","version":13,"quantity":1},
		{"type":"PBX-Standby","version":13,"quantity":1},{"type":"PBX-Port","version":13,"quantity":120}]`)
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def), f.alice, `{"version":13,"lines":[{"type":"PBX-PBX","quantity":1},
		{"type":"PBX-Voicemail","quantity":1},{"type":"PBX-Standby","quantity":1},{"type":"PBX-Port","quantity":100}]}`), 201, "")
	key := l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/activation-keys", f.def), f.alice,
		`{"lines":[{"type":"PBX-Port","version":13,"quantity":5}],"comment":"for the reception desk","order_reference":"REF-7781"}`), 201, "")
	code := key.body["code"].(string)

	// Devices by name or comment, projects by name or description.
	r := searchData(f, f.company, f.bob, "rece")
	if names(r["devices"], "mac") != "00-90-33-00-00-02" || names(r["projects"], "name") != "Hotel" {
		t.Fatalf("rece: %v", r)
	}
	if len(r["activation_keys"].([]any)) != 0 {
		t.Fatalf("a 4-character search found keys: %v", r["activation_keys"])
	}
	// Own activation keys need five characters: by description, code or order reference.
	for _, q := range []string{"reception desk", code[:9], strings.ReplaceAll(code, "-", "")[:7], "REF-7781"} {
		if got := names(searchData(f, f.company, f.alice, q)["activation_keys"], "code"); got != code {
			t.Errorf("search %q: keys %s, want %s", q, got, code)
		}
	}
	// License types: devices having them, and having at least N.
	for q, want := range map[string]string{"PBX-Port13": "00-90-33-00-00-01", "pbx-port13=100": "00-90-33-00-00-01",
		"PBX-Port13=101": "", "PBX-Port12": "", "PBX-Port": "00-90-33-00-00-01"} {
		r := searchData(f, f.company, f.alice, q)
		if got := names(r["devices"], "mac"); got != want || r["license"] == nil {
			t.Errorf("search %q: devices %q (license %v), want %q", q, got, r["license"], want)
		}
	}
	// Device types and order numbers.
	if got := names(searchData(f, f.company, f.alice, "IP6000")["devices"], "mac"); got != "00-90-33-00-00-01" {
		t.Errorf("IP6000: %s", got)
	}
	// Product numbers: "01-00811" finds the IP811s (the reference's
	// example); a prefix with or without dashes; not a number's middle.
	l.want(l.do("POST", "/v1/registry/orders", adminToken, `{"order_number":"ORD-811","delivered":"2026-01-10",
		"devices":[{"mac":"00-90-33-00-08-11","type":"IP811"}]}`), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000811"]}`), 201, "")
	for q, want := range map[string]string{"01-00811": "00-90-33-00-08-11", "0100811": "00-90-33-00-08-11",
		"01-06000": "00-90-33-00-00-01", "01-0": "00-90-33-00-00-01,00-90-33-00-00-02,00-90-33-00-08-11", "00811-001": ""} {
		r := searchData(f, f.company, f.alice, q)
		if got := names(r["devices"], "mac"); got != want {
			t.Errorf("search %q: devices %q, want %q", q, got, want)
		}
	}
	if r := searchData(f, f.company, f.alice, "01-00811"); names(r["products"], "device_type") != "IP811" {
		t.Errorf("01-00811 names the products %v, want IP811", r["products"])
	}
	// Limited to what the caller may see: another company finds nothing of it.
	if r := searchData(f, f.other, f.carol, "recep"); len(r["devices"].([]any))+len(r["projects"].([]any)) != 0 {
		t.Fatalf("carol's company found alice's things: %v", r)
	}
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/search?q=recep", f.company), f.carol, ""), 403, "not-member")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/search?q=re", f.company), f.alice, ""), 400, "search-too-short")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/search?q=%%20%%20re%%20", f.company), f.alice, ""), 400, "search-too-short")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/search", f.company), f.alice, ""), 400, "search-too-short")
}
