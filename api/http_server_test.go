package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/innolic/ledger/api"
	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/eventstore/memstore"
)

// TestSlowLorisIsCutOff: a client that sends half a header is cut off
// after the header timeout instead of holding a connection for minutes.
func TestSlowLorisIsCutOff(t *testing.T) {
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	node, err := app.Start(context.Background(), app.Config{Store: store, AdminToken: adminToken,
		ReadHeaderTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = node.Server.Server.Serve(ln) }()
	t.Cleanup(func() { _ = node.Server.Close(); node.Close() })

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: ledger\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(5 * time.Second))
	_, err = io.Copy(io.Discard, conn) // returns when the server closes the connection
	if el := time.Since(start); err != nil || el > 2*time.Second {
		t.Fatalf("the half-sent request was held %v (read error %v); the header timeout is 200ms", el, err)
	}
}

// TestServerTimeoutsFitTogether: a write timeout that would cut off the
// answer of a durable command, or a ?after= wait longer than the request,
// is refused at start.
func TestServerTimeoutsFitTogether(t *testing.T) {
	for _, tc := range []struct {
		cfg  api.Config
		want string
	}{
		{api.Config{Timeout: 30 * time.Second, WriteTimeout: 20 * time.Second}, "must exceed the read timeout plus the request timeout"},
		{api.Config{Timeout: 10 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 20 * time.Second}, "must exceed"},
		{api.Config{Timeout: 5 * time.Second, MaxWait: 5 * time.Second}, "max wait"},
		{api.Config{ReadHeaderTimeout: time.Minute, ReadTimeout: time.Second}, "read header timeout"},
		{api.Config{IdleTimeout: -time.Second}, "must not be negative"},
	} {
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: Validate() = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if err := (api.Config{}).Validate(); err != nil {
		t.Fatalf("the defaults do not fit: %v", err)
	}
	if _, err := app.Start(context.Background(), app.Config{Store: memstore.New(), WriteTimeout: time.Second}); err == nil {
		t.Fatal("a node started with a write timeout shorter than its request timeout")
	}
}

// TestWrongMethodIs405WithAllow: a method a route does not take answers
// 405 method-not-allowed, as problem+json, with Allow listing the route's
// methods.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	l := start(t)
	_, tok := l.person("alice@example.com")
	a := l.do("DELETE", "/v1/companies", tok, "")
	if a.status != http.StatusMethodNotAllowed || a.code() != "method-not-allowed" {
		t.Fatalf("DELETE /v1/companies = %d %v", a.status, a.body)
	}
	if allow := a.header.Get("Allow"); !strings.Contains(allow, "POST") || strings.Contains(allow, "DELETE") {
		t.Fatalf("Allow = %q", allow)
	}
	a = l.do("PUT", "/healthz", "", "")
	if a.status != http.StatusMethodNotAllowed || !strings.Contains(a.header.Get("Allow"), "GET") {
		t.Fatalf("PUT /healthz = %d %v, Allow %q", a.status, a.body, a.header.Get("Allow"))
	}
}

// syncBuffer is a log destination the server's goroutines share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

// TestEveryRequestIsLoggedOnce: one log line per request with method,
// route template, status, duration, request id and, when authenticated,
// the person.
func TestEveryRequestIsLoggedOnce(t *testing.T) {
	var logs syncBuffer
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	l := serve(t, app.Config{Store: store, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Clock: func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }})
	person, tok := l.person("alice@example.com") // two requests
	created := l.want(l.do("POST", "/v1/companies", tok, `{"name":"A"}`), 201, "")
	l.want(l.do("GET", "/v1/companies/99", tok, ""), 404, "company-not-found")
	l.want(l.do("GET", "/v1/nothing", tok, ""), 404, "route-not-found")
	l.want(l.do("GET", "/healthz", "", ""), 200, "")

	got := logs.lines()
	if len(got) != 6 {
		t.Fatalf("%d request lines for 6 requests: %v", len(got), got)
	}
	want := []struct {
		method, route string
		status        float64
		person        bool
	}{{"POST", "/v1/persons", 201, true}, {"POST", "/v1/persons/:person/tokens", 201, true}, {"POST", "/v1/companies", 201, true},
		{"GET", "/v1/companies/:company", 404, true}, {"GET", "", 404, false}, {"GET", "/healthz", 200, false}}
	for i, w := range want {
		g := got[i]
		if g["method"] != w.method || !strings.HasPrefix(g["route"].(string), w.route) || g["status"] != w.status {
			t.Errorf("line %d = %v, want %s %s %v", i, g, w.method, w.route, w.status)
		}
		if _, ok := g["duration"]; !ok || g["request_id"] == "" || g["request_id"] == nil {
			t.Errorf("line %d lacks duration or request id: %v", i, g)
		}
		if _, ok := g["person"]; ok != w.person {
			t.Errorf("line %d: person logged %v, want %v: %v", i, ok, w.person, g)
		}
	}
	if got[2]["person"] != float64(person) {
		t.Errorf("the company was created by person %d, the log says %v", person, got[2]["person"])
	}
	if got[2]["request_id"] != created.header.Get("X-Request-Id") {
		t.Errorf("request id %v, the answer's %q", got[2]["request_id"], created.header.Get("X-Request-Id"))
	}
}
