package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	vErrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"

	"github.com/innolic/ledger/api"
)

// contract is the OpenAPI validator shared by every test: the document is
// the same for every server, so it is parsed once.
var contract struct {
	once sync.Once
	mu   sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v    validator.Validator
	err  error
}

func contractValidator(doc []byte) (validator.Validator, error) {
	contract.once.Do(func() {
		d, err := libopenapi.NewDocument(doc)
		if err != nil {
			contract.err = err
			return
		}
		v, errs := validator.NewValidator(d)
		if len(errs) > 0 {
			contract.err = fmt.Errorf("%v", errs)
			return
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			contract.err = fmt.Errorf("the document is not valid OpenAPI: %s", describe(verrs))
			return
		}
		contract.v = v
	})
	return contract.v, contract.err
}

// validating is the test client's transport: every request the HTTP tests
// make goes through it, and every answer must match the OpenAPI document
// (documented route and status, content type, body schema, and for
// problems a documented code).
type validating struct {
	t   *testing.T
	doc []byte
}

func (vt validating) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if msg := vt.checkRequest(req, reqBody, resp, raw); msg != "" {
		vt.t.Errorf("%s %s with body %s was accepted (%d) but does not match the OpenAPI document:\n%s", req.Method, req.URL.RequestURI(),
			truncate(reqBody), resp.StatusCode, msg)
	}
	if msg := vt.check(req, resp, raw); msg != "" {
		vt.t.Errorf("%s %s answered %d %s, which the OpenAPI document does not allow:\n%s", req.Method, req.URL.RequestURI(),
			resp.StatusCode, truncate(raw), msg)
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, nil
}

func (vt validating) check(req *http.Request, resp *http.Response, raw []byte) string {
	v, err := contractValidator(vt.doc)
	if err != nil {
		return err.Error()
	}
	if isUnroutedAnswer(resp, raw) {
		return "" // echo's own 404/405 for paths and methods no route serves
	}
	contract.mu.Lock()
	defer contract.mu.Unlock()
	vreq := req.Clone(req.Context())
	vreq.Body = http.NoBody
	ok, errs := v.ValidateHttpResponse(vreq, resp)
	if ok || undocumentedRoute(errs) {
		// An undocumented route is TestOpenAPIDocumentsEveryRoute's
		// failure, reported once there rather than at every request.
		return ""
	}
	return describe(errs)
}

func undocumentedRoute(errs []*vErrors.ValidationError) bool {
	for _, e := range errs {
		if e.ValidationType != helpers.PathValidation ||
			e.ValidationSubType != helpers.ValidationMissing && e.ValidationSubType != helpers.ValidationMissingOperation {
			return false
		}
	}
	return len(errs) > 0
}

// checkRequest validates a request the server accepted (2xx): what the
// server takes must be what the document says it takes. Refused requests
// are the tests' deliberate bad input and are not checked.
func (vt validating) checkRequest(req *http.Request, body []byte, resp *http.Response, answer []byte) string {
	var legacy struct {
		Success *bool `json:"success"`
	}
	if resp.StatusCode >= 300 || json.Unmarshal(answer, &legacy) == nil && legacy.Success != nil && !*legacy.Success {
		return "" // refused, including interface.php's refusals answered with 200
	}
	v, err := contractValidator(vt.doc)
	if err != nil {
		return err.Error()
	}
	contract.mu.Lock()
	defer contract.mu.Unlock()
	vreq := req.Clone(req.Context())
	if len(bytes.TrimSpace(body)) == 0 {
		vreq.Body = http.NoBody
		vreq.Header.Del("Content-Type")
	} else {
		vreq.Body = io.NopCloser(bytes.NewReader(body))
	}
	ok, errs := v.ValidateHttpRequestSync(vreq)
	if ok || undocumentedRoute(errs) {
		return ""
	}
	return describe(errs)
}

// isUnroutedAnswer tells echo's answers for unknown routes, which by
// definition are in no operation of the document.
func isUnroutedAnswer(resp *http.Response, raw []byte) bool {
	var p api.Problem
	if json.Unmarshal(raw, &p) != nil {
		return false
	}
	return resp.StatusCode == http.StatusNotFound && p.Code == "route-not-found" ||
		resp.StatusCode == http.StatusMethodNotAllowed && p.Code == "method-not-allowed"
}

func describe[E interface{ Error() string }](errs []E) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "- %s", e.Error())
		if ve, ok := any(e).(interface{ SchemaErrors() []string }); ok {
			for _, s := range ve.SchemaErrors() {
				fmt.Fprintf(&b, "\n    %s", s)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func truncate(raw []byte) string {
	if len(raw) > 600 {
		return string(raw[:600]) + "..."
	}
	return string(raw)
}

// TestOpenAPIDocumentsEveryRoute: every route echo serves is in the
// document and every documented route is served, so registering a route
// without documenting it (or the reverse) fails here.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	l := start(t)
	served := map[string]bool{}
	for _, r := range l.node.Server.Routes() {
		if r.Method == "echo_route_not_found" || strings.HasSuffix(r.Path, "/*") {
			continue // echo's own catch-all routes of groups
		}
		served[r.Method+" "+r.Path] = true
	}
	documented := map[string]bool{}
	for _, r := range l.node.Server.DocumentedRoutes() {
		documented[r.Method+" "+r.Path] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("route %s is served but not documented: register it with Server.doc(g) and an Op", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("route %s is documented but not served", k)
		}
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	a := l.want(l.do("GET", "/openapi.json", "", ""), 200, "")
	raw, _ := json.Marshal(a.body)
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	var inDoc []string
	for p, ops := range doc.Paths {
		for m := range ops {
			inDoc = append(inDoc, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(inDoc)
	if len(inDoc) != len(documented) {
		t.Fatalf("the document has %d operations, %d routes are documented: %v", len(inDoc), len(documented), inDoc)
	}
}

// TestOpenAPIRefusesUndocumentedAnswers proves the validating client
// catches drift: an answer with a code the route does not list fails.
func TestOpenAPIRefusesUndocumentedAnswers(t *testing.T) {
	l := start(t)
	v, err := contractValidator(l.node.Server.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", l.srv.URL+"/v1/me", nil)
	resp := &http.Response{StatusCode: 403, Header: http.Header{"Content-Type": {"application/problem+json"}}, Request: req,
		Body: io.NopCloser(strings.NewReader(`{"type":"x","title":"Forbidden","status":403,"code":"no-such-code"}`))}
	contract.mu.Lock()
	ok, _ := v.ValidateHttpResponse(req, resp)
	contract.mu.Unlock()
	if ok {
		t.Fatal("a 403 that /v1/me does not document passed validation")
	}
	resp = &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: req,
		Body: io.NopCloser(strings.NewReader(`{"position":1,"data":{"id":1,"email":"a@b.c","name":"x","memberships":[],"extra":1}}`))}
	contract.mu.Lock()
	ok, _ = v.ValidateHttpResponse(req, resp)
	contract.mu.Unlock()
	if ok {
		t.Fatal("an answer with an undocumented field passed validation")
	}
}
