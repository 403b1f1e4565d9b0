package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/memstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/projections/postgres"
	"github.com/innolic/ledger/projections/postgres/pgtest"
)

// benchEvents is the size of the catch-up benchmarks' log
// (LEDGER_BENCH_EVENTS overrides it).
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("LEDGER_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// fillLog appends about n events of a customer-like mix, written directly
// in batches of 1000: per customer a person with a token, a company with
// its administrator and two projects, eight vendor keys and their
// redemption into the projects (22 events, touching every core table).
func fillLog(tb testing.TB, store eventstore.Store, n int) {
	tb.Helper()
	ctx := context.Background()
	var batch []eventstore.Event
	var head uint64
	emit := func(e domain.Event) {
		data, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		cmd := fmt.Sprintf("fill-%d", int(head)+len(batch))
		batch = append(batch, eventstore.Event{ID: commands.EventID(cmd, 0), Type: e.EventType(),
			Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Actor: eventstore.Actor{Person: "1", Vendor: true, Channel: eventstore.ChannelAPI},
			Command: cmd, Tags: e.EventTags(), Data: data})
		if len(batch) == 1000 {
			envs, err := store.Append(ctx, head, batch)
			if err != nil {
				tb.Fatal(err)
			}
			head, batch = envs[len(envs)-1].Seq, batch[:0]
		}
	}
	emit(domain.PersonRegistered{Person: 1, Email: "bench@vendor.example", Name: "Bench", Vendor: true})
	lines := []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 20},
		{Item: domain.Item{Type: "GVL-Purchase"}, Quantity: 1}}
	for i := 1; int(head)+len(batch) < n; i++ {
		p, c := domain.PersonID(i+1), domain.CompanyID(i)
		pr := [2]domain.ProjectID{domain.ProjectID(2*i - 1), domain.ProjectID(2 * i)}
		emit(domain.PersonRegistered{Person: p, Email: fmt.Sprintf("p%d@example.com", i), Name: fmt.Sprintf("Person %d", i)})
		emit(domain.TokenIssued{Token: fmt.Sprintf("t%d", i), Person: p, Hash: fmt.Sprintf("%064d", i), Label: "bench"})
		emit(domain.CompanyCreated{Company: c, Name: fmt.Sprintf("Company %d", i), Creator: p})
		emit(domain.MemberAdded{Company: c, Person: p, Right: domain.RightAdministrator})
		emit(domain.ProjectCreated{Project: pr[0], Company: c, Name: domain.DefaultProjectName})
		emit(domain.ProjectCreated{Project: pr[1], Company: c, Name: "Branch", Description: "second site"})
		for k := 0; k < 8; k++ {
			code := fmt.Sprintf("BENCH-%06d-%d", i, k)
			emit(domain.KeyIssued{Code: code, Lines: lines, OrderNumber: "SO-2026-000123", OrderReference: "customer reference"})
			emit(domain.KeyRedeemed{Code: code, Project: pr[k%2], Company: c, Lines: lines})
		}
	}
	if len(batch) > 0 {
		if _, err := store.Append(ctx, head, batch); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkCatchUp measures a rebuild's speed into Postgres: the whole log
// from position 0 through Projector.CatchUp (parallel decode, adaptive
// batches), in events/s.
//
//	LEDGER_POSTGRES_TEST_URL=... go test -run '^$' -bench CatchUp -benchtime 1x ./projections/postgres/
func BenchmarkCatchUp(b *testing.B) {
	store := memstore.New()
	fillLog(b, store, benchEvents())
	h, _ := store.Head(context.Background())
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := pgtest.Open(b)
		p, err := postgres.NewProjector(context.Background(), db, store, catalog.Default(), nil)
		if err != nil {
			b.Fatal(err)
		}
		pg := serverCPU(db)
		b.StartTimer()
		start, cpu := time.Now(), cpuTime()
		if err := p.CatchUp(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(h.Seq)/time.Since(start).Seconds(), "events/s")
		// CPU per event of this process and of its Postgres backends: on a
		// small machine both compete for the same cores.
		b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(h.Seq), "go-cpu-µs/event")
		if pg, ok := serverCPU(db).since(pg); ok {
			b.ReportMetric(float64(pg.Microseconds())/float64(h.Seq), "pg-cpu-µs/event")
		}
	}
	b.ReportMetric(float64(h.Seq), "events")
}

// backends maps the pool's Postgres backends (process ids) to the CPU time
// each used so far, read from /proc: only for a server on this machine.
type backends map[uint32]time.Duration

func serverCPU(db *postgres.DB) backends {
	out := backends{}
	for _, c := range db.Pool.AcquireAllIdle(context.Background()) {
		pid := c.Conn().PgConn().PID()
		c.Release()
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		utime, _ := strconv.Atoi(f[11])
		stime, _ := strconv.Atoi(f[12])
		out[pid] = time.Duration(utime+stime) * time.Second / 100 // USER_HZ
	}
	return out
}

// since is the CPU the backends used since before; false when they are
// not visible.
func (now backends) since(before backends) (time.Duration, bool) {
	if now == nil || before == nil {
		return 0, false
	}
	var d time.Duration
	for pid, t := range now {
		d += t - before[pid]
	}
	return d, true
}

// cpuTime is the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRunnerCatchUp measures catch-up as serve does it: the runner
// following the log in batches of at most projections.MaxApplyBatch.
func BenchmarkRunnerCatchUp(b *testing.B) {
	store := memstore.New()
	fillLog(b, store, benchEvents())
	h, _ := store.Head(context.Background())
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := pgtest.Open(b)
		p, err := postgres.NewProjector(context.Background(), db, store, catalog.Default(), nil)
		if err != nil {
			b.Fatal(err)
		}
		r := projections.NewRunner(store, p, projections.RunnerOptions{Model: "postgres"})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		b.StartTimer()
		start := time.Now()
		go func() { done <- r.Run(ctx) }()
		if err := r.WaitFor(context.Background(), h.Seq); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(h.Seq)/time.Since(start).Seconds(), "events/s")
		cancel()
		<-done
	}
}

// BenchmarkSteadyLag submits commands at a fixed rate (LEDGER_BENCH_RATE,
// default 1000/s, for LEDGER_BENCH_SECONDS, default 10) through the real
// writer on the embedded log with fsync, while the runner projects into
// Postgres, and reports the lag from each command's acknowledgement until
// the Postgres checkpoint covers it (p50, p99, max).
//
//	LEDGER_POSTGRES_TEST_URL=... go test -run '^$' -bench SteadyLag -benchtime 1x ./projections/postgres/
func BenchmarkSteadyLag(b *testing.B) {
	rate, secs := envInt("LEDGER_BENCH_RATE", 1000), envInt("LEDGER_BENCH_SECONDS", 10)
	ctx := context.Background()
	for range b.N {
		store, err := app.OpenStore(ctx, app.StoreConfig{DataDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		w, err := commands.Open(ctx, store, catalog.Default(), commands.Options{})
		if err != nil {
			b.Fatal(err)
		}
		vendor := domain.Principal{Person: 1, Vendor: true}
		if _, err := w.Submit(ctx, commands.Request{Command: domain.Bootstrap{Email: "v@vendor.example", Name: "V",
			TokenID: "t", TokenHash: fmt.Sprintf("%064d", 0)}}); err != nil {
			b.Fatal(err)
		}
		db := pgtest.Open(b)
		p, err := postgres.NewProjector(ctx, db, store, catalog.Default(), nil)
		if err != nil {
			b.Fatal(err)
		}
		r := projections.NewRunner(store, p, projections.RunnerOptions{Model: "postgres"})
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- r.Run(rctx) }()

		n := rate * secs
		lags := make([]time.Duration, n)
		var wg sync.WaitGroup
		start := time.Now()
		for i := range n {
			time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := w.Submit(ctx, commands.Request{By: vendor, Command: domain.IssueKey{Code: fmt.Sprintf("LAG-%08d", i),
					OrderNumber: "SO-1", Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 5}}}})
				if err != nil {
					b.Error(err)
					return
				}
				acked := time.Now()
				if err := r.WaitFor(ctx, res.Last()); err != nil {
					b.Error(err)
				}
				lags[i] = time.Since(acked)
			}()
		}
		wg.Wait()
		took := time.Since(start)
		cancel()
		<-done
		w.Close()
		store.Close()
		slices.Sort(lags)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(float64(n)/took.Seconds(), "commands/s")
		b.ReportMetric(ms(lags[n/2]), "p50-lag-ms")
		b.ReportMetric(ms(lags[n*99/100]), "p99-lag-ms")
		b.ReportMetric(ms(lags[n-1]), "max-lag-ms")
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
