package api_test

import (
	"math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// pathParam matches a path parameter of echo's route form (/a/:b).
var pathParam = regexp.MustCompile(`:[A-Za-z0-9_]+`)

// garbageParams are path parameter values a fuzzer tries: ids that exist,
// that cannot, and text that is no id at all.
var garbageParams = []string{"1", "2", "0", "-1", "99999999999999999999", "abc", "00-90-33-00-00-01", "ZZZZ-ZZZZ",
	url.PathEscape("\x00"), url.PathEscape("ä\u2028"), strings.Repeat("9", 300)}

// garbageBodies are request bodies a fuzzer tries.
var garbageBodies = []string{"", "{}", "null", "[]", "1", `"x"`, `{"a":1}`, `{"name":null}`, `{"name":"\u0000"}`,
	`{"lines":[{"type":"PBX-Port","version":13,"quantity":99999999999999999999}]}`, `{"macs":["` + strings.Repeat("0", 5000) + `"]}`,
	strings.Repeat("[", 10000), `{"Name":"x","name":"y"}`, `{"code":"` + strings.Repeat("é", 3000) + `"}`}

// garbageQueries are query strings a fuzzer appends.
var garbageQueries = []string{"", "?after=18446744073709551615", "?at=999999999", "?as_of=9999-12-31T23:59:59Z", "?cursor=%00",
	"?window=forever", "?q=%00%01", "?limit=-1", "?from=x&to=y"}

// TestEveryRouteRefusesGarbage sends every documented route malformed
// path parameters, bodies and query strings, as a vendor and as a plain
// member: nothing may answer 5xx, and every answer must match the
// OpenAPI document (the test client checks it). The sample is seeded and
// printed, so a failure can be repeated.
func TestEveryRouteRefusesGarbage(t *testing.T) {
	f := licSetup(t)
	seed := uint64(20261207)
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("seed %d", seed)
	tokens := []string{adminToken, f.bob}
	for _, r := range f.node.Server.DocumentedRoutes() {
		for range 6 {
			path := pathParam.ReplaceAllStringFunc(r.Path, func(string) string { return garbageParams[rng.IntN(len(garbageParams))] })
			path += garbageQueries[rng.IntN(len(garbageQueries))]
			body := ""
			if r.Method != "GET" {
				body = garbageBodies[rng.IntN(len(garbageBodies))]
			}
			a := f.do(r.Method, path, tokens[rng.IntN(len(tokens))], body)
			if a.status >= 500 && a.status != 503 && a.status != 504 {
				t.Errorf("%s %s with body %.80q: %d %v", r.Method, path, body, a.status, a.body)
			}
		}
	}
}
