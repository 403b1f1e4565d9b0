package api_test

import (
	"fmt"
	"testing"
)

// As-of queries answer from the state at a past time or position, and say
// which position they reflect.
func TestAsOfAnswersFromThePast(t *testing.T) {
	h := newHistoryScenario(t)
	balance := fmt.Sprintf("/v1/projects/%d/balance", h.hotel)
	today := h.want(h.get(balance, h.alice), 200, "")
	if lines := today.body["data"].(map[string]any)["lines"].([]any); len(lines) != 1 {
		t.Fatalf("today's balance = %v", lines)
	}
	before := h.last - 1 // the redemption is the last event of its command
	past := h.want(h.do("GET", fmt.Sprintf("%s?at=%d", balance, before), h.alice, ""), 200, "")
	if lines := past.body["data"].(map[string]any)["lines"].([]any); len(lines) != 0 || past.num("position") != before ||
		past.header.Get("Ledger-Position") != fmt.Sprint(before) {
		t.Fatalf("balance at %d = %v", before, past.body)
	}
	// The redemption happened at 11:00; at 10:59 the balance was empty, and
	// the answer reflects the last position written by then.
	asOf := h.want(h.do("GET", balance+"?as_of=2026-11-22T10:59:00Z", h.alice, ""), 200, "")
	if lines := asOf.body["data"].(map[string]any)["lines"].([]any); len(lines) != 0 || asOf.num("position") >= h.last {
		t.Fatalf("balance as of 10:59 = %v", asOf.body)
	}
	again := h.want(h.do("GET", balance+"?as_of=2026-11-22T11:00:00Z", h.alice, ""), 200, "")
	if lines := again.body["data"].(map[string]any)["lines"].([]any); len(lines) != 1 || again.num("position") < h.last {
		t.Fatalf("balance as of 11:00 = %v", again.body)
	}
	// Bob was not yet a member in October: his access is judged as of then.
	h.want(h.do("GET", fmt.Sprintf("/v1/companies/%d?as_of=2026-10-15T00:00:00Z", h.company), h.bob, ""), 403, "not-member")
	h.want(h.do("GET", fmt.Sprintf("/v1/companies/%d", h.company), h.bob, ""), 200, "")
	// History as of a time shows the rows up to it only.
	hist := h.want(h.do("GET", fmt.Sprintf("/v1/companies/%d/history?as_of=2026-11-01T12:00:00Z", h.company), h.alice, ""), 200, "")
	if got := actions(hist); got != "ProjectCreated,ProjectCreated,MemberAdded,CompanyCreated" {
		t.Fatalf("history as of 1 November: %s", got)
	}
	// Before the log's first event the state is empty.
	h.want(h.do("GET", fmt.Sprintf("/v1/companies/%d?as_of=2000-01-01T00:00:00Z", h.company), adminToken, ""), 404, "company-not-found")
	h.want(h.do("GET", balance+"?at=x", h.alice, ""), 400, "invalid-at")
	h.want(h.do("GET", balance+"?as_of=yesterday", h.alice, ""), 400, "invalid-as-of")
	h.want(h.do("GET", balance+"?as_of=2026-11-22T10:59:00Z&at=3", h.alice, ""), 400, "invalid-as-of")
	h.want(h.do("GET", fmt.Sprintf("%s?at=%d", balance, h.head()+100), h.alice, ""), 404, "position-not-found")
}
