// Package app wires a ledger node together: log, single writer, read
// models with their runner, and the HTTP server. The ledger binary and the
// end-to-end tests start nodes through it, so both run the same assembly.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/innolic/ledger/api"
	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/bolt"
	"github.com/innolic/ledger/eventstore/kurrentdb"
	"github.com/innolic/ledger/mail"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/projections/memory"
	"github.com/innolic/ledger/projections/postgres"
)

// StoreConfig says where the log lives.
type StoreConfig struct {
	DataDir   string // embedded log in DataDir/ledger.db (LogFile)
	Kurrent   string // KurrentDB connection string; replaces the embedded log
	NoSync    bool   // embedded log without fsync: benchmarks and tests only
	MmapBytes int    // initial memory map of the embedded log
	// ReadOnly opens the embedded log for reading only: nothing is created
	// or written (a missing log is an error), so it works on a read-only
	// file system and beside other readers. KurrentDB is only read anyway.
	ReadOnly bool
}

// LogFile is the file of the embedded log in the data directory dir.
func LogFile(dir string) string { return filepath.Join(dir, "ledger.db") }

// OpenStore opens the configured log.
func OpenStore(ctx context.Context, c StoreConfig) (eventstore.Store, error) {
	if c.Kurrent != "" {
		return kurrentdb.Open(ctx, c.Kurrent, kurrentdb.Options{})
	}
	if c.DataDir == "" {
		return nil, errors.New("no data directory configured")
	}
	if !c.ReadOnly {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return nil, err
		}
	}
	return bolt.Open(LogFile(c.DataDir), bolt.Options{NoSync: c.NoSync, InitialMmapSize: c.MmapBytes, ReadOnly: c.ReadOnly})
}

// Config is a node's configuration.
type Config struct {
	Store       eventstore.Store
	Catalog     *domain.Catalog
	AdminToken  string // bootstrap token for an empty log; empty: generated
	Logger      *slog.Logger
	BodyLimit   string
	Timeout     time.Duration
	MaxWait     time.Duration
	Clock       func() time.Time
	PostgresURL string
	// AsOfSnapshotEvery is the least spacing, in events, of as-of
	// snapshots (api.Config; 0: the default).
	AsOfSnapshotEvery uint64
	// Mail runs the SSA reminder scheduler and mail drainer; nil: off.
	Mail *mail.Config
	// RetryMin and RetryMax bound the backoff of the read-model runner
	// restarting after a failure (0: 100 ms and 30 s; tests shorten them).
	RetryMin, RetryMax time.Duration
	// Connection timeouts of the HTTP server (api.Config; zero: defaults).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// pastModel is the memory model as an as-of read model (its Clone
// answers the api type).
type pastModel struct{ *memory.Model }

func (m pastModel) Clone() api.ReadModel { return pastModel{m.Model.Clone()} }

// Node is a running ledger.
type Node struct {
	Store  eventstore.Store
	Writer *commands.Writer
	Model  *memory.Model // nil when queries are served from Postgres
	// Postgres holds the read models when Config.PostgresURL is set.
	Postgres *postgres.DB
	Runner   *projections.Runner
	Server   *api.Server
	// AdminToken is set when this start bootstrapped an empty log: the
	// vendor administrator's token, to be shown once.
	AdminToken string

	cancel context.CancelFunc
	done   chan error
}

// Start replays the log, bootstraps an empty one, starts the read-model
// runner and builds the HTTP server (not yet listening).
func Start(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Default()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := cfg.apiConfig().Validate(); err != nil {
		return nil, err
	}
	metrics := api.NewMetrics()
	w, err := commands.Open(ctx, cfg.Store, cfg.Catalog, commands.Options{Clock: cfg.Clock, Logger: cfg.Logger,
		Observe: metrics.ObserveCommand})
	if err != nil {
		return nil, fmt.Errorf("replaying the log: %w", err)
	}
	n := &Node{Store: cfg.Store, Writer: w, Model: memory.New(cfg.Catalog), done: make(chan error, 1)}
	if n.AdminToken, err = bootstrap(ctx, cfg, w); err != nil {
		w.Close()
		return nil, err
	}
	var reader projections.Reader = n.Model
	var proj projections.Projection = n.Model
	model := "memory"
	if cfg.PostgresURL != "" {
		// Queries come from Postgres; the writer's own state stays in memory.
		if reader, proj, err = n.openPostgres(ctx, cfg); err != nil {
			w.Close()
			return nil, err
		}
		model = "postgres"
	}
	failures := metrics.ReadModelErrors.WithLabelValues(model) // listed at 0 from the start
	n.Runner = projections.NewRunner(cfg.Store, proj, projections.RunnerOptions{Model: model, Logger: cfg.Logger,
		Failed: func(error) { failures.Inc() }, MinBackoff: cfg.RetryMin, MaxBackoff: cfg.RetryMax})
	var reminders *mail.Drainer
	if cfg.Mail != nil {
		reminders = n.drainer(cfg, reader, metrics)
	}
	ac := cfg.apiConfig()
	ac.Writer, ac.Reader, ac.Runner, ac.Metrics = w, reader, n.Runner, metrics
	ac.NewReadModel = func() api.ReadModel { return pastModel{memory.New(cfg.Catalog)} }
	ac.Warnings = func() []string { return warnings(reminders) }
	n.Server = api.New(ac)
	rctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() { n.done <- n.Runner.Run(rctx) }()
	go n.watch(rctx, metrics)
	if reminders != nil {
		go n.remind(rctx, cfg, reminders)
	}
	go func() {
		if err := n.Server.WaitCaughtUp(rctx); err == nil {
			cfg.Logger.Info("read models caught up", "position", n.Runner.Position())
		}
	}()
	return n, nil
}

// drainer prepares the SSA reminder scheduler and mail drainer: its
// failures are logged and counted, and /readyz lists them (warnings).
func (n *Node) drainer(cfg Config, outbox mail.Outbox, m *api.Metrics) *mail.Drainer {
	return &mail.Drainer{Outbox: outbox, Writer: n.Writer, Sender: mail.NewSender(cfg.Mail.SMTP, cfg.Logger), As: mail.System,
		Logger: cfg.Logger, WaitFor: n.Runner.WaitFor, MaxWait: cfg.Mail.MaxWait, RetryMin: cfg.Mail.RetryMin,
		Failed: func(error) { m.ReminderErrors.Inc() }, Daily: mail.RentalDaily}
}

// apiConfig is the part of the HTTP server's configuration the node's
// configuration holds; Start adds the writer, the read models and metrics.
func (cfg Config) apiConfig() api.Config {
	return api.Config{Store: cfg.Store, Logger: cfg.Logger, BodyLimit: cfg.BodyLimit, Timeout: cfg.Timeout, MaxWait: cfg.MaxWait,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout, ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout,
		IdleTimeout: cfg.IdleTimeout, Clock: cfg.Clock, AsOfSnapshotEvery: cfg.AsOfSnapshotEvery}
}

// remind runs the SSA reminder scheduler and drains the outbox into the
// configured mail sender (SMTP, or the log) until the node closes.
func (n *Node) remind(ctx context.Context, cfg Config, d *mail.Drainer) {
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	if err := d.Run(ctx, cfg.Mail.Every, clock); !errors.Is(err, context.Canceled) {
		cfg.Logger.Error("ssa reminders stopped", "err", err)
	}
}

// warnings are the failures /readyz names without answering 503.
func warnings(reminders *mail.Drainer) []string {
	if reminders == nil {
		return nil
	}
	if err := reminders.Health(); err != nil {
		return []string{"ssa reminders failing: " + err.Error()}
	}
	return nil
}

// watch keeps the position gauges current.
func (n *Node) watch(ctx context.Context, m *api.Metrics) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if h, err := n.Store.Head(ctx); err == nil {
				m.Head.Set(float64(h.Seq))
			}
			m.Projection.Set(float64(n.Runner.Position()))
		}
	}
}

// bootstrap creates the vendor administrator on an empty log.
func bootstrap(ctx context.Context, cfg Config, w *commands.Writer) (string, error) {
	h, err := cfg.Store.Head(ctx)
	if err != nil || h.Seq > 0 {
		return "", err
	}
	secret, id, hash := api.NewToken()
	if cfg.AdminToken != "" {
		secret, id, hash = cfg.AdminToken, api.TokenID(cfg.AdminToken), api.HashToken(cfg.AdminToken)
	}
	res, err := w.Submit(ctx, commands.Request{ID: "bootstrap", Actor: eventstore.Actor{Channel: eventstore.ChannelSystem},
		Command: domain.Bootstrap{Email: "admin@vendor.invalid", Name: "Vendor administrator", TokenID: id, TokenHash: hash}})
	if bootstrappedElsewhere(res, err) {
		// Another node started on the same empty log and bootstrapped it
		// first: its token is the administrator's, this one was never stored.
		cfg.Logger.Info("the log was bootstrapped by another node; no administrator token issued here")
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("bootstrapping the ledger: %w", err)
	}
	return secret, nil
}

// bootstrappedElsewhere tells a bootstrap that lost the race for an empty
// log: it found the command id written with another token (a conflict),
// or with the same one (replayed), or persons already registered.
func bootstrappedElsewhere(res commands.Result, err error) bool {
	if err == nil {
		return res.Replayed
	}
	var de *domain.Error
	return errors.As(err, &de) && (de.Code == "idempotency-key-reused" || de.Code == "already-initialized")
}

// Close stops the writer after the queued commands, then the runner. The
// store is the caller's to close.
func (n *Node) Close() {
	n.Writer.Close()
	n.cancel()
	<-n.done
	if n.Postgres != nil {
		n.Postgres.Close()
	}
}
