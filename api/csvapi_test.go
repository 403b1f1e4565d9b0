package api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore/memstore"
)

var updateCSV = flag.Bool("update", false, "rewrite the CSV golden files in testdata/csv")

// movingClock is a node's clock the test sets.
type movingClock struct{ ns atomic.Int64 }

func (c *movingClock) set(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.ns.Store(t.UnixNano())
}

func (c *movingClock) now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// csvLedger: a company renting in domain pbx.example.com (password
// "domain-pw", granted hosted.example.com) of instance apps.example.com
// (password "instance-pw") from January to July 2026, across the start of
// summer time in Europe/Berlin (March 29) and a month boundary that falls
// on different days in UTC and in Berlin (May 31, 22:30 UTC).
func csvLedger(t *testing.T) (*ledger, *movingClock) {
	t.Helper()
	clock := &movingClock{}
	clock.set("2026-01-10T09:00:00Z")
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	l := serve(t, app.Config{Store: store, Clock: clock.now})
	_, alice := l.person("alice@example.com")
	co := l.want(l.do("POST", "/v1/companies", alice, `{"name":"Hoster"}`), 201, "").num("company")
	ct := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/contracts", co), alice, `{"kind":"software-rental"}`), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/contracts/%d/approval", ct.num("contract")), adminToken, ""), 200, "")
	in := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/devices-instances", co), alice, `{"name":"apps.example.com","password":"instance-pw"}`), 201, "").num("instance")
	l.want(l.do("POST", fmt.Sprintf("/v1/devices-instances/%d/domains", in), alice, `{"name":"hosted.example.com","password":"hosted-pw"}`), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/devices-instances/%d/domains", in), alice,
		`{"name":"pbx.example.com","password":"domain-pw","invoice_reference":"INV 2026; \"Hotel\"","grants":["hosted.example.com"]}`), 201, "")
	l.want(l.do("POST", "/v1/domains/pbx.example.com/devices", alice, `{"mac":"00-50-56-00-00-01"}`), 201, "")
	upload := func(n int) {
		// Keys with known codes (the API draws them at random), issued
		// by the vendor through the writer.
		code := fmt.Sprintf("ISC-%04d", n)
		if _, err := l.node.Writer.Submit(context.Background(), commands.Request{By: domain.Principal{Person: 1, Vendor: true},
			Command: domain.IssueKey{Code: code, Lines: []domain.Line{{Item: domain.ISCItem, Quantity: int64(n)}}}}); err != nil {
			t.Fatal(err)
		}
		l.want(l.do("POST", "/v1/domains/pbx.example.com/redemptions", alice, fmt.Sprintf(`{"code":%q}`, code)), 201, "")
	}
	rent := func(ports int) {
		l.want(l.do("PUT", "/v1/domains/pbx.example.com/devices/00-50-56-00-00-01/rental", alice,
			fmt.Sprintf(`{"licenses":[{"type":"PBX-Port","version":13,"quantity":%d},{"type":"PBX-UC","version":13,"quantity":2}]}`, ports)), 200, "")
	}
	charge := func() { l.want(l.do("POST", "/v1/rental/charges", adminToken, `{}`), 201, "") }
	upload(100)
	rent(10)
	clock.set("2026-02-01T00:30:00Z")
	charge()
	clock.set("2026-03-28T23:30:00Z") // 00:30 CET on March 29, before summer time
	upload(50)
	clock.set("2026-03-29T10:00:00Z") // 12:00 CEST
	rent(20)
	clock.set("2026-04-15T12:00:00Z")
	charge()
	rent(15)
	clock.set("2026-05-31T22:30:00Z") // June 1 in Berlin, May 31 in UTC
	charge()
	clock.set("2026-07-05T12:00:00Z")
	charge()
	// The CSV API reads the read models as they are (it has no ?after=).
	if err := l.node.Runner.WaitFor(context.Background(), l.head()); err != nil {
		t.Fatal(err)
	}
	return l, clock
}

// digestGet is the client side of RFC 7616 for the tests: it asks for the
// challenge, then answers the one of algorithm alg.
func digestGet(t *testing.T, l *ledger, path, user, password, alg string) (int, http.Header, []byte) {
	t.Helper()
	resp, _ := csvDo(t, l, path, "")
	ch := challengeOf(resp.Header, alg)
	if resp.StatusCode != 401 || ch == nil {
		t.Fatalf("GET %s without credentials: %d, challenges %v", path, resp.StatusCode, resp.Header.Values("WWW-Authenticate"))
	}
	resp, body := csvDo(t, l, path, digestAuthorization(alg, user, password, ch["realm"], ch["nonce"], "GET", path, 1))
	return resp.StatusCode, resp.Header, body
}

var challengeRE = regexp.MustCompile(`(\w+)=(?:"([^"]*)"|([^,\s]+))`)

func challengeOf(h http.Header, alg string) map[string]string {
	for _, v := range h.Values("WWW-Authenticate") {
		f := map[string]string{}
		for _, m := range challengeRE.FindAllStringSubmatch(v, -1) {
			f[m[1]] = m[2] + m[3]
		}
		if f["algorithm"] == alg {
			return f
		}
	}
	return nil
}

func digestAuthorization(alg, user, password, realm, nonce, method, uri string, nc int) string {
	newHash := sha256.New
	if alg == "MD5" {
		newHash = md5.New
	}
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	cnonce, ncs := "0a4f113b", fmt.Sprintf("%08x", nc)
	resp := h(h(user+":"+realm+":"+password) + ":" + nonce + ":" + ncs + ":" + cnonce + ":auth:" + h(method+":"+uri))
	return fmt.Sprintf(`Digest username=%q, realm=%q, nonce=%q, uri=%q, algorithm=%s, response=%q, qop=auth, nc=%s, cnonce=%q, opaque="ledger"`,
		user, realm, nonce, uri, alg, resp, ncs, cnonce)
}

// csvDo sends a GET through the validating client.
func csvDo(t *testing.T, l *ledger, path, authorization string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", l.srv.URL+path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := l.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestCSVGolden: history and overview, English and German, in Europe/Berlin.
func TestCSVGolden(t *testing.T) {
	l, _ := csvLedger(t)
	for _, c := range []struct{ file, query string }{
		{"history_en.csv", "domain=pbx.example.com&lang=en&tz=Europe/Berlin"},
		{"history_de.csv", "domain=pbx.example.com&lang=de&tz=Europe/Berlin&type=history"},
		{"overview_en.csv", "domain=pbx.example.com&lang=en&tz=Europe/Berlin&type=overview"},
		{"overview_de.csv", "domain=pbx.example.com&lang=de&tz=Europe/Berlin&type=overview&from=1&to=0"},
		{"history_window_utc.csv", "domain=pbx.example.com&from=1774742400000&to=1780358400000"},
	} {
		status, hdr, body := digestGet(t, l, "/csvapi?"+c.query, "pbx.example.com", "domain-pw", "SHA-256")
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s %s", c.query, status, hdr.Get("Content-Type"), body)
		}
		golden := filepath.Join("..", "testdata", "csv", c.file)
		if *updateCSV {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if !bytes.Equal(body, want) {
			got, exp := strings.Split(string(body), "\n"), strings.Split(string(want), "\n")
			for i := range max(len(got), len(exp)) {
				if i >= len(got) || i >= len(exp) || got[i] != exp[i] {
					t.Errorf("%s differs from %s at line %d:\n got %q\nwant %q", c.query, golden, i+1, at(got, i), at(exp, i))
					break
				}
			}
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

// TestCSVDigestAndParameters: MD5 and SHA-256, what each credential
// opens, a wrong password (a fresh challenge, never which part was
// wrong), a replayed request, a stale nonce, and each bad parameter with
// its code.
func TestCSVDigestAndParameters(t *testing.T) {
	l, clock := csvLedger(t)
	get := func(path, user, pw, alg string) (int, string) {
		status, _, body := digestGet(t, l, path, user, pw, alg)
		return status, string(body)
	}
	if status, body := get("/csvapi?domain=pbx.example.com", "pbx.example.com", "domain-pw", "MD5"); status != 200 || !strings.Contains(body, "Licenses rented") {
		t.Fatalf("MD5: %d %s", status, body)
	}
	// The domain opens the domain it was granted; the instance opens all.
	if status, _ := get("/csvapi?domain=hosted.example.com", "pbx.example.com", "domain-pw", "SHA-256"); status != 200 {
		t.Fatalf("granted domain: %d", status)
	}
	if status, body := get("/csvapi?all=1&type=overview", "apps.example.com", "instance-pw", "SHA-256"); status != 200 || !strings.Contains(body, "pbx.example.com") {
		t.Fatalf("instance: %d %s", status, body)
	}
	if status, body := get("/csvapi?domain=pbx.example.com", "hosted.example.com", "hosted-pw", "SHA-256"); status != 404 || !strings.Contains(body, "domain-not-found") {
		t.Fatalf("a domain not granted: %d %s", status, body)
	}
	for _, c := range []struct{ user, pw string }{{"pbx.example.com", "wrong"}, {"nobody.example", "domain-pw"}, {"apps.example.com", "domain-pw"}} {
		status, hdr, body := digestGet(t, l, "/csvapi?domain=pbx.example.com", c.user, c.pw, "SHA-256")
		if status != 401 || !strings.Contains(string(body), "not-authenticated") || challengeOf(hdr, "SHA-256") == nil || challengeOf(hdr, "SHA-256")["stale"] != "false" {
			t.Fatalf("%s/%s: %d %v %s", c.user, c.pw, status, hdr.Values("WWW-Authenticate"), body)
		}
	}
	// A replayed request (same nonce and count) is refused.
	resp, _ := csvDo(t, l, "/csvapi?domain=pbx.example.com", "")
	ch := challengeOf(resp.Header, "SHA-256")
	auth := digestAuthorization("SHA-256", "pbx.example.com", "domain-pw", ch["realm"], ch["nonce"], "GET", "/csvapi?domain=pbx.example.com", 1)
	if r, _ := csvDo(t, l, "/csvapi?domain=pbx.example.com", auth); r.StatusCode != 200 {
		t.Fatalf("first use: %d", r.StatusCode)
	}
	if r, _ := csvDo(t, l, "/csvapi?domain=pbx.example.com", auth); r.StatusCode != 401 {
		t.Fatalf("replay: %d", r.StatusCode)
	}
	// The next count of the nonce is fine; after 5 minutes it is stale.
	next := digestAuthorization("SHA-256", "pbx.example.com", "domain-pw", ch["realm"], ch["nonce"], "GET", "/csvapi?domain=pbx.example.com", 2)
	if r, _ := csvDo(t, l, "/csvapi?domain=pbx.example.com", next); r.StatusCode != 200 {
		t.Fatalf("next count: %d", r.StatusCode)
	}
	clock.set("2026-07-05T12:06:00Z")
	later := digestAuthorization("SHA-256", "pbx.example.com", "domain-pw", ch["realm"], ch["nonce"], "GET", "/csvapi?domain=pbx.example.com", 3)
	if r, _ := csvDo(t, l, "/csvapi?domain=pbx.example.com", later); r.StatusCode != 401 || challengeOf(r.Header, "SHA-256")["stale"] != "true" {
		t.Fatalf("stale nonce: %d %v", r.StatusCode, r.Header.Values("WWW-Authenticate"))
	}
	for _, c := range []struct{ query, code string }{
		{"domain=nope.example", "domain-not-found"},
		{"", "domain-required"},
		{"domain=pbx.example.com&lang=fr", "invalid-lang"},
		{"domain=pbx.example.com&tz=Mars/Olympus", "invalid-tz"},
		{"domain=pbx.example.com&type=summary", "invalid-type"},
		{"domain=pbx.example.com&from=yesterday", "invalid-from"},
		{"domain=pbx.example.com&from=2000&to=1000", "invalid-range"},
	} {
		status, body := get("/csvapi?"+c.query, "pbx.example.com", "domain-pw", "SHA-256")
		if status >= 200 && status < 300 || !strings.Contains(body, `"code":"`+c.code+`"`) {
			t.Errorf("%q: %d %s, want %s", c.query, status, body, c.code)
		}
	}
}

// TestCSVWithCurlDigest: curl's own digest implementation against a
// started server.
func TestCSVWithCurlDigest(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is needed for this test")
		}
		t.Skip("curl not installed")
	}
	l, _ := csvLedger(t)
	run := func(user string) (string, string) {
		out, err := exec.Command(curl, "--digest", "-sS", "-u", user, "-o", "-", "-w", "\n%{http_code}",
			l.srv.URL+"/csvapi?domain=pbx.example.com&lang=de&tz=Europe/Berlin").Output()
		if err != nil {
			t.Fatalf("curl: %v", err)
		}
		if len(out) < 4 {
			t.Fatalf("curl printed %q", out)
		}
		return string(out[:len(out)-4]), string(out[len(out)-3:])
	}
	body, code := run("pbx.example.com:domain-pw")
	if code != "200" || !strings.HasPrefix(body, "Datum;Domäne;Ereignis") {
		t.Fatalf("curl --digest: %s\n%s", code, body)
	}
	if _, code := run("pbx.example.com:wrong"); code != "401" {
		t.Fatalf("curl --digest with a wrong password: %s", code)
	}
}
