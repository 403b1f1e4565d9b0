package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/mail"
)

type serveCmd struct {
	storeFlags
	Addr            string        `env:"LEDGER_ADDR" default:"127.0.0.1:8080" help:"Listen address."`
	AdminToken      string        `name:"admin-token" env:"LEDGER_ADMIN_TOKEN" help:"Vendor administrator token created on first start, at least 32 characters (default: generated and printed once)."`
	PostgresURL     string        `name:"postgres-url" env:"LEDGER_POSTGRES_URL" help:"Serve queries from Postgres read models (postgres://...; schema: the URL's search_path, default ledger), kept by this node; memory otherwise."`
	BodyLimit       string        `name:"body-limit" env:"LEDGER_BODY_LIMIT" default:"1M" help:"Largest request body."`
	RequestTimeout  time.Duration `name:"request-timeout" env:"LEDGER_REQUEST_TIMEOUT" default:"30s" help:"Bound on handling one request."`
	MaxWait         time.Duration `name:"max-wait" env:"LEDGER_MAX_WAIT" default:"5s" help:"Bound on waiting for ?after= positions (shorter than --request-timeout)."`
	ShutdownTimeout time.Duration `name:"shutdown-timeout" env:"LEDGER_SHUTDOWN_TIMEOUT" default:"30s" help:"Time in-flight requests get to finish on SIGTERM."`
	LogFormat       string        `name:"log-format" env:"LEDGER_LOG_FORMAT" enum:"text,json" default:"text" help:"Log format (text or json)."`
	LogLevel        string        `name:"log-level" env:"LEDGER_LOG_LEVEL" enum:"debug,info,warn,error" default:"info" help:"Least level logged (debug, info, warn, error); every request is logged at info, failed ones (5xx) at error."`
	httpTimeouts
	mailFlags
}

// httpTimeouts bound a client's connection (api.Config): a client that
// sends its headers slowly is cut off, and an answer is never cut off
// while its command may still become durable (Validate).
type httpTimeouts struct {
	ReadHeaderTimeout time.Duration `name:"read-header-timeout" env:"LEDGER_READ_HEADER_TIMEOUT" default:"5s" help:"Bound on reading a request's line and headers."`
	ReadTimeout       time.Duration `name:"read-timeout" env:"LEDGER_READ_TIMEOUT" default:"30s" help:"Bound on reading a whole request, body included."`
	WriteTimeout      time.Duration `name:"write-timeout" env:"LEDGER_WRITE_TIMEOUT" default:"0s" help:"Bound from the end of a request's headers to the end of its answer; must exceed --read-timeout plus --request-timeout (0: their sum plus 30s)."`
	IdleTimeout       time.Duration `name:"idle-timeout" env:"LEDGER_IDLE_TIMEOUT" default:"120s" help:"Bound on an idle kept-alive connection."`
}

// MinAdminTokenLength is the shortest administrator token accepted: the
// token is the vendor's master key, and a short one can be guessed.
const MinAdminTokenLength = 32

// mailFlags configure the SSA expiry reminders (scheduler and mail drainer).
type mailFlags struct {
	SSAReminders time.Duration `name:"ssa-reminders" env:"LEDGER_SSA_REMINDERS" default:"1h" help:"Interval of the daily scheduler (SSA reminders, rental charges, rental expiry mails) and the mail drainer (0: off)."`
	SMTPHost     string        `name:"smtp-host" env:"LEDGER_SMTP_HOST" help:"SMTP relay for SSA reminders (empty: reminders are only logged)."`
	SMTPPort     int           `name:"smtp-port" env:"LEDGER_SMTP_PORT" default:"587" help:"SMTP relay port."`
	SMTPUser     string        `name:"smtp-user" env:"LEDGER_SMTP_USER" help:"SMTP user (empty: no authentication)."`
	SMTPPassword string        `name:"smtp-password" env:"LEDGER_SMTP_PASSWORD" help:"SMTP password."`
	SMTPFrom     string        `name:"smtp-from" env:"LEDGER_SMTP_FROM" default:"ledger@localhost" help:"Sender address of SSA reminders."`
}

// config is the node's mail configuration, nil when reminders are off.
func (f mailFlags) config() *mail.Config {
	if f.SSAReminders <= 0 {
		return nil
	}
	return &mail.Config{Every: f.SSAReminders, SMTP: mail.SMTPConfig{Host: f.SMTPHost, Port: f.SMTPPort, Username: f.SMTPUser,
		Password: f.SMTPPassword, From: f.SMTPFrom}}
}

func (c *serveCmd) Run() error {
	if n := len([]rune(c.AdminToken)); n > 0 && n < MinAdminTokenLength {
		return fmt.Errorf("--admin-token (LEDGER_ADMIN_TOKEN) has %d characters; it must have at least %d", n, MinAdminTokenLength)
	}
	log := newLogger(c.LogFormat, c.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	cat, store, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	node, err := app.Start(ctx, app.Config{Store: store, Catalog: cat, AdminToken: c.AdminToken, Logger: log,
		BodyLimit: c.BodyLimit, Timeout: c.RequestTimeout, MaxWait: c.MaxWait, ReadHeaderTimeout: c.ReadHeaderTimeout,
		ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout, IdleTimeout: c.IdleTimeout,
		PostgresURL: c.PostgresURL, Mail: c.mailFlags.config()})
	if err != nil {
		return err
	}
	if node.AdminToken != "" && c.AdminToken == "" {
		fmt.Printf("Vendor administrator token (shown once, store it now):\n  %s\n", node.AdminToken)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		node.Close()
		return err
	}
	log.Info("ledger listening", "addr", ln.Addr().String(), "data_dir", c.DataDir)
	errc := make(chan error, 1)
	go func() { errc <- node.Server.Server.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down: finishing in-flight requests")
	}
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	// Shutdown waits for in-flight handlers, and a handler waits for its
	// command's durable append, so nothing acknowledged is lost.
	serr := node.Server.Shutdown(sctx)
	node.Close()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return serr
}

func newLogger(format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level)) // kong allows only the four names; info otherwise
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
