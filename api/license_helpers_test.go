package api_test

import (
	"fmt"
	"testing"
)

// licFixture is a ledger with alice's company (DEFAULT and Hotel), bob with
// the Licenses right and buy on credit, carol's company, and an order of
// three devices in the vendor registry.
type licFixture struct {
	*ledger
	alice, bob, carol   string // tokens
	company, other      int64  // alice's and carol's companies
	def, hotel, carolDf int64  // projects
	bobID               int64
}

func licSetup(t *testing.T) *licFixture {
	t.Helper()
	l := start(t)
	f := &licFixture{ledger: l}
	_, f.alice = l.person("alice@example.com")
	co := l.want(l.do("POST", "/v1/companies", f.alice, `{"name":"Reseller"}`), 201, "")
	f.company, f.def = co.num("company"), co.num("default_project")
	f.hotel = l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/projects", f.company), f.alice, `{"name":"Hotel"}`), 201, "").num("project")
	f.bobID, f.bob = l.person("bob@example.com")
	l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/members", f.company), f.alice,
		fmt.Sprintf(`{"person":%d,"right":"licenses","buy_on_credit":true}`, f.bobID)), 201, "")
	_, f.carol = l.person("carol@example.com")
	cc := l.want(l.do("POST", "/v1/companies", f.carol, `{"name":"Carol GmbH"}`), 201, "")
	f.other, f.carolDf = cc.num("company"), cc.num("default_project")
	l.want(l.do("POST", "/v1/registry/orders", adminToken, `{"order_number":"SO-1","delivered":"2026-10-01","devices":[
		{"mac":"00-90-33-00-00-01","type":"IP6000"},{"mac":"00-90-33-00-00-02","type":"IP0010"},{"mac":"00-90-33-00-00-03","type":"IP112"}]}`), 201, "")
	return f
}

// redeem issues a vendor key with lines and redeems it into a project.
func (f *licFixture) redeem(project int64, lines string) answer {
	f.t.Helper()
	k := f.want(f.do("POST", "/v1/activation-keys", adminToken, `{"lines":`+lines+`}`), 201, "")
	return f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/redemptions", project), f.alice, fmt.Sprintf(`{"code":%q}`, k.body["code"])), 201, "")
}

// data returns a query answer's data after the position.
func (f *licFixture) data(path, token string, after int64) any {
	f.t.Helper()
	sep := "?"
	for _, c := range path {
		if c == '?' {
			sep = "&"
		}
	}
	return f.want(f.do("GET", fmt.Sprintf("%s%safter=%d", path, sep, after), token, ""), 200, "").body["data"]
}

// TestGranteeSeesTheExternalProjectsDevices: a company given rights on a
// project lists and opens the devices of that project (it adds devices
// there), and nothing else of the owning company.
func TestGranteeSeesTheExternalProjectsDevices(t *testing.T) {
	f := licSetup(t)
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.hotel), f.alice, `{"macs":["000001"]}`), 201, "")
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000002"]}`), 201, "")
	g := f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/rights", f.hotel), f.alice, fmt.Sprintf(`{"company":%d}`, f.other)), 201, "")
	after := g.num("position")
	devs := f.data(fmt.Sprintf("/v1/companies/%d/devices?project=%d", f.company, f.hotel), f.carol, after).([]any)
	if len(devs) != 1 || devs[0].(map[string]any)["mac"] != "00-90-33-00-00-01" {
		t.Fatalf("grantee's device list = %v", devs)
	}
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/devices/000001", f.company), f.carol, ""), 200, "")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/devices/000002", f.company), f.carol, ""), 403, "not-member")
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/devices?project=%d", f.company, f.def), f.carol, ""), 403, "not-member")
}
