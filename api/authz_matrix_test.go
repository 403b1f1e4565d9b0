package api_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// matrixFixture: company 1 (alice Administrator, bob Licenses, vic Viewer,
// lou Locked) with a device, an own key and project Hotel granted to
// company 2 (ext, its Administrator); stranger belongs to no company.
type matrixFixture struct {
	*licFixture
	tokens map[string]string
	vars   map[string]string
}

var matrixRoles = []string{"administrator", "licenses", "viewer", "locked", "external", "stranger"}

func newMatrixFixture(t *testing.T) *matrixFixture {
	f := &matrixFixture{licFixture: licSetup(t)}
	l := f.ledger
	vicID, vic := l.person("vic@example.com")
	louID, lou := l.person("lou@example.com")
	_, stranger := l.person("stranger@example.com")
	for id, right := range map[int64]string{vicID: "viewer", louID: "locked"} {
		l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/members", f.company), f.alice, fmt.Sprintf(`{"person":%d,"right":%q}`, id, right)), 201, "")
	}
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/rights", f.hotel), f.alice, fmt.Sprintf(`{"company":%d}`, f.other)), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000001"]}`), 201, "")
	f.redeem(f.def, `[{"type":"PBX-Port","version":13,"quantity":10}]`)
	key := l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/activation-keys", f.def), f.alice, `{"lines":[{"type":"PBX-Port","version":13,"quantity":1}]}`), 201, "")
	inst := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/devices-instances", f.company), f.alice, `{"name":"apps.example.com","password":"pw"}`), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/devices-instances/%d/domains", inst.num("instance")), f.alice, `{"name":"pbx.example.com","password":"pw"}`), 201, "")
	aliceID := l.want(l.do("GET", "/v1/me", f.alice, ""), 200, "").num("data", "id")
	f.tokens = map[string]string{"administrator": f.alice, "licenses": f.bob, "viewer": vic, "locked": lou, "external": f.carol, "stranger": stranger}
	f.vars = map[string]string{":company": fmt.Sprint(f.company), ":project": fmt.Sprint(f.def), ":mac": "00-90-33-00-00-01",
		":person": fmt.Sprint(aliceID), ":code": key.body["code"].(string), ":order": "SO-1", ":domain": "pbx.example.com"}
	return f
}

// Expected answers per role, as status or status+code.
var (
	companyRead = map[string]string{"administrator": "200", "licenses": "200", "viewer": "200",
		"locked": "403 person-locked", "external": "403 not-member", "stranger": "403 not-member"}
	vendorOnly = map[string]string{"administrator": "403 vendor-only", "licenses": "403 vendor-only", "viewer": "403 vendor-only",
		"locked": "403 vendor-only", "external": "403 vendor-only", "stranger": "403 vendor-only"}
	selfOnly = map[string]string{"administrator": "200", "licenses": "403 not-own-person", "viewer": "403 not-own-person",
		"locked": "403 not-own-person", "external": "403 not-own-person", "stranger": "403 not-own-person"}
	// A key certificate is for the companies that created or redeemed the
	// key; to others the key does not exist (codes are bearer secrets).
	keyCertificate = map[string]string{"administrator": "200", "licenses": "200", "viewer": "200",
		"locked": "404 key-not-found", "external": "404 key-not-found", "stranger": "404 key-not-found"}
	// Foreign devices need the company's vendor customer id, which the
	// fixture's company has not: members pass the access check first.
	foreignDevice = map[string]string{"administrator": "422 customer-id-required", "licenses": "422 customer-id-required",
		"viewer": "422 customer-id-required", "locked": "403 person-locked", "external": "403 not-member", "stranger": "403 not-member"}
	anyone = map[string]string{"administrator": "200", "licenses": "200", "viewer": "200", "locked": "200", "external": "200", "stranger": "200"}
)

// authzMatrix is every query with what each role gets. A query added to
// the API must be added here (TestAuthorizationMatrix checks it).
var authzMatrix = map[string]struct {
	query string // extra query parameters
	want  map[string]string
}{
	"/v1/me":                                        {"", anyone},
	"/v1/persons/:person":                           {"", selfOnly},
	"/v1/persons/:person/tokens":                    {"", selfOnly},
	"/v1/persons/:person/history":                   {"", selfOnly},
	"/v1/companies/:company":                        {"", companyRead},
	"/v1/companies/:company/projects":               {"", companyRead},
	"/v1/companies/:company/projects/details":       {"", companyRead},
	"/v1/companies/:company/balance":                {"", companyRead},
	"/v1/companies/:company/profile":                {"", companyRead},
	"/v1/companies/:company/contracts":              {"", companyRead},
	"/v1/companies/:company/activation-keys":        {"", companyRead},
	"/v1/companies/:company/credit-purchases":       {"", companyRead},
	"/v1/companies/:company/devices":                {"", companyRead},
	"/v1/companies/:company/devices/:mac":           {"", companyRead},
	"/v1/companies/:company/devices/:mac/downloads": {"", companyRead},
	"/v1/companies/:company/foreign-devices/:mac":   {"", foreignDevice},
	"/v1/companies/:company/history":                {"", companyRead},
	"/v1/companies/:company/search":                 {"q=PBX-Port13", companyRead},
	"/v1/companies/:company/ssa/expiries":           {"", companyRead},
	"/v1/companies/:company/ssa/invoices":           {"", companyRead},
	"/v1/companies/:company/devices-instances":      {"", companyRead},
	"/v1/companies/:company/domains":                {"", companyRead},
	"/v1/domains/:domain":                           {"", companyRead},
	"/v1/domains/:domain/rental/history":            {"", companyRead},
	"/v1/projects/:project":                         {"", companyRead},
	"/v1/projects/:project/balance":                 {"", companyRead},
	"/v1/projects/:project/free-licenses":           {"", companyRead},
	"/v1/projects/:project/ssa":                     {"", companyRead},
	"/v1/devices/:mac/history":                      {"company=" + "{company}", companyRead},
	"/v1/activation-keys/:code/certificate":         {"", keyCertificate},
	// The devices of an order number: what "add all devices of an order"
	// shows any registered person who knows the number.
	"/v1/registry/orders/:order": {"", anyone},
	"/v1/credit-purchases":       {"", vendorOnly},
	"/v1/ssa/invoices":           {"", vendorOnly},
	"/v1/ssa/reminders/pending":  {"", vendorOnly},
}

// TestAuthorizationMatrix: Administrator, Licenses, Viewer, Locked, a
// member of another company (granted rights on a project) and a stranger
// against every query of the API.
func TestAuthorizationMatrix(t *testing.T) {
	f := newMatrixFixture(t)
	var queries []string
	for _, r := range f.node.Server.DocumentedRoutes() {
		if r.Method == "GET" && strings.HasPrefix(r.Path, "/v1/") {
			queries = append(queries, r.Path)
		}
	}
	sort.Strings(queries)
	after := f.head()
	for _, route := range queries {
		m, ok := authzMatrix[route]
		if !ok {
			t.Errorf("query %s is not in the authorization matrix (authz_matrix_test.go)", route)
			continue
		}
		path := route
		for k, v := range f.vars {
			path = strings.ReplaceAll(path, k, v)
		}
		q := strings.ReplaceAll(m.query, "{company}", f.vars[":company"])
		for _, role := range matrixRoles {
			a := f.do("GET", fmt.Sprintf("%s?after=%d&%s", path, after, q), f.tokens[role], "")
			got := fmt.Sprint(a.status)
			if a.status >= 400 {
				got += " " + a.code()
			}
			if got != m.want[role] {
				t.Errorf("%s as %s: %s, want %s", route, role, got, m.want[role])
			}
		}
	}
	// A grantee's member sees the granted project, not the others.
	f.want(f.do("GET", fmt.Sprintf("/v1/projects/%d?after=%d", f.hotel, after), f.carol, ""), 200, "")
	f.want(f.do("GET", fmt.Sprintf("/v1/projects/%d?after=%d", f.def, after), f.carol, ""), 403, "not-member")
}
