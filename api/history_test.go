package api_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/eventstore/memstore"
)

// clockLedger is a ledger whose clock the test moves: event times and the
// request clock history windows are relative to.
type clockLedger struct {
	*ledger
	now atomic.Pointer[time.Time]
}

func startWithClock(t *testing.T, at time.Time) *clockLedger {
	t.Helper()
	cl := &clockLedger{}
	cl.set(at)
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	cl.ledger = serve(t, app.Config{Store: store, Clock: func() time.Time { return *cl.now.Load() }})
	return cl
}

func (cl *clockLedger) set(t time.Time) { cl.now.Store(&t) }

// rows returns the history rows of a query answer as (action, summary).
func rows(a answer) []map[string]any {
	data, _ := a.body["data"].(map[string]any)
	list, _ := data["rows"].([]any)
	out := make([]map[string]any, len(list))
	for i, r := range list {
		out[i] = r.(map[string]any)
	}
	return out
}

func actions(a answer) string {
	var parts []string
	for _, r := range rows(a) {
		parts = append(parts, r["action"].(string))
	}
	return strings.Join(parts, ",")
}

// historyScenario: alice's company created long ago, project Hotel in
// the last month, bob added as Viewer in the last week, a key redeemed
// today.
type historyScenario struct {
	*clockLedger
	alice, bob, carol string
	bobID             int64
	company, hotel    int64
	last              int64
}

func newHistoryScenario(t *testing.T) *historyScenario {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	h := &historyScenario{clockLedger: startWithClock(t, time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC))}
	_, h.alice = h.person("alice@example.com")
	co := h.want(h.do("POST", "/v1/companies", h.alice, `{"name":"Reseller"}`), 201, "")
	h.company = co.num("company")
	h.set(now.AddDate(0, 0, -21))
	h.hotel = h.want(h.do("POST", fmt.Sprintf("/v1/companies/%d/projects", h.company), h.alice, `{"name":"Hotel"}`), 201, "").num("project")
	h.set(now.AddDate(0, 0, -2))
	h.bobID, h.bob = h.person("bob@example.com")
	h.want(h.do("POST", fmt.Sprintf("/v1/companies/%d/members", h.company), h.alice, fmt.Sprintf(`{"person":%d,"right":"viewer"}`, h.bobID)), 201, "")
	h.set(now.Add(-time.Hour))
	k := h.want(h.do("POST", "/v1/activation-keys", adminToken, `{"lines":[{"type":"PBX-Port","version":13,"quantity":20}]}`), 201, "")
	h.last = h.want(h.do("POST", fmt.Sprintf("/v1/projects/%d/redemptions", h.hotel), h.alice, fmt.Sprintf(`{"code":%q}`, k.body["code"])), 201, "").num("position")
	_, h.carol = h.person("carol@example.com")
	h.set(now)
	return h
}

func (h *historyScenario) get(path, token string) answer {
	h.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return h.do("GET", fmt.Sprintf("%s%safter=%d", path, sep, h.head()), token, "")
}

func TestHistoryCompanyWindowsNewestFirst(t *testing.T) {
	h := newHistoryScenario(t)
	base := fmt.Sprintf("/v1/companies/%d/history", h.company)
	for _, c := range []struct{ window, want string }{
		{"day", "ActivationKeyRedeemed"},
		{"week", "ActivationKeyRedeemed,MemberAdded"},
		{"month", "ActivationKeyRedeemed,MemberAdded,ProjectCreated"},
		{"year", "ActivationKeyRedeemed,MemberAdded,ProjectCreated"},
		{"always", "ActivationKeyRedeemed,MemberAdded,ProjectCreated,ProjectCreated,MemberAdded,CompanyCreated"},
	} {
		a := h.want(h.get(base+"?window="+c.window, h.bob), 200, "")
		if got := actions(a); got != c.want {
			t.Errorf("window %s: %s, want %s", c.window, got, c.want)
		}
	}
	all := rows(h.want(h.get(base, h.alice), 200, ""))
	for i := 1; i < len(all); i++ {
		if all[i]["position"].(float64) >= all[i-1]["position"].(float64) {
			t.Fatalf("rows not newest first: %v", all)
		}
	}
	redeem := all[0]
	if !strings.Contains(redeem["summary"].(string), "redeemed into project") || redeem["actor"].(map[string]any)["channel"] != "api" ||
		!strings.Contains(fmt.Sprint(redeem["tags"]), fmt.Sprintf("project:%d", h.hotel)) || redeem["time"] != "2026-11-22T11:00:00Z" {
		t.Fatalf("redeem row = %v", redeem)
	}
	// Explicit bounds override the window; to is exclusive.
	a := h.want(h.get(base+"?window=day&from=2026-10-01T00:00:00Z&to=2026-11-22T11:00:00Z", h.alice), 200, "")
	if got := actions(a); got != "MemberAdded,ProjectCreated" {
		t.Fatalf("from/to: %s", got)
	}
	// One project: only the rows touching it.
	a = h.want(h.get(fmt.Sprintf("%s?project=%d", base, h.hotel), h.alice), 200, "")
	if got := actions(a); got != "ActivationKeyRedeemed,ProjectCreated" {
		t.Fatalf("project filter: %s", got)
	}
	h.want(h.get(base+"?window=fortnight", h.alice), 400, "invalid-window")
	h.want(h.get(base+"?from=yesterday", h.alice), 400, "invalid-from")
	h.want(h.get(base+"?limit=0", h.alice), 400, "invalid-limit")
	h.want(h.get(base+"?cursor=x", h.alice), 400, "invalid-cursor")
	h.want(h.get(base, h.carol), 403, "not-member")
	h.want(h.get(base, adminToken), 200, "")
}

func TestHistoryCursorPagination(t *testing.T) {
	h := newHistoryScenario(t)
	base := fmt.Sprintf("/v1/companies/%d/history?limit=4", h.company)
	first := h.want(h.get(base, h.alice), 200, "")
	next, _ := first.body["data"].(map[string]any)["next"].(string)
	if len(rows(first)) != 4 || next == "" {
		t.Fatalf("first page: %v", first.body)
	}
	second := h.want(h.get(base+"&cursor="+next, h.alice), 200, "")
	if got := actions(first) + "|" + actions(second); got != "ActivationKeyRedeemed,MemberAdded,ProjectCreated,ProjectCreated|MemberAdded,CompanyCreated" {
		t.Fatalf("pages: %s", got)
	}
	if _, more := second.body["data"].(map[string]any)["next"]; more {
		t.Fatalf("last page has a next cursor: %v", second.body)
	}
}

func TestHistoryPersonContext(t *testing.T) {
	h := newHistoryScenario(t)
	own := h.want(h.get(fmt.Sprintf("/v1/persons/%d/history", h.bobID), h.bob), 200, "")
	if got := actions(own); got != "MemberAdded,TokenIssued,PersonRegistered" {
		t.Fatalf("bob's own history: %s", got)
	}
	// A colleague sees bob's history within their company only.
	h.want(h.get(fmt.Sprintf("/v1/persons/%d/history", h.bobID), h.alice), 403, "not-own-person")
	in := h.want(h.get(fmt.Sprintf("/v1/persons/%d/history?company=%d", h.bobID, h.company), h.alice), 200, "")
	if got := actions(in); got != "MemberAdded" {
		t.Fatalf("bob within the company: %s", got)
	}
	h.want(h.get(fmt.Sprintf("/v1/persons/%d/history?company=%d", h.bobID, h.company), h.carol), 403, "not-member")
	h.want(h.get("/v1/persons/999/history", adminToken), 404, "person-not-found")
	h.want(h.get(fmt.Sprintf("/v1/persons/%d/history", h.bobID), adminToken), 200, "")
}

func TestHistoryDeviceContext(t *testing.T) {
	h := newHistoryScenario(t)
	h.want(h.do("POST", "/v1/registry/orders", adminToken, `{"order_number":"SO-9","delivered":"2026-10-01","devices":[{"mac":"00-90-33-00-00-07","type":"IP0010"}]}`), 201, "")
	add := h.want(h.do("POST", fmt.Sprintf("/v1/projects/%d/devices", h.hotel), h.alice, `{"mac":"000007"}`), 201, "")
	h.last = add.num("position")
	a := h.want(h.get(fmt.Sprintf("/v1/devices/000007/history?company=%d", h.company), h.bob), 200, "")
	if got := actions(a); got != "DeviceAdded" {
		t.Fatalf("device history in the company: %s", got)
	}
	if s := rows(a)[0]["summary"]; s != fmt.Sprintf("Device 00-90-33-00-00-07 added to project %d", h.hotel) {
		t.Fatalf("summary %q", s)
	}
	v := h.want(h.get("/v1/devices/00:90:33:00:00:07/history", adminToken), 200, "")
	if got := actions(v); got != "DeviceAdded,DeviceRegistered" {
		t.Fatalf("vendor view of the device: %s", got)
	}
	h.want(h.get("/v1/devices/000007/history", h.alice), 403, "vendor-only")
	h.want(h.get(fmt.Sprintf("/v1/devices/000007/history?company=%d", h.company), h.carol), 403, "not-member")
	h.want(h.get("/v1/devices/nonsense/history", adminToken), 400, "invalid-mac")
}

// A moved project's history stays with the old company; its later rows go
// to the new one. A joined company's history follows the join.
func TestHistoryFollowsMovesAndJoins(t *testing.T) {
	h := newHistoryScenario(t)
	other := h.want(h.do("POST", "/v1/companies", h.alice, `{"name":"Second"}`), 201, "").num("company")
	h.want(h.do("POST", fmt.Sprintf("/v1/projects/%d/move", h.hotel), h.alice, fmt.Sprintf(`{"company":%d}`, other)), 200, "")
	h.last = h.want(h.do("PUT", fmt.Sprintf("/v1/projects/%d/description", h.hotel), h.alice, `{"description":"moved"}`), 200, "").num("position")
	oldCo := actions(h.want(h.get(fmt.Sprintf("/v1/companies/%d/history?project=%d", h.company, h.hotel), h.alice), 200, ""))
	newCo := actions(h.want(h.get(fmt.Sprintf("/v1/companies/%d/history?project=%d", other, h.hotel), h.alice), 200, ""))
	if oldCo != "ProjectMoved,ActivationKeyRedeemed,ProjectCreated" || !strings.HasPrefix(newCo, "ProjectDescribed,ProjectMoved") || strings.Contains(newCo, "ProjectCreated") {
		t.Fatalf("after the move: old company %s, new company %s", oldCo, newCo)
	}
	// The old company's Viewer still reads the moved project's rows there.
	if got := actions(h.want(h.get(fmt.Sprintf("/v1/companies/%d/history?project=%d", h.company, h.hotel), h.bob), 200, "")); got != oldCo {
		t.Fatalf("bob, Viewer of the old company, reads %q", got)
	}
	third := h.want(h.do("POST", "/v1/companies", h.alice, `{"name":"Third"}`), 201, "").num("company")
	h.last = h.want(h.do("POST", fmt.Sprintf("/v1/companies/%d/joins", third), h.alice, fmt.Sprintf(`{"company":%d}`, h.company)), 201, "").num("position")
	joined := actions(h.want(h.get(fmt.Sprintf("/v1/companies/%d/history", third), h.alice), 200, ""))
	if !strings.HasPrefix(joined, "CompanyJoined,") || !strings.HasSuffix(joined, "MemberAdded,CompanyCreated") || !strings.Contains(joined, "ActivationKeyRedeemed") {
		t.Fatalf("the joining company's history does not include the joined one's: %s", joined)
	}
}
