package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
)

// benchEvents builds n events of about 300 bytes of canonical JSON each,
// shaped like the ledger's.
func benchEvents(n int) []eventstore.Event {
	evs := make([]eventstore.Event, n)
	now := time.Now().UTC()
	for i := range evs {
		evs[i] = eventstore.Event{
			ID: fmt.Sprintf("0190b6c2-7d1e-7a3b-9c4d-%012d", i), Type: "key.assigned", Time: now,
			Actor:   eventstore.Actor{Person: "person:0190b6c2", Company: "company:0190b6c2", Channel: eventstore.ChannelAPI},
			Command: "0190b6c2-7d1e-7a3b-9c4d-3f0e1a2b3c4d",
			Tags:    []string{"company:" + strconv.Itoa(i%50), "key:" + strconv.Itoa(i)},
			Data:    json.RawMessage(fmt.Sprintf(`{"key":"K-%06d","device":"D-%06d","seats":5}`, i, i)),
		}
	}
	return evs
}

// reportRate reports events per second over the benchmark's run.
func reportRate(b *testing.B, events int64) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppend appends batches of 1, 100 and 1000 events from one
// caller, with fsync on: the single-writer case.
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{1, 100, 1000} {
		b.Run("batch="+strconv.Itoa(size), func(b *testing.B) {
			s, _ := openTemp(b, Options{})
			evs := benchEvents(size)
			ctx := context.Background()
			var head uint64
			for b.Loop() {
				out, err := s.Append(ctx, head, evs)
				if err != nil {
					b.Fatal(err)
				}
				head = out[len(out)-1].Seq
			}
			reportRate(b, int64(head))
		})
	}
}

// BenchmarkAppendConcurrent has 256 goroutines append single events, fsync
// on. "retry": each reads the head and retries on conflict, so only one
// append per group can win (the port's optimistic concurrency).
// "batching-writer": the goroutines hand their events to one writer that
// appends whatever has queued as one batch, as the ledger's command writer
// does.
func BenchmarkAppendConcurrent(b *testing.B) {
	b.Run("retry-256", func(b *testing.B) { benchConcurrent(b, retryAppend) })
	b.Run("batching-writer-256", func(b *testing.B) { benchConcurrent(b, nil) })
}

// benchConcurrent runs 256 goroutines each appending single events until
// b.N events are written, either directly (appendOne) or through one
// batching writer (appendOne nil).
func benchConcurrent(b *testing.B, appendOne func(*Store, eventstore.Event) error) {
	const goroutines = 256
	s, _ := openTemp(b, Options{})
	if appendOne == nil {
		w := startBatcher(s)
		defer w.stop()
		appendOne = func(_ *Store, ev eventstore.Event) error { return w.append(ev) }
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	evs := benchEvents(goroutines)
	commits := s.commits.Load()
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := appendOne(s, evs[g]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	reportRate(b, int64(b.N))
	b.ReportMetric(float64(b.N)/float64(s.commits.Load()-commits), "events/commit")
}

// retryAppend appends one event at the current head, retrying on conflict.
func retryAppend(s *Store, ev eventstore.Event) error {
	ctx := context.Background()
	for {
		h, err := s.Head(ctx)
		if err != nil {
			return err
		}
		_, err = s.Append(ctx, h.Seq, []eventstore.Event{ev})
		if !errors.Is(err, eventstore.ErrConflict) {
			return err
		}
	}
}

// batcher is a minimal single writer: it appends every event queued while
// its previous append was in flight as one batch.
type batcher struct {
	in   chan batchItem
	done chan struct{}
}

// batchItem is one caller's event and where its outcome goes.
type batchItem struct {
	ev  eventstore.Event
	err chan error
}

func startBatcher(s *Store) *batcher {
	w := &batcher{in: make(chan batchItem, 4096), done: make(chan struct{})}
	go w.run(s)
	return w
}

func (w *batcher) append(ev eventstore.Event) error {
	item := batchItem{ev: ev, err: make(chan error, 1)}
	w.in <- item
	return <-item.err
}

func (w *batcher) stop() { close(w.in); <-w.done }

func (w *batcher) run(s *Store) {
	defer close(w.done)
	var head uint64
	for first := range w.in {
		items := []batchItem{first}
		for more := true; more && len(items) < 1000; {
			select {
			case it, ok := <-w.in:
				if ok {
					items = append(items, it)
				}
				more = ok
			default:
				more = false
			}
		}
		evs := make([]eventstore.Event, len(items))
		for i, it := range items {
			evs[i] = it.ev
		}
		_, err := s.Append(context.Background(), head, evs)
		if err == nil {
			head += uint64(len(evs))
		}
		for _, it := range items {
			it.err <- err
		}
	}
}

// benchLog builds a log of n events (without fsync, to build it quickly)
// and returns its path, closed.
func benchLog(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "ledger.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	evs := benchEvents(1000)
	for head := 0; head < n; head += len(evs) {
		if _, err := s.Append(context.Background(), uint64(head), evs[:min(len(evs), n-head)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// envBenchOpenLog names an existing log for BenchmarkOpen to open instead
// of the one it builds, e.g. the 1,000,000-event log that
// `ledger bench --clients= --dir DIR` leaves in DIR/replay/ledger.db.
const envBenchOpenLog = "LEDGER_BENCH_OPEN_LOG"

// BenchmarkOpen measures Open, which scans and verifies the whole log:
// over 200,000 events, or over the log named by LEDGER_BENCH_OPEN_LOG.
func BenchmarkOpen(b *testing.B) {
	path := os.Getenv(envBenchOpenLog)
	if path == "" {
		path = benchLog(b, 200_000)
	}
	var n uint64
	for b.Loop() {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		h, _ := s.Head(context.Background())
		n = h.Seq
		_ = s.Close()
	}
	reportRate(b, int64(b.N)*int64(n))
}

// BenchmarkRead reads a 200,000-event log from start to end in batches of
// 2048, as replay does.
func BenchmarkRead(b *testing.B) {
	const n = 200_000
	s, err := Open(benchLog(b, n), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		for from := uint64(1); from <= n; {
			evs, err := s.Read(ctx, from, 2048)
			if err != nil || len(evs) == 0 {
				b.Fatal(err, len(evs))
			}
			from = evs[len(evs)-1].Seq + 1
		}
	}
	reportRate(b, int64(b.N)*n)
}

// BenchmarkReadTag reads one company's events (one in 50) from a
// 200,000-event log in batches of 1000.
func BenchmarkReadTag(b *testing.B) {
	const n = 200_000
	s, err := Open(benchLog(b, n), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var read int64
	for b.Loop() {
		for from := uint64(1); ; {
			evs, err := s.ReadTag(ctx, "company:7", from, 1000)
			if err != nil {
				b.Fatal(err)
			}
			if len(evs) == 0 {
				break
			}
			read += int64(len(evs))
			from = evs[len(evs)-1].Seq + 1
		}
	}
	reportRate(b, read)
}
