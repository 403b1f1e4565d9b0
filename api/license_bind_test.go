package api_test

import (
	"fmt"
	"testing"
)

func TestBindLicensesFromTheBalance(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000001","000002"]}`), 201, "")
	f.redeem(f.def, `[{"type":"PBX-PBX","version":13,"quantity":1},{"type":"PBX-Voicemail","version":13,"quantity":1},
		{"type":"PBX-Standby","version":13,"quantity":1},{"type":"PBX-Port","version":13,"quantity":20},{"type":"Relay-PRI","version":13,"quantity":2}]`)
	f.redeem(f.hotel, `[{"type":"Relay-PRI","version":13,"quantity":1}]`)
	bind := fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def)

	b := l.want(l.do("POST", bind, f.bob, `{"version":13,"lines":[{"type":"PBX-PBX","quantity":1},{"type":"PBX-Voicemail","quantity":1},
		{"type":"PBX-Standby","quantity":1},{"type":"PBX-Port","quantity":10}]}`), 201, "")
	if n := len(b.body["lines"].([]any)); n != 4 {
		t.Fatalf("bound %v", b.body)
	}
	l.refused(422, "voicemail-standby-mismatch", "POST", bind, f.bob, `{"version":13,"lines":[{"type":"PBX-PBX","quantity":1}]}`)
	l.refused(422, "license-not-for-device", "POST", fmt.Sprintf("/v1/projects/%d/devices/000002/licenses", f.def), f.bob, `{"version":13,"lines":[{"type":"Relay-PRI","quantity":1}]}`)
	l.refused(422, "balance-insufficient", "POST", bind, f.alice, `{"version":13,"lines":[{"type":"Relay-PRI","quantity":4}]}`)
	l.refused(422, "project-not-in-company", "POST", bind, f.bob, fmt.Sprintf(`{"version":13,"lines":[{"type":"Relay-PRI","quantity":3}],"also_from":[%d]}`, f.carolDf))
	l.refused(400, "invalid-version", "POST", bind, f.bob, `{"version":3,"lines":[{"type":"Relay-PRI","quantity":1}]}`)
	l.refused(400, "invalid-ssa-end", "POST", bind, f.bob, `{"version":13,"lines":[{"type":"Relay-PRI","quantity":1}],"ssa_end":"2020-01-01"}`)
	l.refused(422, "device-not-in-project", "POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.hotel), f.bob, `{"version":13,"lines":[{"type":"Relay-PRI","quantity":1}]}`)
	l.refused(404, "device-not-in-company", "POST", fmt.Sprintf("/v1/projects/%d/devices/000003/licenses", f.def), f.bob, `{"version":13,"lines":[{"type":"Relay-PRI","quantity":1}]}`)

	// 2 from DEFAULT, 1 from Hotel, 1 on credit (bob has the right): 4, the IP6000's maximum.
	cr := l.want(l.do("POST", bind, f.bob, fmt.Sprintf(`{"version":13,"lines":[{"type":"Relay-PRI","quantity":4}],"also_from":[%d],"on_credit":true,"credit_order":"PO-9"}`, f.hotel)), 201, "")
	if fmt.Sprint(cr.body["credit"]) != "[map[quantity:1 type:Relay-PRI version:13]]" || len(cr.body["draws"].([]any)) != 2 {
		t.Fatalf("credit binding = %v", cr.body)
	}
	l.refused(422, "device-maximum-exceeded", "POST", bind, f.bob, `{"version":13,"lines":[{"type":"Relay-PRI","quantity":1}],"on_credit":true}`)

	bal := f.data(fmt.Sprintf("/v1/projects/%d/balance", f.def), f.alice, cr.num("position")).(map[string]any)
	if fmt.Sprint(bal["lines"]) != "[map[quantity:10 type:PBX-Port version:13] map[quantity:-1 type:Relay-PRI version:13]]" {
		t.Fatalf("DEFAULT balance = %v", bal["lines"])
	}
	credits := f.data(fmt.Sprintf("/v1/companies/%d/credit-purchases", f.company), f.alice, cr.num("position")).([]any)
	if len(credits) != 1 || credits[0].(map[string]any)["order_number"] != "PO-9" {
		t.Fatalf("credit purchases = %v", credits)
	}
	if all := f.data("/v1/credit-purchases", adminToken, cr.num("position")).([]any); len(all) != 1 {
		t.Fatalf("vendor's credit purchases = %v", all)
	}
	l.want(l.do("GET", "/v1/credit-purchases", f.alice, ""), 403, "vendor-only")
	dev := f.data(fmt.Sprintf("/v1/companies/%d/devices/000001", f.company), f.alice, cr.num("position")).(map[string]any)
	lines := dev["licenses"].([]any)
	if len(lines) != 5 || lines[0].(map[string]any)["bind_date"] != "2026-11-22" || lines[4].(map[string]any)["origin"] != "purchased" {
		t.Fatalf("device lines = %v", lines)
	}
}
