package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/eventstore/memstore"
)

const adminToken = "lt_test-admin-token"

// ledger is a node behind a test HTTP server.
type ledger struct {
	t     *testing.T
	srv   *httptest.Server
	store *memstore.Store
	node  *app.Node
	// client validates every answer against the OpenAPI document.
	client *http.Client
	cfg    app.Config // what the node was started with, for restart
}

// restart starts a new node on the same log and points the ledger at it;
// the old one runs on, idle, until the test ends.
func (l *ledger) restart() {
	l.t.Helper()
	n := serve(l.t, l.cfg)
	l.srv, l.node, l.client = n.srv, n.node, n.client
}

func start(t *testing.T) *ledger {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	return serve(t, app.Config{Store: store, Clock: func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }})
}

// serve starts a node on cfg.Store (which the caller closes) behind a test
// HTTP server, with the test admin token and a 64K body limit.
func serve(t *testing.T, cfg app.Config) *ledger {
	t.Helper()
	cfg.AdminToken, cfg.BodyLimit = adminToken, "64K"
	node, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(node.Server)
	t.Cleanup(func() { srv.Close(); node.Close() })
	return &ledger{t: t, srv: srv, store: cfg.Store.(*memstore.Store), node: node,
		client: &http.Client{Transport: validating{t: t, doc: node.Server.OpenAPI()}}, cfg: cfg}
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func (a answer) code() string { s, _ := a.body["code"].(string); return s }

func (a answer) num(path ...string) int64 {
	var v any = a.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	f, _ := v.(float64)
	return int64(f)
}

func (l *ledger) do(method, path, token, body string, hdr ...string) answer {
	l.t.Helper()
	req, _ := http.NewRequest(method, l.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := l.client.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, body: map[string]any{}}
	if len(bytes.TrimSpace(raw)) > 0 && json.Unmarshal(raw, &a.body) != nil && !strings.HasPrefix(path, "/metrics") {
		l.t.Fatalf("%s %s: body is not a JSON object: %s", method, path, raw)
	}
	if a.status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		l.t.Fatalf("%s %s: error %d with content type %q, want application/problem+json", method, path, a.status, resp.Header.Get("Content-Type"))
	}
	return a
}

func (l *ledger) want(a answer, status int, code string) answer {
	l.t.Helper()
	if a.status != status || a.status >= 400 && a.code() != code {
		l.t.Fatalf("got %d %q (%v), want %d %q", a.status, a.code(), a.body, status, code)
	}
	return a
}

func (l *ledger) head() uint64 {
	h, err := l.store.Head(context.Background())
	if err != nil {
		l.t.Fatal(err)
	}
	return h.Seq
}

// refused asserts a refusal with its status and code, and that it wrote nothing.
func (l *ledger) refused(status int, code, method, path, token, body string) {
	l.t.Helper()
	before := l.head()
	l.want(l.do(method, path, token, body), status, code)
	if after := l.head(); after != before {
		l.t.Fatalf("%s %s refused but the log head moved from %d to %d", method, path, before, after)
	}
}

// person registers a person and returns their id and a token.
func (l *ledger) person(email string) (int64, string) {
	l.t.Helper()
	p := l.want(l.do("POST", "/v1/persons", adminToken, fmt.Sprintf(`{"email":%q,"name":"N"}`, email)), 201, "")
	id := p.num("person")
	tok := l.want(l.do("POST", fmt.Sprintf("/v1/persons/%d/tokens", id), adminToken, `{"label":"test"}`), 201, "")
	return id, tok.body["token"].(string)
}

func TestHealthReadyMetricsNeedNoToken(t *testing.T) {
	l := start(t)
	l.want(l.do("GET", "/healthz", "", ""), 200, "")
	deadline := time.Now().Add(5 * time.Second)
	for l.do("GET", "/readyz", "", "").status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if a := l.do("GET", "/metrics", "", ""); a.status != 200 {
		t.Fatalf("metrics: %d", a.status)
	}
	l.want(l.do("GET", "/v1/me", "", ""), 401, "not-authenticated")
	l.want(l.do("GET", "/v1/me", "lt_wrong", ""), 401, "not-authenticated")
}

func TestFirstSliceEndToEnd(t *testing.T) {
	l := start(t)
	alice, aliceTok := l.person("alice@example.com")
	co := l.want(l.do("POST", "/v1/companies", aliceTok, `{"name":"Reseller GmbH"}`), 201, "")
	company, defProject := co.num("company"), co.num("default_project")
	if co.num("position") == 0 || co.header.Get("Ledger-Position") == "" {
		t.Fatalf("command answer without position: %v", co.body)
	}
	hotel := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/projects", company), aliceTok, `{"name":"Hotel"}`), 201, "").num("project")
	l.refused(422, "project-name-taken", "POST", fmt.Sprintf("/v1/companies/%d/projects", company), aliceTok, `{"name":"HOTEL"}`)

	key := l.want(l.do("POST", "/v1/activation-keys", adminToken,
		`{"lines":[{"type":"PBX-Port","version":13,"quantity":20},{"type":"PBX-PBX","version":13,"quantity":1}],"order_number":"SO-1"}`), 201, "")
	code := key.body["code"].(string)
	l.refused(403, "vendor-only", "POST", "/v1/activation-keys", aliceTok, `{"lines":[{"type":"PBX-Port","version":13,"quantity":1}]}`)

	// A Viewer cannot redeem; a Locked member cannot read.
	bob, bobTok := l.person("bob@example.com")
	l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/members", company), aliceTok, fmt.Sprintf(`{"person":%d,"right":"viewer"}`, bob)), 201, "")
	l.refused(403, "no-right", "POST", fmt.Sprintf("/v1/projects/%d/redemptions", hotel), bobTok, fmt.Sprintf(`{"code":%q}`, code))

	red := l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/redemptions", hotel), aliceTok, fmt.Sprintf(`{"code":%q,"comment":"first"}`, code)), 201, "")
	l.refused(422, "key-already-redeemed", "POST", fmt.Sprintf("/v1/projects/%d/redemptions", defProject), aliceTok, fmt.Sprintf(`{"code":%q}`, code))
	l.refused(404, "key-not-found", "POST", fmt.Sprintf("/v1/projects/%d/redemptions", hotel), aliceTok, `{"code":"NOPE-NOPE-NOPE"}`)

	pos := red.num("position")
	bal := l.want(l.do("GET", fmt.Sprintf("/v1/projects/%d/balance?after=%d", hotel, pos), bobTok, ""), 200, "")
	if got := fmt.Sprint(bal.body["data"].(map[string]any)["lines"]); got != "[map[quantity:1 type:PBX-PBX version:13] map[quantity:20 type:PBX-Port version:13]]" {
		t.Fatalf("project balance lines = %s", got)
	}
	if bal.num("position") < pos {
		t.Fatalf("answer reflects position %d, before the redemption at %d", bal.num("position"), pos)
	}
	cb := l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/balance?after=%d", company, pos), aliceTok, ""), 200, "")
	if got := fmt.Sprint(cb.body["data"].(map[string]any)["lines"]); !strings.Contains(got, "quantity:20 type:PBX-Port") {
		t.Fatalf("company balance lines = %s", got)
	}
	empty := l.want(l.do("GET", fmt.Sprintf("/v1/projects/%d/balance", defProject), aliceTok, ""), 200, "")
	if lines := empty.body["data"].(map[string]any)["lines"].([]any); len(lines) != 0 {
		t.Fatalf("DEFAULT balance = %v, want empty", lines)
	}

	lock := l.want(l.do("PUT", fmt.Sprintf("/v1/companies/%d/members/%d", company, bob), aliceTok, `{"right":"locked"}`), 200, "")
	l.want(l.do("GET", fmt.Sprintf("/v1/projects/%d/balance?after=%d", hotel, lock.num("position")), bobTok, ""), 403, "person-locked")
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d", company), bobTok, ""), 403, "person-locked")
	_, carolTok := l.person("carol@example.com")
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/balance", company), carolTok, ""), 403, "not-member")
	me := l.want(l.do("GET", "/v1/me", aliceTok, ""), 200, "")
	if me.num("data", "id") != alice {
		t.Fatalf("me = %v", me.body)
	}
}

func TestBadInput(t *testing.T) {
	l := start(t)
	_, tok := l.person("alice@example.com")
	l.refused(400, "invalid-json", "POST", "/v1/companies", tok, `{"name":`)
	l.refused(400, "invalid-body", "POST", "/v1/companies", tok, `{"name":"x","bogus":1}`)
	l.refused(400, "invalid-json", "POST", "/v1/companies", tok, `{"name":"x"} {}`)
	l.refused(400, "invalid-name", "POST", "/v1/companies", tok, `{"name":"  "}`)
	l.refused(413, "body-too-large", "POST", "/v1/companies", tok, `{"name":"`+strings.Repeat("x", 70*1024)+`"}`)
	l.refused(400, "invalid-company", "POST", "/v1/companies/abc/projects", tok, `{"name":"x"}`)
	l.refused(404, "company-not-found", "POST", "/v1/companies/99/projects", tok, `{"name":"x"}`)
	l.want(l.do("GET", "/v1/companies/1/balance?after=x", tok, ""), 400, "invalid-after")
	l.want(l.do("GET", "/v1/nothing", tok, ""), 404, "route-not-found")
}

func TestIdempotencyKeyHeader(t *testing.T) {
	l := start(t)
	_, tok := l.person("alice@example.com")
	first := l.want(l.do("POST", "/v1/companies", tok, `{"name":"A"}`, "Idempotency-Key", "create-a"), 201, "")
	h := l.head()
	again := l.want(l.do("POST", "/v1/companies", tok, `{"name":"A"}`, "Idempotency-Key", "create-a"), 201, "")
	if again.num("company") != first.num("company") || again.num("position") != first.num("position") || again.body["replayed"] != true {
		t.Fatalf("retry answered %v, want the first answer %v replayed", again.body, first.body)
	}
	if l.head() != h {
		t.Fatal("retry wrote")
	}
	l.want(l.do("POST", "/v1/companies", tok, `{"name":"B"}`, "Idempotency-Key", "create-a"), 409, "idempotency-key-reused")
	if l.head() != h {
		t.Fatal("a reused key with another payload wrote")
	}
}

func TestAfterWaitsBounded(t *testing.T) {
	l := start(t)
	_, tok := l.person("alice@example.com")
	start := time.Now()
	// MaxWait defaults to 5s; a position far ahead is never reached.
	l.want(l.do("GET", "/v1/me?after=1000000", tok, ""), 504, "position-not-reached")
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("waited %v", el)
	}
}
