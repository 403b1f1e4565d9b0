package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// company creates a company for the token's person and returns its id and
// its DEFAULT project.
func (l *ledger) company(tok, name string) (int64, int64) {
	l.t.Helper()
	a := l.want(l.do("POST", "/v1/companies", tok, fmt.Sprintf(`{"name":%q}`, name)), 201, "")
	return a.num("company"), a.num("default_project")
}

// project creates a project and returns its id.
func (l *ledger) project(tok string, company int64, name string) int64 {
	l.t.Helper()
	return l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/projects", company), tok, fmt.Sprintf(`{"name":%q}`, name)), 201, "").num("project")
}

// read runs a query after the position of a command answer.
func (l *ledger) read(after answer, path, tok string) answer {
	l.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return l.want(l.do("GET", fmt.Sprintf("%s%safter=%d", path, sep, after.num("position")), tok, ""), 200, "")
}

func dataList(a answer) []any { v, _ := a.body["data"].([]any); return v }

func dataMap(a answer) map[string]any { v, _ := a.body["data"].(map[string]any); return v }

func TestOrgPersonSettings(t *testing.T) {
	l := start(t)
	alice, aliceTok := l.person("alice@example.com")
	_, bobTok := l.person("bob@example.com")
	me := fmt.Sprintf("/v1/persons/%d", alice)

	up := l.want(l.do("PUT", me, aliceTok, `{"name":"Alice A","email":"Alice@New.example"}`), 200, "")
	if got := dataMap(l.read(up, "/v1/me", aliceTok))["email"]; got != "Alice@New.example" {
		t.Fatalf("email after update = %v", got)
	}
	l.refused(403, "not-own-person", "PUT", me, bobTok, `{"name":"X","email":"x@example.com"}`)
	l.refused(422, "email-taken", "PUT", me, aliceTok, `{"name":"A","email":"BOB@example.com"}`)

	ssa := l.want(l.do("PUT", me+"/ssa-mail", aliceTok, `{"receive":false}`), 200, "")
	l.refused(403, "not-own-person", "PUT", me+"/ssa-mail", bobTok, `{"receive":true}`)

	toks := dataList(l.read(ssa, me+"/tokens", aliceTok))
	if len(toks) != 1 || toks[0].(map[string]any)["label"] != "test" {
		t.Fatalf("tokens = %v", toks)
	}
	l.want(l.do("GET", me+"/tokens", bobTok, ""), 403, "not-own-person")
}

func TestOrgCompanyMembershipAndJoin(t *testing.T) {
	l := start(t)
	alice, aliceTok := l.person("alice@example.com")
	bob, bobTok := l.person("bob@example.com")
	carol, carolTok := l.person("carol@example.com")
	co1, _ := l.company(aliceTok, "Reseller")
	co2, def2 := l.company(carolTok, "Carol GmbH")
	c1 := fmt.Sprintf("/v1/companies/%d", co1)

	link := l.want(l.do("PUT", c1+"/customer-id", adminToken, `{"customer_id":"12345"}`), 200, "")
	l.refused(403, "vendor-only", "PUT", c1+"/customer-id", aliceTok, `{"customer_id":"12345"}`)
	l.refused(400, "invalid-customer-id", "PUT", c1+"/customer-id", adminToken, `{"customer_id":"123"}`)
	prof := dataMap(l.read(link, c1+"/profile", aliceTok))
	if prof["customer_id"] != "12345" || len(prof["members"].([]any)) != 1 {
		t.Fatalf("profile = %v", prof)
	}
	l.want(l.do("GET", c1+"/profile", carolTok, ""), 403, "not-member")

	l.want(l.do("POST", c1+"/members", aliceTok, fmt.Sprintf(`{"person":%d,"right":"viewer"}`, bob)), 201, "")
	l.refused(403, "not-administrator", "DELETE", fmt.Sprintf("%s/members/%d", c1, alice), bobTok, "")
	l.want(l.do("DELETE", fmt.Sprintf("%s/members/%d", c1, bob), aliceTok, ""), 200, "")
	l.refused(422, "last-administrator", "DELETE", fmt.Sprintf("%s/members/%d", c1, alice), aliceTok, "")

	// Joining needs the Administrator right in both companies.
	l.refused(403, "not-member", "POST", c1+"/joins", aliceTok, fmt.Sprintf(`{"company":%d}`, co2))
	l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/members", co2), carolTok, fmt.Sprintf(`{"person":%d,"right":"administrator"}`, alice)), 201, "")
	j := l.want(l.do("POST", c1+"/joins", aliceTok, fmt.Sprintf(`{"company":%d}`, co2)), 201, "")
	moved := j.body["projects"].([]any)[0].(map[string]any)
	if int64(moved["project"].(float64)) != def2 || moved["name"] != fmt.Sprintf("DEFAULT (%d)", co2) {
		t.Fatalf("join answer = %v", j.body)
	}
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d?after=%d", co2, j.num("position")), aliceTok, ""), 404, "company-not-found")
	ms := dataMap(l.read(j, fmt.Sprintf("/v1/persons/%d", carol), carolTok))["memberships"].([]any)
	if len(ms) != 1 || int64(ms[0].(map[string]any)["company"].(float64)) != co1 {
		t.Fatalf("carol's memberships after the join = %v", ms)
	}
}

func TestOrgContracts(t *testing.T) {
	l := start(t)
	_, aliceTok := l.person("alice@example.com")
	bob, bobTok := l.person("bob@example.com")
	co1, _ := l.company(aliceTok, "Reseller")
	c1 := fmt.Sprintf("/v1/companies/%d", co1)
	l.want(l.do("POST", c1+"/members", aliceTok, fmt.Sprintf(`{"person":%d,"right":"viewer"}`, bob)), 201, "")

	ct := l.want(l.do("POST", c1+"/contracts", aliceTok, `{"kind":"software-rental"}`), 201, "")
	l.refused(403, "no-right", "POST", c1+"/contracts", bobTok, `{"kind":"myapps-cloud"}`)
	l.refused(422, "contract-exists", "POST", c1+"/contracts", aliceTok, `{"kind":"software-rental"}`)
	if open := dataList(l.read(ct, c1+"/contracts?state=open", bobTok)); len(open) != 1 {
		t.Fatalf("open contracts = %v", open)
	}
	l.want(l.do("GET", c1+"/contracts?state=bogus", aliceTok, ""), 400, "invalid-contract-state")

	path := fmt.Sprintf("/v1/contracts/%d", ct.num("contract"))
	ok := l.want(l.do("POST", path+"/approval", adminToken, ""), 200, "")
	l.refused(403, "vendor-only", "POST", path+"/approval", aliceTok, "")
	l.refused(422, "contract-not-open", "POST", path+"/approval", adminToken, "")
	if approved := dataList(l.read(ok, c1+"/contracts?state=approved", aliceTok)); len(approved) != 1 {
		t.Fatalf("approved contracts = %v", approved)
	}
	l.want(l.do("POST", path+"/cancellation", adminToken, ""), 200, "")
	l.refused(422, "contract-cancelled", "POST", path+"/cancellation", adminToken, "")
	l.refused(404, "contract-not-found", "POST", "/v1/contracts/99/approval", adminToken, "")
}

func TestOrgProjectEditing(t *testing.T) {
	l := start(t)
	_, aliceTok := l.person("alice@example.com")
	_, carolTok := l.person("carol@example.com")
	co1, _ := l.company(aliceTok, "Reseller")
	co2, _ := l.company(carolTok, "Carol GmbH")
	hotel := l.project(aliceTok, co1, "Hotel")
	p := fmt.Sprintf("/v1/projects/%d", hotel)

	l.want(l.do("PUT", p+"/name", aliceTok, `{"name":"Hotel Berlin"}`), 200, "")
	l.refused(422, "project-name-taken", "PUT", p+"/name", aliceTok, `{"name":"default"}`)
	l.want(l.do("PUT", p+"/description", aliceTok, `{"description":"the hotel"}`), 200, "")
	l.refused(400, "invalid-text", "PUT", p+"/description", aliceTok, fmt.Sprintf(`{"description":%q}`, strings.Repeat("x", 1001)))
	props := l.want(l.do("PUT", p+"/properties", aliceTok,
		`{"update_url":"https://update.example.com/init","trust_value":"1234567890abcdef","cc_mails":["buy@example.com"]}`), 200, "")
	l.refused(400, "invalid-update-url", "PUT", p+"/properties", aliceTok, `{"update_url":"ftp://x"}`)
	got := dataMap(l.read(props, p, aliceTok))
	if got["name"] != "Hotel Berlin" || got["description"] != "the hotel" || got["properties"].(map[string]any)["trust_value"] != "1234567890abcdef" {
		t.Fatalf("project = %v", got)
	}
	l.want(l.do("GET", p, carolTok, ""), 403, "not-member")

	// Rights for another company: the grantee sees an external project
	// without its properties and may not edit it.
	g := l.want(l.do("POST", p+"/rights", aliceTok, fmt.Sprintf(`{"company":%d}`, co2)), 201, "")
	l.refused(422, "already-granted", "POST", p+"/rights", aliceTok, fmt.Sprintf(`{"company":%d}`, co2))
	ext := dataMap(l.read(g, p, carolTok))
	if ext["external"] != true || ext["properties"] != nil {
		t.Fatalf("external project as seen by the grantee = %v", ext)
	}
	list := dataList(l.read(g, fmt.Sprintf("/v1/companies/%d/projects/details", co2), carolTok))
	if len(list) != 2 || list[1].(map[string]any)["external"] != true {
		t.Fatalf("grantee's project details = %v", list)
	}
	if own := dataList(l.read(g, fmt.Sprintf("/v1/companies/%d/projects/details", co1), aliceTok)); fmt.Sprint(own[1].(map[string]any)["grants"]) != fmt.Sprintf("[%d]", co2) {
		t.Fatalf("owner's project details = %v", own)
	}
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/projects/details", co1), carolTok, ""), 403, "not-member")
	// The grantee binds from the external project's balance, so reads it.
	l.want(l.do("GET", fmt.Sprintf("/v1/projects/%d/balance?after=%d", hotel, g.num("position")), carolTok, ""), 200, "")
	// ... and lists the devices of that project, but not the rest of the company's.
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/devices?project=%d", co1, hotel), carolTok, ""), 200, "")
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/devices", co1), carolTok, ""), 403, "not-member")
	l.refused(403, "external-project-restricted", "PUT", p+"/name", carolTok, `{"name":"Mine"}`)
	l.refused(422, "project-has-external-rights", "DELETE", p, aliceTok, "")

	unsub := fmt.Sprintf("/v1/companies/%d/external-projects/%d", co2, hotel)
	l.want(l.do("DELETE", unsub, carolTok, ""), 200, "")
	l.refused(404, "project-right-not-found", "DELETE", unsub, carolTok, "")
	l.want(l.do("POST", p+"/rights", aliceTok, fmt.Sprintf(`{"company":%d}`, co2)), 201, "")
	revoke := fmt.Sprintf("%s/rights/%d", p, co2)
	l.want(l.do("DELETE", revoke, aliceTok, ""), 200, "")
	l.refused(404, "project-right-not-found", "DELETE", revoke, aliceTok, "")
}

func TestOrgProjectJoinMoveDelete(t *testing.T) {
	l := start(t)
	_, aliceTok := l.person("alice@example.com")
	bob, bobTok := l.person("bob@example.com")
	_, carolTok := l.person("carol@example.com")
	co1, def1 := l.company(aliceTok, "Reseller")
	co2, _ := l.company(carolTok, "Carol GmbH")
	l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/members", co1), aliceTok, fmt.Sprintf(`{"person":%d,"right":"licenses"}`, bob)), 201, "")
	hotel := l.project(aliceTok, co1, "Hotel")

	key := l.want(l.do("POST", "/v1/activation-keys", adminToken, `{"lines":[{"type":"PBX-Port","version":13,"quantity":20}]}`), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/redemptions", hotel), aliceTok, fmt.Sprintf(`{"code":%q}`, key.body["code"])), 201, "")
	l.refused(422, "same-project", "POST", fmt.Sprintf("/v1/projects/%d/join", hotel), aliceTok, fmt.Sprintf(`{"into":%d}`, hotel))
	j := l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/join", hotel), bobTok, fmt.Sprintf(`{"into":%d}`, def1)), 200, "")
	bal := dataMap(l.read(j, fmt.Sprintf("/v1/projects/%d/balance", def1), aliceTok))
	if !strings.Contains(fmt.Sprint(bal["lines"]), "quantity:20") {
		t.Fatalf("DEFAULT balance after the join = %v", bal)
	}
	l.want(l.do("GET", fmt.Sprintf("/v1/projects/%d", hotel), aliceTok, ""), 404, "project-not-found")

	store := l.project(aliceTok, co1, "Warehouse")
	l.refused(403, "not-administrator", "POST", fmt.Sprintf("/v1/projects/%d/move", store), bobTok, fmt.Sprintf(`{"company":%d}`, co2))
	l.refused(422, "project-name-taken", "POST", fmt.Sprintf("/v1/projects/%d/move", def1), aliceTok, fmt.Sprintf(`{"company":%d}`, co2))
	mv := l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/move", store), aliceTok, fmt.Sprintf(`{"company":%d}`, co2)), 200, "")
	if got := dataMap(l.read(mv, fmt.Sprintf("/v1/projects/%d", store), carolTok)); int64(got["company"].(float64)) != co2 {
		t.Fatalf("moved project = %v", got)
	}

	empty := l.project(aliceTok, co1, "Empty")
	l.want(l.do("DELETE", fmt.Sprintf("/v1/projects/%d", empty), aliceTok, ""), 200, "")
	l.refused(422, "project-not-empty", "DELETE", fmt.Sprintf("/v1/projects/%d", def1), aliceTok, "")
}

// TestOrgJoinIntoSSAProject: a project joins into a project under SSA (the
// SSA engine prices the arriving licenses), and a project with SSA may be
// joined away.
func TestOrgJoinIntoSSAProject(t *testing.T) {
	l := start(t)
	_, aliceTok := l.person("alice@example.com")
	co1, def1 := l.company(aliceTok, "Reseller")
	hotel := l.project(aliceTok, co1, "Hotel")
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/ssa", def1), aliceTok, `{"end":"2027-06-30"}`), 201, "")
	// Joining into an SSA project prices the joined licenses with the SSA
	// engine (none here, so nothing is paid; see TestSSAOnArrival).
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/join", hotel), aliceTok, fmt.Sprintf(`{"into":%d}`, def1)), 200, "")
	// The other way round is allowed: a project with SSA may be joined away.
	spa := l.project(aliceTok, co1, "Spa")
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/join", def1), aliceTok, fmt.Sprintf(`{"into":%d}`, spa)), 200, "")
}
