package api_test

import (
	"fmt"
	"testing"
)

// ssaSetup is licSetup with the IP6000 in DEFAULT holding 20 PBX-Port16
// bound today (2026-11-22); it returns the binding's log position.
func ssaSetup(t *testing.T) (*licFixture, int64) {
	t.Helper()
	f := licSetup(t)
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"mac":"000001"}`), 201, "")
	f.redeem(f.def, `[{"type":"PBX-Port","version":16,"quantity":20}]`)
	b := f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def), f.bob,
		`{"version":16,"lines":[{"type":"PBX-Port","quantity":20}]}`), 201, "")
	return f, b.num("position")
}

func TestSSAQuoteAndConfirm(t *testing.T) {
	f, pos := ssaSetup(t)
	quote := fmt.Sprintf("/v1/projects/%d/ssa/quote?after=%d", f.def, pos)
	extend := fmt.Sprintf("/v1/projects/%d/ssa", f.def)

	// The reference's example: 20 units x 54 x 1.0000 = 1080 SSC.
	before := f.head()
	q := f.want(f.do("POST", quote, f.bob, `{"end":"2027-11-22"}`), 200, "")
	if f.head() != before {
		t.Fatal("a quote wrote to the log")
	}
	data := q.body["data"].(map[string]any)
	line := data["lines"].([]any)[0].(map[string]any)
	if data["total"] != 1080.0 || data["confirmable"] != true || data["shortfall"] != 1080.0 || line["multiplicator"] != "1.0000" ||
		line["ssc"] != "1080" || line["new_end"] != "2027-11-22" || line["mac"] != "00-90-33-00-00-01" {
		t.Fatalf("quote = %v", data)
	}
	pv := f.want(f.do("POST", quote, f.bob, `{"end":"2027-11-22","calc_date":"2027-05-22","extra":[{"type":"PBX-Port","version":16,"quantity":1}]}`), 200, "")
	if pv.body["data"].(map[string]any)["confirmable"] != false {
		t.Fatalf("a preview is confirmable: %v", pv.body)
	}
	mx := f.want(f.do("POST", quote, f.bob, `{"max_ssc":540}`), 200, "").body["data"].(map[string]any)
	if mx["end"] != "2027-05-23" || mx["total"] != 539.0 {
		t.Fatalf("max 540: %v", mx)
	}
	all := f.want(f.do("POST", fmt.Sprintf("/v1/companies/%d/ssa/quote?after=%d", f.company, pos), f.alice, `{"end":"2027-11-22"}`), 200, "")
	if d := all.body["data"].(map[string]any); d["confirmable"] != false || d["total"] != 1080.0 {
		t.Fatalf("all projects: %v", d)
	}
	f.want(f.do("POST", quote, f.bob, `{"end":"22.11.2027"}`), 400, "invalid-date")
	f.want(f.do("POST", quote, f.bob, `{"end":"2027-11-22","max_ssc":5}`), 400, "invalid-ssa-request")
	f.want(f.do("POST", quote, f.carol, `{"end":"2027-11-22"}`), 403, "not-member")

	// Confirming: refusals write nothing.
	f.refused(422, "balance-insufficient", "POST", extend, f.bob, `{"end":"2027-11-22"}`)
	f.refused(422, "ssc-total-changed", "POST", extend, f.bob, `{"end":"2027-11-22","expected_total":1000,"on_credit":true}`)
	f.refused(422, "ssa-end-too-old", "POST", extend, f.bob, `{"end":"2025-01-01"}`)
	f.refused(422, "ssa-end-too-far", "POST", extend, f.bob, `{"end":"2040-01-01"}`)
	f.refused(422, "license-line-not-in-project", "POST", extend, f.bob, `{"end":"2027-11-22","opt_out":[99]}`)
	f.refused(403, "not-member", "POST", extend, f.carol, `{"end":"2027-11-22"}`)
	f.refused(400, "invalid-ssa-request", "POST", extend, f.bob, `{}`)

	// 1000 SSC in the balance, the other 80 on credit.
	f.redeem(f.def, `[{"type":"SSC","quantity":1000}]`)
	ok := f.want(f.do("POST", extend, f.bob, `{"end":"2027-11-22","on_credit":true,"credit_order":"PO-1","expected_total":1080}`), 201, "")
	if ok.body["payment"] != "credit" || ok.body["total"] != 1080.0 || fmt.Sprint(ok.body["credit"]) != "[map[quantity:80 type:SSC]]" {
		t.Fatalf("confirmation = %v", ok.body)
	}
	pos = ok.num("position")
	st := f.data(fmt.Sprintf("/v1/projects/%d/ssa", f.def), f.alice, pos).(map[string]any)
	l0 := st["lines"].([]any)[0].(map[string]any)
	if st["ssa_end"] != "2027-11-22" || st["ssc_balance"] != -80.0 || l0["ssa_end"] != "2027-11-22" || l0["bind_date"] != "2026-11-22" {
		t.Fatalf("project SSA = %v", st)
	}
	exp := f.data(fmt.Sprintf("/v1/companies/%d/ssa/expiries?days=400", f.company), f.alice, pos).([]any)
	if len(exp) != 1 || exp[0].(map[string]any)["days_left"] != 365.0 {
		t.Fatalf("expiries = %v", exp)
	}
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/ssa/expiries?days=0", f.company), f.alice, ""), 400, "invalid-days")
	if e := f.data(fmt.Sprintf("/v1/companies/%d/ssa/expiries", f.company), f.alice, pos).([]any); len(e) != 0 {
		t.Fatalf("expiries within 49 days = %v", e)
	}
	inv := f.data(fmt.Sprintf("/v1/companies/%d/ssa/invoices", f.company), f.alice, pos).([]any)
	if len(inv) != 1 || inv[0].(map[string]any)["kind"] != "credit" || inv[0].(map[string]any)["ssc"] != 80.0 {
		t.Fatalf("invoices = %v", inv)
	}
	f.want(f.do("GET", "/v1/ssa/invoices", f.alice, ""), 403, "vendor-only")

	// A past date only corrects the project date.
	c := f.want(f.do("POST", extend, f.alice, `{"end":"2026-06-01"}`), 201, "")
	if c.body["correction"] != true || c.body["end"] != "2026-06-01" {
		t.Fatalf("correction = %v", c.body)
	}
	st = f.data(fmt.Sprintf("/v1/projects/%d/ssa", f.def), f.alice, c.num("position")).(map[string]any)
	if st["ssa_end"] != "2026-06-01" || st["lines"].([]any)[0].(map[string]any)["ssa_end"] != "2027-11-22" {
		t.Fatalf("after the correction = %v", st)
	}
}

func TestAutoSSAOverHTTP(t *testing.T) {
	f, _ := ssaSetup(t)
	f.redeem(f.def, `[{"type":"SSC","quantity":2000}]`)
	req := fmt.Sprintf("/v1/projects/%d/auto-ssa/requests", f.def)
	f.refused(422, "project-not-under-ssa", "POST", req, f.alice, `{}`)
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/ssa", f.def), f.alice, `{"end":"2027-11-22"}`), 201, "")
	f.want(f.do("POST", req, f.alice, `{"callback":true}`), 201, "")
	f.refused(422, "auto-ssa-requested", "POST", req, f.alice, `{}`)
	f.refused(403, "vendor-only", "POST", fmt.Sprintf("/v1/projects/%d/auto-ssa", f.def), f.alice, ``)
	on := f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/auto-ssa", f.def), adminToken, ``), 201, "")
	st := f.data(fmt.Sprintf("/v1/projects/%d/ssa", f.def), f.alice, on.num("position")).(map[string]any)
	if st["auto_ssa"] != true || st["auto_ssa_requested"] != false {
		t.Fatalf("project SSA = %v", st)
	}
	// A binding into the project gets its date; the SSC are invoiced.
	f.redeem(f.def, `[{"type":"PBX-Port","version":16,"quantity":2}]`)
	f.refused(422, "ssa-end-fixed", "POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def), f.bob,
		`{"version":16,"lines":[{"type":"PBX-Port","quantity":2}],"ssa_end":"2028-01-01"}`)
	b := f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def), f.bob,
		`{"version":16,"lines":[{"type":"PBX-Port","quantity":2}]}`), 201, "")
	inv := f.data(fmt.Sprintf("/v1/companies/%d/ssa/invoices", f.company), f.alice, b.num("position")).([]any)
	if len(inv) != 1 || inv[0].(map[string]any)["kind"] != "auto-ssa" || inv[0].(map[string]any)["ssc"] != 108.0 {
		t.Fatalf("invoices = %v", inv)
	}
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/auto-ssa/end", f.def), adminToken, `{"reason":"contract ended"}`), 201, "")
	f.refused(422, "auto-ssa-not-active", "POST", fmt.Sprintf("/v1/projects/%d/auto-ssa/end", f.def), adminToken, `{}`)
}

func TestSSARemindersOverHTTP(t *testing.T) {
	f := licSetup(t)
	// Hotel has no licenses: its SSA costs nothing; it ends in 30 days.
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/ssa", f.hotel), f.alice, `{"end":"2026-12-22"}`), 201, "")
	f.refused(400, "invalid-email", "PUT", fmt.Sprintf("/v1/projects/%d/ssa/mail", f.hotel), f.alice, `{"end_users":["nobody"]}`)
	f.want(f.do("PUT", fmt.Sprintf("/v1/projects/%d/ssa/mail", f.hotel), f.alice,
		`{"reseller_mail":"sales@reseller.example","end_users":["it@customer.example"]}`), 200, "")
	f.want(f.do("PUT", fmt.Sprintf("/v1/companies/%d/ssa/end-user-text", f.company), f.alice,
		`{"text":"{$arg[3]} ends in {$arg[1]} days; ask {$arg[2]}."}`), 200, "")
	f.refused(403, "not-administrator", "PUT", fmt.Sprintf("/v1/companies/%d/ssa/end-user-text", f.company), f.bob, `{"text":"x"}`)

	dr := fmt.Sprintf("/v1/companies/%d/ssa/device-reminders", f.company)
	f.refused(400, "invalid-email", "PUT", dr, f.alice, `{"on":true,"mails":["ops"]}`)
	f.refused(403, "not-administrator", "PUT", dr, f.bob, `{"on":true}`)
	f.want(f.do("PUT", dr, f.alice, `{"on":true,"mails":["ops@reseller.example"]}`), 200, "")
	f.refused(403, "vendor-only", "POST", "/v1/ssa/reminders", f.alice, `{}`)
	f.refused(400, "reminder-day-in-future", "POST", "/v1/ssa/reminders", adminToken, `{"day":"2026-11-23"}`)
	run := f.want(f.do("POST", "/v1/ssa/reminders", adminToken, `{}`), 201, "")
	rs := run.body["reminders"].([]any)
	if len(rs) != 3 {
		t.Fatalf("reminders = %v", rs)
	}
	end := rs[2].(map[string]any)
	if end["kind"] != "end-user" || end["body"] != "Hotel ends in 30 days; ask sales@reseller.example." {
		t.Fatalf("end-user reminder = %v", end)
	}
	again := f.want(f.do("POST", "/v1/ssa/reminders", adminToken, `{}`), 201, "")
	if len(again.body["reminders"].([]any)) != 0 {
		t.Fatalf("a second run decided again: %v", again.body)
	}
	pending := f.data("/v1/ssa/reminders/pending", adminToken, run.num("position")).([]any)
	if len(pending) != 3 {
		t.Fatalf("pending = %v", pending)
	}
	f.want(f.do("GET", "/v1/ssa/reminders/pending", f.alice, ""), 403, "vendor-only")
	key := fmt.Sprintf(`{"key":%q}`, end["key"])
	sent := f.want(f.do("POST", "/v1/ssa/reminders/sent", adminToken, key), 201, "")
	f.refused(422, "reminder-already-sent", "POST", "/v1/ssa/reminders/sent", adminToken, key)
	f.refused(404, "reminder-not-found", "POST", "/v1/ssa/reminders/sent", adminToken, `{"key":"nope"}`)
	if p := f.data("/v1/ssa/reminders/pending", adminToken, sent.num("position")).([]any); len(p) != 2 {
		t.Fatalf("pending after one sent = %v", p)
	}
}
