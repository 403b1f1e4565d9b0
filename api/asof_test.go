package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// Queries must read the model s.query hands them (rd), or as_of and at
// would silently answer from today: only authentication, the query
// plumbing itself and interface.php (which is no query) use the live
// reader directly.
func TestQueriesUseTheReadModelTheyAreGiven(t *testing.T) {
	allowed := map[string]bool{"auth.go": true, "handler.go": true, "interface_php.go": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || allowed[f] {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "s.cfg.Reader") {
				t.Errorf("%s:%d uses s.cfg.Reader; use the rd that s.query passes: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// Concurrent as-of queries share the cached models and builds: each gets
// the position it asked for.
func TestAsOfConcurrent(t *testing.T) {
	h := newHistoryScenario(t)
	head := h.head()
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		at := uint64(i%6) + head - 5
		wg.Go(func() {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/companies/%d/history?at=%d", h.srv.URL, h.company, at), nil)
			req.Header.Set("Authorization", "Bearer "+adminToken)
			resp, err := h.client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var body struct{ Position uint64 }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body.Position != at {
				errs <- fmt.Errorf("at=%d: %d, position %d, %v", at, resp.StatusCode, body.Position, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
