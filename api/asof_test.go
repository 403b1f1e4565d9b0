package api_test

import (
	"io"
	"strconv"

	"encoding/json"
	"fmt"
	"github.com/innolic/ledger/app"
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
	// Bob was not yet a member in October, but is one today: access to
	// the past is decided by today's rights, as the history tab shows him
	// what happened before he joined; Carol, no member today, sees nothing.
	h.want(h.do("GET", fmt.Sprintf("/v1/companies/%d?as_of=2026-10-15T00:00:00Z", h.company), h.bob, ""), 200, "")
	h.want(h.do("GET", fmt.Sprintf("/v1/companies/%d?as_of=2026-10-15T00:00:00Z", h.company), h.carol, ""), 403, "not-member")
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
// plumbing itself, interface.php (which is no query) and the CSV API (its
// own authentication, no as_of) use the live reader directly.
func TestQueriesUseTheReadModelTheyAreGiven(t *testing.T) {
	allowed := map[string]bool{"auth.go": true, "handler.go": true, "interface_php.go": true, "csvapi.go": true}
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

// metric reads a counter of the node's /metrics.
func (l *ledger) metric(name string) float64 {
	l.t.Helper()
	resp, err := http.Get(l.srv.URL + "/metrics")
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				l.t.Fatal(err)
			}
			return f
		}
	}
	l.t.Fatalf("no metric %s", name)
	return 0
}

// As-of builds start from a snapshot or an earlier answer instead of the
// empty model, and answer exactly like a replay from the start: node A
// takes snapshots every 4 events; node B, on the same log, has none and,
// asked from the newest position down, replays from the start each time.
func TestAsOfBuildsFromSnapshots(t *testing.T) {
	h := newHistoryScenario(t)
	head := h.head()
	a := serve(t, app.Config{Store: h.store, AsOfSnapshotEvery: 4})
	b := serve(t, app.Config{Store: h.store, AsOfSnapshotEvery: 1 << 40})
	history := func(l *ledger, at uint64) string {
		ans := l.do("GET", fmt.Sprintf("/v1/companies/%d/history?at=%d&window=always", h.company, at), adminToken, "")
		delete(ans.body, "request_id")
		js, _ := json.Marshal(ans.body)
		return fmt.Sprint(ans.status, string(js))
	}
	a.want(a.do("GET", fmt.Sprintf("/v1/companies/%d?at=%d", h.company, head), adminToken, ""), 200, "")
	for at := head; at >= 1; at-- {
		if got, want := history(a, at), history(b, at); got != want {
			t.Fatalf("history at %d from snapshots:\n%s\nreplayed from the start:\n%s", at, got, want)
		}
	}
	fromStart := float64(head * (head + 1) / 2)
	if got := b.metric("ledger_asof_replayed_events_total"); got != fromStart {
		t.Fatalf("node B replayed %v events, want %v (each position from the start)", got, fromStart)
	}
	// A replayed the log once (the first build, which took the snapshots
	// on its grid), then from the snapshot below each position.
	step := uint64(4)
	for step*8 < head {
		step *= 2
	}
	want := head
	for at := uint64(1); at < head; at++ {
		want += at % step
	}
	if got := a.metric("ledger_asof_replayed_events_total"); got != float64(want) {
		t.Fatalf("node A replayed %v events for %d positions, want %d (B: %v)", got, head, want, fromStart)
	}
}
