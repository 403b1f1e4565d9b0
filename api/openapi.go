package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi31"
)

// Op documents one route for the OpenAPI document. Every route is
// registered through a documented router (Server.doc), which records its Op
// next to the echo registration, so a route cannot be served without being
// in the document, and the request and answer schemas are reflected from
// the same Go types the handler decodes and encodes.
type Op struct {
	// Summary is the one-line description shown in the document.
	Summary string
	// Description is optional longer text (CommonMark).
	Description string
	// Tag groups the operation (e.g. "organization"); default: derived
	// from the path's first segment.
	Tag string
	// Body is a value of the JSON request body type (nil: no body).
	Body any
	// Params is a value of a struct whose fields carry `query:"name"`,
	// `header:"Name"` or `path:"name"` tags, for parameters beyond the ones
	// added by convention (path parameters, after/as_of/at on queries,
	// Idempotency-Key on commands).
	Params any
	// Status is the success status (default 200).
	Status int
	// Answer is a value of the success answer type. Queries use
	// QueryOf[T]{}: every query answer is {"position", "data"}.
	Answer any
	// ContentType of the success answer (default application/json).
	ContentType string
	// Errors lists the problem codes the route may answer, by status. The
	// conventional ones (authentication, ?after=, as-of, bodies,
	// idempotency, path parameters, 5xx) are added automatically.
	Errors Errs
	// Public routes need no bearer token.
	Public bool
	// Legacy routes answer every refusal in their own form, not as
	// problem+json (interface.php): they check their parameters' text
	// themselves.
	Legacy bool
}

// Errs maps an HTTP status to the stable problem codes answered with it.
type Errs map[int][]string

// merge returns the union of several code lists.
func merge(all ...Errs) Errs {
	out := Errs{}
	for _, e := range all {
		for st, codes := range e {
			for _, c := range codes {
				if !slices.Contains(out[st], c) {
					out[st] = append(out[st], c)
				}
			}
		}
	}
	return out
}

// Reusable problem sets of the common access checks.
var (
	// ErrsCompanyRead are the refusals of State.CanRead.
	ErrsCompanyRead = Errs{403: {"not-member", "person-locked"}, 404: {"company-not-found"}}
	// ErrsProjectRead add the unknown project to ErrsCompanyRead.
	ErrsProjectRead = merge(ErrsCompanyRead, Errs{404: {"project-not-found"}})
	// ErrsLicense are the refusals of State.CanLicense.
	ErrsLicense = merge(ErrsCompanyRead, Errs{403: {"no-right"}})
	// ErrsAdmin are the refusals of State.IsAdministrator.
	ErrsAdmin = merge(ErrsCompanyRead, Errs{403: {"not-administrator"}})
)

// QueryOf documents the answer of a query whose data is a T. It is the
// typed form of QueryAnswer, used only for reflection.
type QueryOf[T any] struct {
	Position uint64 `json:"position" description:"the log position the answer reflects"`
	Data     T      `json:"data"`
}

// router registers routes on an echo router and documents each one.
type router struct {
	s *Server
	e interface {
		Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	}
}

// doc returns the documented router of g (an *echo.Group or the
// *echo.Echo itself): the only way routes are registered.
func (s *Server) doc(g interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}) router {
	return router{s: s, e: g}
}

// GET registers and documents a GET route.
func (r router) GET(path string, op Op, h echo.HandlerFunc) { r.add(http.MethodGet, path, op, h) }

// POST registers and documents a POST route.
func (r router) POST(path string, op Op, h echo.HandlerFunc) { r.add(http.MethodPost, path, op, h) }

// PUT registers and documents a PUT route.
func (r router) PUT(path string, op Op, h echo.HandlerFunc) { r.add(http.MethodPut, path, op, h) }

// PATCH registers and documents a PATCH route.
func (r router) PATCH(path string, op Op, h echo.HandlerFunc) { r.add(http.MethodPatch, path, op, h) }

// DELETE registers and documents a DELETE route.
func (r router) DELETE(path string, op Op, h echo.HandlerFunc) { r.add(http.MethodDelete, path, op, h) }

func (r router) add(method, path string, op Op, h echo.HandlerFunc) {
	if !op.Legacy {
		h = limitsOf(op).checkParams(h)
	}
	if !op.Public {
		h = r.s.authenticate(h)
	}
	rt := r.e.Add(method, path, h)
	r.s.ops = append(r.s.ops, documented{Method: method, Path: rt.Path, Op: op})
}

// documented is one registered route with its Op.
type documented struct {
	Method string
	Path   string // echo form, /v1/companies/:company
	Op     Op
}

// DocumentedRoute names a route of the OpenAPI document in echo's form
// (":param"), for the tests that compare it with echo's routes.
type DocumentedRoute struct{ Method, Path string }

// DocumentedRoutes lists the routes registered through the documented
// router.
func (s *Server) DocumentedRoutes() []DocumentedRoute {
	out := make([]DocumentedRoute, 0, len(s.ops))
	for _, d := range s.ops {
		out = append(out, DocumentedRoute{d.Method, d.Path})
	}
	return out
}

// OpenAPI returns the OpenAPI 3.1 document of every documented route, as
// JSON. It is built once, when the server is built.
func (s *Server) OpenAPI() []byte { return s.openapi }

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// openapiPath turns echo's /a/:b into OpenAPI's /a/{b}.
func openapiPath(p string) string { return echoParam.ReplaceAllString(p, "{$1}") }

// integerParams are path parameters that are numeric ids (parsed with
// idParam); every other path parameter is a string.
var integerParams = map[string]bool{"company": true, "person": true, "project": true}

// buildOpenAPI reflects the document from the recorded routes.
func buildOpenAPI(ops []documented) ([]byte, error) {
	r := openapi31.NewReflector()
	r.DefaultOptions = append(r.DefaultOptions, strictObjects, jsonschema.InterceptDefName(defName))
	r.Spec.Info.WithTitle("License ledger API").WithVersion("1").WithDescription(apiDescription)
	r.Spec.SetHTTPBearerTokenSecurity("bearer", "opaque", "a token issued by POST /v1/persons/{person}/tokens")
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	for _, d := range ops {
		if err := addOperation(r, d); err != nil {
			return nil, fmt.Errorf("%s %s: %w", d.Method, d.Path, err)
		}
	}
	return json.Marshal(r.Spec)
}

func addOperation(r *openapi31.Reflector, d documented) error {
	oc, err := r.NewOperationContext(d.Method, openapiPath(d.Path))
	if err != nil {
		return err
	}
	oc.SetSummary(d.Op.Summary)
	oc.SetDescription(d.Op.Description)
	oc.SetID(operationID(d.Method, d.Path))
	oc.SetTags(tagOf(d.Op, d.Path))
	if !d.Op.Public {
		oc.AddSecurity("bearer")
	}
	isQuery := d.Method == http.MethodGet && !d.Op.Public
	documentRequest(oc, d, isQuery)
	documentResponses(oc, d, isQuery)
	return r.AddOperation(oc)
}

// documentRequest adds the parameters and the body: the path's, the
// route's own, and the conventional ones of queries and commands.
func documentRequest(oc openapi.OperationContext, d documented, isQuery bool) {
	if p := pathParams(d.Path, d.Op.Params); p != nil {
		oc.AddReqStructure(p)
	}
	if d.Op.Params != nil {
		oc.AddReqStructure(d.Op.Params)
	}
	switch {
	case isQuery:
		oc.AddReqStructure(new(consistencyParams))
	case d.Method != http.MethodGet:
		oc.AddReqStructure(new(commandHeaders))
	}
	if d.Op.Body != nil {
		oc.AddReqStructure(d.Op.Body, openapi.WithContentType("application/json"))
	}
}

// documentResponses adds the success answer with its headers and one
// problem+json answer per error status.
func documentResponses(oc openapi.OperationContext, d documented, isQuery bool) {
	status, ct := d.Op.Status, d.Op.ContentType
	if status == 0 {
		status = http.StatusOK
	}
	if ct == "" {
		ct = echo.MIMEApplicationJSON
	}
	oc.AddRespStructure(d.Op.Answer, openapi.WithHTTPStatus(status), openapi.WithContentType(ct))
	switch {
	case isQuery:
		oc.AddRespStructure(new(queryHeaders), openapi.WithHTTPStatus(status))
	case d.Method != http.MethodGet && !d.Op.Public:
		oc.AddRespStructure(new(commandAnswerHeaders), openapi.WithHTTPStatus(status))
	}
	errs := merge(d.Op.Errors, conventionalErrors(d.Method, d.Path, d.Op, isQuery))
	statuses := make([]int, 0, len(errs))
	for st := range errs {
		statuses = append(statuses, st)
	}
	sort.Ints(statuses)
	for _, st := range statuses {
		oc.AddRespStructure(new(Problem), openapi.WithHTTPStatus(st), openapi.WithContentType("application/problem+json"),
			problemResponse(errs[st]))
	}
}

// conventionalErrors are the problems every route of a kind may answer.
func conventionalErrors(method, path string, op Op, isQuery bool) Errs {
	e := Errs{500: {"internal"}, 503: {"request-timeout", "shutting-down", "log-unavailable", "append-conflict"}}
	if !op.Public {
		e = merge(e, Errs{401: {"not-authenticated"}})
	}
	if !op.Legacy {
		e = merge(e, Errs{400: {"invalid-text"}})
	}
	for _, m := range echoParam.FindAllStringSubmatch(path, -1) {
		if integerParams[m[1]] {
			e = merge(e, Errs{400: {"invalid-" + m[1]}})
		}
	}
	if isQuery {
		e = merge(e, Errs{400: {"invalid-after", "invalid-as-of", "invalid-at", "invalid-cursor"},
			404: {"position-not-found"}, 503: {"read-model-failed"}, 504: {"position-not-reached"}})
	}
	if method != http.MethodGet {
		e = merge(e, Errs{400: {"invalid-json", "invalid-body", "invalid-idempotency-key"},
			409: {"idempotency-key-reused"}, 413: {"body-too-large"}})
	}
	return e
}

// consistencyParams are accepted by every query (see Server.query).
type consistencyParams struct {
	After       uint64 `query:"after" description:"wait (bounded) until the read models reached this log position: read-your-writes after a command"`
	LedgerAfter uint64 `header:"Ledger-After" description:"header form of after"`
	AsOf        string `query:"as_of" format:"date-time" maxLength:"64" description:"answer from the state as of this time (RFC 3339): the last position written at or before it"`
	At          uint64 `query:"at" description:"answer from the state at this log position"`
}

// commandHeaders are accepted by every command.
type commandHeaders struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" description:"the command id: a retry with the same key and body returns the first answer and writes nothing"`
}

// queryHeaders are the headers of every query answer.
type queryHeaders struct {
	Position uint64 `header:"Ledger-Position" description:"the log position the answer reflects"`
}

// commandAnswerHeaders are the headers of every command answer.
type commandAnswerHeaders struct {
	Position       uint64 `header:"Ledger-Position" description:"the log position of the command's last event"`
	IdempotencyKey string `header:"Idempotency-Key" description:"the command id, given or generated"`
}

// pathParams builds, by reflection, a struct documenting the path's
// parameters that params does not already declare.
func pathParams(path string, params any) any {
	declared := map[string]bool{}
	if params != nil {
		t := reflect.TypeOf(params)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		for i := range t.NumField() {
			if n := t.Field(i).Tag.Get("path"); n != "" {
				declared[n] = true
			}
		}
	}
	var fields []reflect.StructField
	for i, m := range echoParam.FindAllStringSubmatch(path, -1) {
		name := m[1]
		if declared[name] {
			continue
		}
		f := reflect.StructField{Name: fmt.Sprintf("P%d", i), Type: reflect.TypeFor[string](),
			Tag: reflect.StructTag(`path:"` + name + `" maxLength:"` + strconv.Itoa(maxPathParam) + `"`)}
		if integerParams[name] {
			f.Type = reflect.TypeFor[int64]()
			f.Tag = reflect.StructTag(`path:"` + name + `" minimum:"1"`)
		}
		fields = append(fields, f)
	}
	if len(fields) == 0 {
		return nil
	}
	return reflect.New(reflect.StructOf(fields)).Interface()
}

// problemResponse documents the problem+json answer of one status: the
// shared Problem schema narrowed to the codes the route may answer with it,
// so a test answering an undocumented code fails validation.
func problemResponse(codes []string) openapi.ContentOption {
	codes = slices.Clone(codes)
	sort.Strings(codes)
	return openapi.WithCustomize(func(cor openapi.ContentOrReference) {
		rr, ok := cor.(*openapi31.ResponseOrReference)
		if !ok || rr.Response == nil {
			return
		}
		for ct, mt := range rr.Response.Content {
			mt.Schema = map[string]any{"allOf": []any{mt.Schema,
				map[string]any{"properties": map[string]any{"code": map[string]any{"enum": codes}}}}}
			rr.Response.Content[ct] = mt
		}
		rr.Response.Description = "problem: " + strings.Join(codes, ", ")
	})
}

// strictObjects makes every object schema list the fields that are always
// written (no omitempty) as required and refuse other properties, so an
// answer that drifted from its documented type fails validation. It
// documents the text rules of the strict body check too (body_schema.go):
// maxLength of a string list caps its items, and multi-line fields say so.
func strictObjects(rc *jsonschema.ReflectContext) {
	jsonschema.InterceptProp(func(p jsonschema.InterceptPropParams) error {
		if !p.Processed || p.ParentSchema == nil {
			return nil
		}
		documentText(p.Field, p.PropertySchema)
		tag := p.Field.Tag.Get("json")
		if tag == "-" || strings.Contains(tag, ",omitempty") || strings.Contains(tag, ",omitzero") {
			return nil
		}
		if p.Field.Tag.Get("query") != "" || p.Field.Tag.Get("header") != "" || p.Field.Tag.Get("path") != "" {
			return nil
		}
		if !slices.Contains(p.ParentSchema.Required, p.Name) {
			p.ParentSchema.Required = append(p.ParentSchema.Required, p.Name)
		}
		return nil
	})(rc)
	jsonschema.InterceptSchema(func(p jsonschema.InterceptSchemaParams) (bool, error) {
		if p.Processed && p.Schema.HasType(jsonschema.Object) && len(p.Schema.Properties) > 0 && p.Value.Kind() == reflect.Struct {
			p.Schema.WithAdditionalProperties(jsonschema.SchemaOrBool{TypeBoolean: new(false)})
		}
		return false, nil
	})(rc)
}

// documentText moves the maxLength of a string list onto its items (an
// array has no length of characters) and notes multi-line text.
func documentText(f reflect.StructField, ps *jsonschema.Schema) {
	if ps == nil {
		return
	}
	if ps.MaxLength != nil && ps.Items != nil && ps.Items.SchemaOrBool != nil && ps.Items.SchemaOrBool.TypeObject != nil {
		ps.Items.SchemaOrBool.TypeObject.MaxLength, ps.MaxLength = ps.MaxLength, nil
	}
	if f.Tag.Get("text") == "multiline" {
		note := "Multi-line text: tab and newline allowed, other control characters refused."
		if ps.Description != nil && *ps.Description != "" {
			note = *ps.Description + ". " + note
		}
		ps.WithDescription(note)
	}
}

// defName shortens reflected definition names: the module path and the
// api package prefix go (QueryOfGithubComInnolicLedgerProjectionsPersonView
// becomes QueryOfProjectionsPersonView, ApiProblem becomes Problem).
func defName(_ reflect.Type, def string) string {
	def = strings.ReplaceAll(def, "GithubComInnolicLedger", "")
	return strings.TrimPrefix(def, "Api")
}

func operationID(method, path string) string {
	p := strings.NewReplacer("/v1/", "", "/", "_", ":", "by_", "-", "_", ".", "_").Replace(path)
	return strings.ToLower(method) + "_" + strings.Trim(p, "_")
}

func tagOf(op Op, path string) string {
	if op.Tag != "" {
		return op.Tag
	}
	seg := strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "/v1"), "/"), "/")
	return seg[0]
}

// serveOpenAPI answers the document; it needs no token so that tools and
// the portal's build can fetch the contract.
func (s *Server) serveOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", s.openapi)
}

const apiDescription = `The JSON API of the license ledger, the backend of the licensing portal.

Conventions:
- Resources live under /v1; ids are small positive integers, except activation key codes and MACs.
- Errors are RFC 9457 problem+json documents with a stable "code" that clients match on; each operation lists the codes it may answer per status.
- Every command answer carries the "position" written (also in the Ledger-Position header); every query answer is {"position", "data"}.
- Read-your-writes: pass ?after=<position> (or Ledger-After) to a query; it waits, bounded, and answers 504 position-not-reached otherwise, or 503 read-model-failed with the reason while the read models are failing and restarting.
- Positions replace ETags: a position names the state an answer reflects.
- As-of: every query accepts as_of (RFC 3339 time) or at (log position) and answers from the state at that point.
- Commands accept Idempotency-Key; a retry with the same key and body returns the first answer, replayed, and writes nothing.
- Lists that can grow without bound use cursor pagination: pass the "next" cursor of an answer as ?cursor= to get the following page.
- Bodies are held to their schema before they are decoded: a required property left out, null where the schema does not allow it, a key in another case, a key twice or an unknown key is 400 invalid-body naming the field; malformed JSON is 400 invalid-json.
- Text (body strings, query and path parameters) is valid UTF-8 without control characters (U+0000-U+001F, U+007F-U+009F; multi-line fields, so described, allow tab and newline) and at most its maxLength characters, else 400 invalid-text. Dates (YYYY-MM-DD) lie from 1970-01-02 to 2262-04-11, else 400 invalid-date.
- A method a path does not take is 405 method-not-allowed, with Allow listing those it takes.`
