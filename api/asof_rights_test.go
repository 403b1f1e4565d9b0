package api_test

import (
	"fmt"
	"testing"
)

// TestAsOfDecidesAccessByTodaysRights: an administrator removed since
// cannot read the project, nor its interface.php trust value, as it was
// while they were one; not for a project that still exists (the live read
// model refuses them) and not for one deleted since (today's memberships
// decide on the past state). Who is an administrator today still sees it.
func TestAsOfDecidesAccessByTodaysRights(t *testing.T) {
	l := start(t)
	_, alice := l.person("alice@example.com")
	co := l.want(l.do("POST", "/v1/companies", alice, `{"name":"Reseller"}`), 201, "")
	company := co.num("company")
	hotel := l.project(alice, company, "Hotel")
	spare := l.project(alice, company, "Spare")
	for _, p := range []int64{hotel, spare} {
		l.want(l.do("PUT", fmt.Sprintf("/v1/projects/%d/properties", p), alice, `{"trust_value":"s3cret-trust-value"}`), 200, "")
	}
	daveID, dave := l.person("dave@example.com")
	member := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/members", company), alice,
		fmt.Sprintf(`{"person":%d,"right":"administrator"}`, daveID)), 201, "")
	at := member.num("position")
	trust := func(a answer) any {
		data, _ := a.body["data"].(map[string]any)
		props, _ := data["properties"].(map[string]any)
		return props["trust_value"]
	}
	// While an administrator, Dave reads the trust value, today and as of then.
	if v := trust(l.want(l.do("GET", fmt.Sprintf("/v1/projects/%d?at=%d", hotel, at), dave, ""), 200, "")); v != "s3cret-trust-value" {
		t.Fatalf("an administrator reads trust value %v as of %d", v, at)
	}
	l.want(l.do("DELETE", fmt.Sprintf("/v1/projects/%d", spare), alice, ""), 200, "")
	l.want(l.do("DELETE", fmt.Sprintf("/v1/companies/%d/members/%d", company, daveID), alice, ""), 200, "")
	for _, p := range []int64{hotel, spare} {
		past := l.do("GET", fmt.Sprintf("/v1/projects/%d?at=%d", p, at), dave, "")
		if past.status != 403 || trust(past) != nil {
			t.Fatalf("removed administrator reads project %d as of %d: %d %v", p, at, past.status, past.body)
		}
	}
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d?at=%d", company, at), dave, ""), 403, "not-member")
	// Alice, an administrator today, still reads both as they were.
	for _, p := range []int64{hotel, spare} {
		if v := trust(l.want(l.do("GET", fmt.Sprintf("/v1/projects/%d?at=%d", p, at), alice, ""), 200, "")); v != "s3cret-trust-value" {
			t.Fatalf("administrator reads project %d's trust value %v as of %d", p, v, at)
		}
	}
}
