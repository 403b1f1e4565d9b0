package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the ledger's Prometheus collectors in their own registry,
// so tests and several servers in one process do not collide.
type Metrics struct {
	reg        *prometheus.Registry
	commands   *prometheus.CounterVec
	batch      prometheus.Histogram
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	Head       prometheus.Gauge
	Projection prometheus.Gauge
	// asOfReplayed counts the events as-of builds replayed: with
	// snapshots, far fewer than positions asked for.
	asOfReplayed prometheus.Counter
	// ReadModelErrors counts the failures a read-model runner restarted
	// after, by model (memory, postgres).
	ReadModelErrors *prometheus.CounterVec
	// ReminderErrors counts the failed runs of the SSA reminder scheduler
	// and mail drainer.
	ReminderErrors prometheus.Counter
}

// NewMetrics registers the collectors.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.commands = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ledger_commands_total",
		Help: "Commands decided, by command type and outcome (ok or the error code)."}, []string{"command", "outcome"})
	m.batch = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ledger_commit_batch_commands",
		Help: "Commands per group commit.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ledger_http_requests_total",
		Help: "HTTP requests by method, route and status."}, []string{"method", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ledger_http_request_seconds",
		Help: "HTTP request latency by method and route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	m.Head = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ledger_log_head", Help: "Last durable log position."})
	m.Projection = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ledger_projection_position", Help: "Last position applied to the read models."})
	m.asOfReplayed = prometheus.NewCounter(prometheus.CounterOpts{Name: "ledger_asof_replayed_events_total",
		Help: "Events replayed to build read models of past positions (as_of, at)."})
	m.ReadModelErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ledger_read_model_errors_total",
		Help: "Failures a read-model runner restarted after (with backoff), by model."}, []string{"model"})
	m.ReminderErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "ledger_ssa_reminder_errors_total",
		Help: "Failed runs of the SSA reminder scheduler and mail drainer (each is retried)."})
	m.reg.MustRegister(m.commands, m.batch, m.requests, m.latency, m.Head, m.Projection, m.asOfReplayed,
		m.ReadModelErrors, m.ReminderErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// ObserveCommand is the writer's Observe hook.
func (m *Metrics) ObserveCommand(cmd, outcome string, batch int) {
	m.commands.WithLabelValues(cmd, outcome).Inc()
	m.batch.Observe(float64(batch))
}

func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := answerStatus(c, err)
		route := c.Path()
		m.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
		return err
	}
}
