// Command ledger runs and maintains the license ledger: serve the HTTP API,
// verify the log's hash chain and replay determinism, export and import the
// log as NDJSON, and measure throughput.
//
// The command line is parsed by kong: one struct declares every flag with
// its LEDGER_* environment variable and default, so flags, variables and
// --help cannot drift apart.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/alecthomas/kong"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

// cli is the command line.
type cli struct {
	Serve   serveCmd   `cmd:"" default:"withargs" help:"Run the ledger's HTTP API (the default command)."`
	Verify  verifyCmd  `cmd:"" help:"Verify the log's hash chain and replay determinism, read-only; exits 1 naming the first bad position, 2 if the log cannot be opened or read."`
	Export  exportCmd  `cmd:"" help:"Write the log as NDJSON envelopes and a trailer line, read-only."`
	Import  importCmd  `cmd:"" help:"Load an NDJSON export into an empty log, all or nothing, verifying the chain and the trailer."`
	Bench   benchCmd   `cmd:"" help:"Measure append throughput (1, 16, 256 concurrent commands) and replay throughput."`
	Rebuild rebuildCmd `cmd:"" help:"Drop the Postgres read models and rebuild them from the log, with a progress bar."`
}

// storeFlags select the log; every command that reads or writes it has them.
type storeFlags struct {
	DataDir   string `name:"data-dir" env:"LEDGER_DATA_DIR" default:"./data" help:"Directory of the embedded log (ledger.db)."`
	Kurrentdb string `name:"kurrentdb-url" env:"LEDGER_KURRENTDB_URL" help:"KurrentDB connection string (esdb://host:2113?tls=false); replaces the embedded log."`
	Catalog   string `name:"catalog" env:"LEDGER_CATALOG" help:"Product catalog JSON file (default: the catalog built in)."`
}

// openStore opens the log the flags name (KurrentDB, or the embedded one),
// read-only if readOnly.
func (f storeFlags) openStore(ctx context.Context, readOnly bool) (eventstore.Store, error) {
	return app.OpenStore(ctx, app.StoreConfig{DataDir: f.DataDir, Kurrent: f.Kurrentdb, ReadOnly: readOnly})
}

// open loads the catalog, then opens the log (read-only if readOnly); the
// caller closes the store.
func (f storeFlags) open(ctx context.Context, readOnly bool) (*domain.Catalog, eventstore.Store, error) {
	cat, err := catalog.Load(f.Catalog)
	if err != nil {
		return nil, nil, err
	}
	store, err := f.openStore(ctx, readOnly)
	return cat, store, err
}

// exitError is an error with the exit status the command documents for it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process's exit status for a command's error: the one it
// names, else 1.
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// defaultGCPercent trades memory for CPU: the ledger keeps its whole state
// in memory and allocates mostly short-lived garbage per command, so a
// collection every 100% of heap growth (Go's default) spends a large share
// of the CPU on marking a heap that barely changes. GOGC overrides it.
const defaultGCPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	var c cli
	ctx := kong.Parse(&c, kong.Name("ledger"),
		kong.Description("Event-sourced license ledger: every change an event in one ordered, hash-chained log."),
		kong.UsageOnError())
	if err := ctx.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "ledger:", err)
		os.Exit(exitCode(err))
	}
}
