// Package api is the ledger's HTTP interface (echo/v4): the JSON API the
// portal backend calls (every screen a query, every button a command),
// bearer-token authentication, RFC 9457 problem+json errors with stable
// codes, health, readiness and Prometheus metrics.
package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
)

// Config wires the server to the ledger.
type Config struct {
	Writer  *commands.Writer
	Reader  projections.Reader
	Runner  *projections.Runner
	Store   eventstore.Store
	Metrics *Metrics
	Logger  *slog.Logger
	// BodyLimit is the largest request body, e.g. "1M" (default).
	BodyLimit string
	// Timeout bounds each request's handling (default 30s).
	Timeout time.Duration
	// MaxWait bounds how long ?after= waits for the read models (default 5s).
	MaxWait time.Duration
	// Connection timeouts of the http.Server (http_server.go): the request
	// line and headers, the whole request, the answer (from the end of the
	// headers) and an idle kept-alive connection. Zero: the defaults
	// there; Validate checks they fit Timeout and MaxWait.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Clock is the time source for request handling (default time.Now).
	Clock func() time.Time
	// NewReadModel returns an empty read model for as-of queries to
	// replay the log into (asof.go); nil: as_of and at answer 501.
	NewReadModel func() ReadModel
	// AsOfSnapshotEvery is the least spacing, in events, of the snapshots
	// as-of builds take (asof.go; default 10,000).
	AsOfSnapshotEvery uint64
	// Warnings, when set, lists the failures of background loops that do
	// not make the node unfit for traffic (the SSA mail drainer: a relay
	// down must not take every node out of the load balancer); /readyz
	// names them in its 200 answer.
	Warnings func() []string
}

// Server is the HTTP interface.
type Server struct {
	*echo.Echo
	cfg   Config
	log   *slog.Logger
	ready atomic.Bool
	// ops are the documented routes; openapi is their document (openapi.go).
	ops     []documented
	openapi []byte
	past    asOf // read models of past positions (asof.go)
	// signed are the interface.php calls with ts already accepted.
	signed signedCalls
}

// New builds the server with every route registered.
func New(cfg Config) *Server {
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "1M"
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	cfg = cfg.withTimeoutDefaults()
	if cfg.AsOfSnapshotEvery == 0 {
		cfg.AsOfSnapshotEvery = 10_000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	s := &Server{Echo: echo.New(), cfg: cfg, log: cfg.Logger, past: asOf{every: cfg.AsOfSnapshotEvery}}
	e := s.Echo
	e.HideBanner, e.HidePort = true, true
	// Behind a proxy the deployment decides whom to trust; by default the
	// peer address is the client (echo v4 would otherwise trust
	// X-Forwarded-For from anyone).
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.errorHandler
	e.JSONSerializer = compactJSON{}
	s.configureHTTPServer()
	e.Use(middleware.RequestID())
	e.Use(s.logRequests)
	e.Use(s.cfg.Metrics.middleware)
	e.Use(middleware.Recover())
	e.Use(middleware.BodyLimit(cfg.BodyLimit))
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: cfg.Timeout}))
	s.routes()
	doc, err := buildOpenAPI(s.ops)
	if err != nil {
		// A route documented with types that cannot be reflected is a
		// programming error, like a bad regexp: every test shows it.
		panic("api: building the OpenAPI document: " + err.Error())
	}
	s.openapi = doc
	return s
}

// MarkReady makes /readyz answer 200: the read models have caught up with
// the log as it was at start.
func (s *Server) MarkReady() { s.ready.Store(true) }

func (s *Server) routes() {
	r := s.doc(s.Echo)
	r.GET("/healthz", Op{Summary: "Liveness", Public: true, Tag: "operations", Answer: status{}},
		func(c echo.Context) error { return c.JSON(http.StatusOK, status{Status: "ok"}) })
	r.GET("/readyz", Op{Summary: "Readiness: the read models caught up with the log as it was at start", Public: true,
		Tag: "operations", Answer: status{}, Errors: Errs{503: {"catching-up", "log-degraded", "read-model-failed"}}}, s.readyz)
	r.GET("/metrics", Op{Summary: "Prometheus metrics", Public: true, Tag: "operations", Answer: "", ContentType: "text/plain"},
		echo.WrapHandler(s.cfg.Metrics.Handler()))
	r.GET("/openapi.json", Op{Summary: "This OpenAPI 3.1 document", Public: true, Tag: "operations", Answer: map[string]any{}},
		s.serveOpenAPI)
	// Authentication wraps each route (router.add) rather than the group:
	// group middleware makes echo add catch-all routes that answer 404
	// where a route exists for another method (405 with Allow).
	v1 := s.Group("/v1")
	s.personRoutes(v1)
	s.companyRoutes(v1)
	s.keyRoutes(v1)
	s.deviceRoutes(v1)
	s.licenseRoutes(v1)
	s.orgRoutes(v1)
	s.ssaRoutes(v1)
	s.historyRoutes(v1)
	s.searchRoutes(v1)
	s.rentalRoutes(v1)
	s.interfaceRoutes()
	s.csvRoutes()
}

// status is the answer of /healthz and /readyz.
type status struct {
	Status   string   `json:"status"`
	Position uint64   `json:"position,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

func (s *Server) readyz(c echo.Context) error {
	if !s.ready.Load() {
		// A catch-up that fails says why rather than "catching up".
		if err := s.cfg.Runner.Health(); err != nil {
			return &domain.Error{Kind: domain.KindUnavailable, Code: "read-model-failed", Detail: err.Error()}
		}
		return &domain.Error{Kind: domain.KindUnavailable, Code: "catching-up",
			Detail: fmt.Sprintf("the read models are at position %d, catching up with the log", s.cfg.Runner.Position())}
	}
	// A log that failed a commit and is recovering, or a read model whose
	// runner stopped on an error and is restarting, makes the node unfit
	// for traffic even though it once caught up.
	if h, ok := s.cfg.Store.(eventstore.HealthReporter); ok {
		if err := h.Health(); err != nil {
			return &domain.Error{Kind: domain.KindUnavailable, Code: "log-degraded", Detail: err.Error()}
		}
	}
	if err := s.cfg.Runner.Health(); err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Code: "read-model-failed", Detail: err.Error()}
	}
	st := status{Status: "ready", Position: s.cfg.Runner.Position()}
	if s.cfg.Warnings != nil {
		st.Warnings = s.cfg.Warnings()
	}
	return c.JSON(http.StatusOK, st)
}

// WaitCaughtUp blocks until the read models reach the log head as it is
// now, then marks the server ready.
func (s *Server) WaitCaughtUp(ctx context.Context) error {
	h, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return err
	}
	if err := s.cfg.Runner.WaitFor(ctx, h.Seq); err != nil {
		return err
	}
	s.MarkReady()
	return nil
}

// compactJSON writes JSON without indentation and without HTML escaping.
type compactJSON struct{}

func (compactJSON) Serialize(c echo.Context, i any, _ string) error {
	return jsonEncode(c.Response(), i)
}

func (compactJSON) Deserialize(c echo.Context, i any) error {
	return json.NewDecoder(c.Request().Body).Decode(i)
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
