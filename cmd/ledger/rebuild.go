package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/innolic/ledger/projections/postgres"
)

// rebuildCmd drops the Postgres read models and rebuilds them from the log:
// after a migration that changes what existing rows mean, after restoring
// a log, or when the read models were built from another log (serve
// refuses to continue them then). Servers using the schema must be stopped
// first; the embedded log is opened exclusively anyway.
type rebuildCmd struct {
	storeFlags
	PostgresURL string `name:"postgres-url" env:"LEDGER_POSTGRES_URL" required:"" help:"Postgres holding the read models (schema: the URL's search_path, default ledger)."`
	Quiet       bool   `help:"No progress bar."`
}

func (c *rebuildCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	cat, store, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	db, err := postgres.Open(ctx, c.PostgresURL, postgres.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	bar := progressbar.NewOptions64(-1, progressbar.OptionSetDescription("rebuilding "+db.Schema),
		progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("events"), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetVisibility(!c.Quiet), progressbar.OptionSetPredictTime(true))
	// The rate counts from the first progress report: after the schema is
	// dropped and migrated, when events start to flow.
	var done uint64
	var start time.Time
	err = postgres.Rebuild(ctx, db, store, cat, func(pos, head uint64) {
		if start.IsZero() {
			start = time.Now()
		}
		bar.ChangeMax64(int64(head))
		_ = bar.Set64(int64(pos))
		done = pos
	})
	_ = bar.Finish()
	fmt.Fprintln(os.Stderr)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("rebuild interrupted at position %d; run it again", done)
		}
		return err
	}
	took := time.Since(start)
	fmt.Printf("rebuilt schema %s: %d events in %s (%.0f events/s)\n", db.Schema, done, took.Round(time.Millisecond),
		float64(done)/took.Seconds())
	return nil
}
