package projections_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/projections/memory"
	"github.com/innolic/ledger/projections/projectiontest"
	"github.com/innolic/ledger/replay"
)

// flaky is the memory read model refusing every batch that reaches
// position failAt while broken is set (applying nothing of it), and
// counting how often each position reaches it in a batch it applied.
type flaky struct {
	*memory.Model
	failAt uint64

	mu      sync.Mutex
	broken  bool
	applied map[uint64]int
}

var errInjected = errors.New("injected failure")

func (f *flaky) Apply(ctx context.Context, recs []replay.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken && recs[len(recs)-1].Env.Seq >= f.failAt {
		return errInjected
	}
	for _, r := range recs {
		f.applied[r.Env.Seq]++
	}
	return f.Model.Apply(ctx, recs)
}

func (f *flaky) repair() {
	f.mu.Lock()
	f.broken = false
	f.mu.Unlock()
}

// recorder is a slog handler keeping the records.
type recorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.recs = append(r.recs, rec.Clone())
	r.mu.Unlock()
	return nil
}

// at lists the records of a level as "message attr=value ...".
func (r *recorder) at(level slog.Level) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.recs {
		if rec.Level != level {
			continue
		}
		line := rec.Message
		rec.Attrs(func(a slog.Attr) bool {
			line += fmt.Sprintf(" %s=%v", a.Key, a.Value)
			return true
		})
		out = append(out, line)
	}
	return out
}

// startRunner runs r until the test ends and checks how it stopped.
func startRunner(t *testing.T, r *projections.Runner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run ended with %v, want context.Canceled", err)
		}
	})
}

func waitFor(t *testing.T, r *projections.Runner, pos uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, pos); err != nil {
		t.Fatalf("waiting for position %d: %v (health: %v)", pos, err, r.Health())
	}
}

// TestRunnerRestartsAfterFailures: a read model failing on a batch is not
// stopped for good: each failure is logged at error level with the model
// and position, counted, and reported by Health and by WaitFor's answer;
// the runner retries from the checkpoint with a doubling, bounded
// backoff, and once the model works again it applies every event exactly
// once and Health is clear.
func TestRunnerRestartsAfterFailures(t *testing.T) {
	s := projectiontest.NewScript(t)
	s.Must(projectiontest.Vendor, domain.RegisterPerson{Email: "ann@acme.example", Name: "Ann"})
	ann := domain.Principal{Person: 2}
	s.Must(ann, domain.CreateCompany{Name: "Acme"})
	ctx := context.Background()
	h, _ := s.Store.Head(ctx)
	f := &flaky{Model: memory.New(catalog.Default()), failAt: h.Seq + 1, broken: true, applied: map[uint64]int{}}
	logs := &recorder{}
	failed := make(chan error, 100)
	r := projections.NewRunner(s.Store, f, projections.RunnerOptions{Model: "memory", Logger: slog.New(logs),
		Failed: func(err error) { failed <- err }, MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond})
	startRunner(t, r)
	waitFor(t, r, h.Seq)
	if err := r.Health(); err != nil {
		t.Fatalf("Health before any failure = %v", err)
	}

	last := s.Must(ann, domain.CreateProject{Company: 1, Name: "Hotel"}).Last()
	const failures = 5
	for i := range failures {
		if err := <-failed; !errors.Is(err, errInjected) {
			t.Fatalf("failure %d reported as %v", i, err)
		}
		if i == 0 {
			health := r.Health()
			if health == nil || !errors.Is(health, errInjected) || !strings.Contains(health.Error(), fmt.Sprintf("after position %d", h.Seq)) {
				t.Fatalf("Health while failing = %v, want the failure after position %d", health, h.Seq)
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
			err := r.WaitFor(wctx, last)
			cancel()
			if !errors.Is(err, projections.ErrReadModelFailed) || !strings.Contains(err.Error(), errInjected.Error()) {
				t.Fatalf("WaitFor while failing = %v, want read-model-failed with the reason", err)
			}
		}
	}
	f.repair()
	waitFor(t, r, last)
	if err := r.Health(); err != nil {
		t.Fatalf("Health after the recovery = %v", err)
	}

	errs := logs.at(slog.LevelError)
	if len(errs) < failures {
		t.Fatalf("error records: %q, want at least %d", errs, failures)
	}
	for i, want := range []string{"1ms", "2ms", "4ms", "4ms", "4ms"} {
		for _, part := range []string{"model=memory", fmt.Sprintf("position=%d", h.Seq), "retry_in=" + want, "err=applying positions", errInjected.Error()} {
			if !strings.Contains(errs[i], part) {
				t.Errorf("error record %d = %q, want %s", i, errs[i], part)
			}
		}
	}
	if infos := strings.Join(logs.at(slog.LevelInfo), "\n"); !strings.Contains(infos, "read model running again") {
		t.Errorf("no record of the recovery in %q", infos)
	}
	for pos := uint64(1); pos <= last; pos++ {
		if n := f.applied[pos]; n != 1 {
			t.Errorf("position %d applied %d times, want once", pos, n)
		}
	}
	fresh := memory.New(catalog.Default())
	projectiontest.Feed(t, s.Store, fresh)
	projectiontest.Compare(t, projectiontest.ArgsFor(t, s.Store), fresh, f.Model)
}

// failingFollow is a log whose Follow fails while fails > 0; following
// is closed when a Follow runs.
type failingFollow struct {
	eventstore.Store
	following chan struct{}
	mu        sync.Mutex
	fails     int
}

func (s *failingFollow) Follow(ctx context.Context, from uint64, fn func(eventstore.Envelope) error) error {
	s.mu.Lock()
	s.fails--
	if s.fails == -1 {
		close(s.following)
	}
	failing := s.fails >= 0
	s.mu.Unlock()
	if failing {
		return errors.New("follow broke")
	}
	return s.Store.Follow(ctx, from, fn)
}

// TestRunnerRecoversWithNothingToApply: a failure of the log's follow is
// reported, and cleared by a restart that finds the model at the head (no
// batch will come to prove that it works).
func TestRunnerRecoversWithNothingToApply(t *testing.T) {
	s := projectiontest.NewScript(t)
	store := &failingFollow{Store: s.Store, fails: 2, following: make(chan struct{})}
	failed := make(chan error, 10)
	model := memory.New(catalog.Default())
	projectiontest.Feed(t, s.Store, model)
	r := projections.NewRunner(store, model, projections.RunnerOptions{Model: "memory",
		Logger: slog.New(&recorder{}), Failed: func(err error) { failed <- err }, MinBackoff: time.Millisecond})
	startRunner(t, r)
	<-failed
	if r.Health() == nil {
		t.Fatal("Health is clear after a failed follow")
	}
	<-store.following
	if err := r.Health(); err != nil {
		t.Fatalf("Health once the log is followed again = %v", err)
	}
	last := s.Must(projectiontest.Vendor, domain.RegisterPerson{Email: "ann@acme.example", Name: "Ann"}).Last()
	waitFor(t, r, last)
}

// TestRunnerEndsWithTheLog: a closed log ends the runner (it cannot come
// back), as a cancelled context does.
func TestRunnerEndsWithTheLog(t *testing.T) {
	s := projectiontest.NewScript(t)
	r := projections.NewRunner(s.Store, memory.New(catalog.Default()), projections.RunnerOptions{Logger: slog.New(&recorder{})})
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	h, _ := s.Store.Head(context.Background())
	waitFor(t, r, h.Seq)
	s.Store.Close()
	if err := <-done; !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("Run after the log closed = %v, want ErrClosed", err)
	}
}
