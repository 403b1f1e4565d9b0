package api_test

import (
	"fmt"
	"testing"
)

// rentalFixture: licFixture's company with an approved software-rental
// contract, instance apps.example.com (password "instance-pw") and domain
// pbx.example.com (password "domain-pw") holding the IP6000 (in DEFAULT)
// and the IP0010, and 100 iSC uploaded into the domain.
type rentalFixture struct {
	*licFixture
	instance int64
	rentalPj int64
}

func rentalSetup(t *testing.T) *rentalFixture {
	t.Helper()
	f := &rentalFixture{licFixture: licSetup(t)}
	l := f.ledger
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000001"]}`), 201, "")
	ct := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/contracts", f.company), f.alice, `{"kind":"software-rental"}`), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/contracts/%d/approval", ct.num("contract")), adminToken, ""), 200, "")
	f.instance = l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/devices-instances", f.company), f.alice,
		`{"name":"apps.example.com","password":"instance-pw"}`), 201, "").num("instance")
	d := l.want(l.do("POST", fmt.Sprintf("/v1/devices-instances/%d/domains", f.instance), f.bob,
		`{"name":"pbx.example.com","password":"domain-pw","invoice_reference":"R-7"}`), 201, "")
	f.rentalPj = d.num("project")
	for _, mac := range []string{"000001", "000002"} {
		l.want(l.do("POST", "/v1/domains/pbx.example.com/devices", f.bob, fmt.Sprintf(`{"mac":%q}`, mac)), 201, "")
	}
	k := l.want(l.do("POST", "/v1/activation-keys", adminToken, `{"lines":[{"type":"iSC","quantity":100}]}`), 201, "")
	l.want(l.do("POST", "/v1/domains/pbx.example.com/redemptions", f.bob, fmt.Sprintf(`{"code":%q}`, k.body["code"])), 201, "")
	return f
}

func TestRentalOverHTTP(t *testing.T) {
	f := rentalSetup(t)
	l := f.ledger
	// The precalculation writes nothing: 10 PBX-Port cost 10 a month,
	// 0.3333 today (November 22 of 30 days).
	before := l.head()
	q := l.want(l.do("POST", "/v1/domains/pbx.example.com/devices/000001/rental/quote", f.bob,
		`{"licenses":[{"type":"PBX-Port","version":13,"quantity":10}]}`), 200, "")
	data := q.body["data"].(map[string]any)
	if data["monthly"] != "10" || data["charged_today"] != "0.3333" || data["end"] != "2027-09-21" || l.head() != before {
		t.Fatalf("quote %v (head %d -> %d)", data, before, l.head())
	}
	w := l.want(l.do("PUT", "/v1/domains/pbx.example.com/devices/000001/rental", f.bob,
		`{"licenses":[{"type":"PBX-Port","version":13,"quantity":10}]}`), 200, "")
	if w.body["end"] != "2027-09-21" || w.body["available"] != "99.6667" || w.body["charged"] != "0.3333" {
		t.Fatalf("apply answered %v", w.body)
	}
	st := f.data("/v1/domains/pbx.example.com", f.alice, w.num("position")).(map[string]any)
	devs := st["devices"].([]any)
	pbx := devs[0].(map[string]any)
	lic := pbx["licenses"].([]any)[0].(map[string]any)
	if st["rental_end"] != "2027-09-21" || st["monthly"] != "10" || pbx["rental_project"] != float64(f.rentalPj) || lic["valid"] != true || lic["origin"] != "rental" {
		t.Fatalf("app-platform state %v", st)
	}
	// On a day after the end the rented licenses are not valid.
	late := f.data("/v1/domains/pbx.example.com?day=2027-09-22", f.alice, w.num("position")).(map[string]any)
	if v := late["devices"].([]any)[0].(map[string]any)["licenses"].([]any)[0].(map[string]any)["valid"]; v != false {
		t.Fatalf("valid after the end: %v", v)
	}
	hist := f.data("/v1/domains/pbx.example.com/rental/history", f.alice, w.num("position")).([]any)
	if len(hist) != 3 { // the upload, the rental, today's charge
		t.Fatalf("history %v", hist)
	}
	l.want(l.do("DELETE", "/v1/domains/pbx.example.com/devices/000001/rental", f.bob, ""), 200, "")
	list := f.data(fmt.Sprintf("/v1/companies/%d/domains", f.company), f.alice, int64(l.head())).([]any)
	if len(list) != 1 || list[0].(map[string]any)["monthly"] != "0" {
		t.Fatalf("domains %v", list)
	}
}

func TestRentalRefusals(t *testing.T) {
	f := rentalSetup(t)
	l := f.ledger
	rent := func(q int) string {
		return fmt.Sprintf(`{"licenses":[{"type":"PBX-Port","version":13,"quantity":%d}]}`, q)
	}
	l.refused(422, "isc-insufficient", "PUT", "/v1/domains/pbx.example.com/devices/000001/rental", f.bob, rent(101))
	l.refused(404, "domain-not-found", "PUT", "/v1/domains/nope.example/devices/000001/rental", f.bob, rent(1))
	l.refused(404, "device-not-in-domain", "PUT", "/v1/domains/pbx.example.com/devices/000003/rental", f.bob, rent(1))
	l.refused(403, "not-member", "PUT", "/v1/domains/pbx.example.com/devices/000001/rental", f.carol, rent(1))
	l.refused(422, "not-rentable", "PUT", "/v1/domains/pbx.example.com/devices/000001/rental", f.bob,
		`{"licenses":[{"type":"Relay-PRI","version":13,"quantity":1}]}`)
	l.refused(422, "device-already-in-domain", "POST", "/v1/domains/pbx.example.com/devices", f.bob, `{"mac":"000001"}`)
	l.refused(422, "domain-name-taken", "POST", fmt.Sprintf("/v1/devices-instances/%d/domains", f.instance), f.bob,
		`{"name":"PBX.example.com","password":"x"}`)
	l.refused(400, "invalid-text", "PUT", "/v1/domains/pbx.example.com/settings", f.bob, `{"invoice_reference":"a\u0007b"}`)
	l.refused(403, "vendor-only", "POST", "/v1/rental/charges", f.bob, `{}`)
	// Without an approved contract nothing is rented.
	ct := l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/contracts", f.company), f.alice, ""), 200, "").body["data"].([]any)[0].(map[string]any)
	l.want(l.do("POST", fmt.Sprintf("/v1/contracts/%v/cancellation", ct["id"]), adminToken, ""), 200, "")
	l.refused(422, "rental-contract-missing", "PUT", "/v1/domains/pbx.example.com/devices/000001/rental", f.bob, rent(1))
}
