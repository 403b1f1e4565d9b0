package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

type benchCmd struct {
	Dir      string        `help:"Directory for the benchmark logs (default: a temporary directory, removed after); a replay log left there by an earlier run is reused."`
	Duration time.Duration `default:"5s" help:"How long each append run lasts."`
	Clients  []int         `default:"1,16,256" help:"Concurrent clients of the append runs."`
	Replay   int           `default:"1000000" help:"Events in the log that the replay run reads."`
	NoSync   bool          `name:"nosync" help:"Skip fsync (measures the pipeline, not the disk)."`
	Profile  string        `name:"cpuprofile" help:"Write a CPU profile of the whole run to this file."`
	MemProf  string        `name:"memprofile" help:"Write an allocation profile of the whole run to this file."`
}

// Run measures durable appends through the whole write path (queue, decide,
// group commit, answer) with single-event commands, then the replay of a
// large log into the write state.
func (c *benchCmd) Run() error {
	dir := c.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "ledger-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if c.Profile != "" {
		f, err := os.Create(c.Profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if c.MemProf != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			if f, err := os.Create(c.MemProf); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				_ = f.Close()
			}
		}()
	}
	fmt.Printf("ledger bench: %d cores, fsync %v, %s per run\n", runtime.NumCPU(), !c.NoSync, c.Duration)
	fmt.Printf("%-34s %12s %14s\n", "run", "events", "events/s")
	for _, n := range c.Clients {
		evs, el, err := c.appendRun(fmt.Sprintf("%s/append-%d", dir, n), n)
		if err != nil {
			return err
		}
		fmt.Printf("%-34s %12d %14.0f\n", fmt.Sprintf("append, %d concurrent commands", n), evs, float64(evs)/el.Seconds())
	}
	evs, took, err := c.replayRun(dir + "/replay")
	if err != nil {
		return err
	}
	fmt.Printf("%-34s %12d %14.0f\n", "replay into the write state, cold", evs, float64(evs)/took[0].Seconds())
	fmt.Printf("%-34s %12d %14.0f\n", "replay into the write state, warm", evs, float64(evs)/took[1].Seconds())
	return nil
}

func (c *benchCmd) appendRun(dir string, clients int) (uint64, time.Duration, error) {
	ctx := context.Background()
	store, err := app.OpenStore(ctx, app.StoreConfig{DataDir: dir, NoSync: c.NoSync})
	if err != nil {
		return 0, 0, err
	}
	defer store.Close()
	w, err := commands.Open(ctx, store, catalog.Default(), commands.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer w.Close()
	if _, err := w.Submit(ctx, commands.Request{Command: domain.Bootstrap{Email: "bench@vendor", Name: "Bench",
		TokenID: "bench", TokenHash: fmt.Sprintf("%064d", 0)}}); err != nil {
		return 0, 0, err
	}
	vendor := domain.Principal{Person: 1, Vendor: true}
	var done atomic.Uint64
	var firstErr atomic.Value
	deadline := time.Now().Add(c.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	for g := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				_, err := w.Submit(ctx, benchRequest(vendor, g, i))
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, 0, err
	}
	return done.Load(), time.Since(start), nil
}

// benchRequest is benchKey submitted as the API submits a command: with an
// idempotency key and the digest of its request body. (Without them the
// writer derives both itself, a fallback for library callers that would
// add a JSON encoding per command that the API path does not have.)
func benchRequest(by domain.Principal, client, i int) commands.Request {
	key := benchKey(client, i)
	body := make([]byte, 0, 192)
	body = append(body, "POST /v1/keys\n"+`{"code":"`...)
	body = append(body, key.Code...)
	body = append(body, `","order_number":"SO-2026-000123","order_reference":"customer reference","lines":[{"type":"PBX-Port","version":13,"quantity":20}]}`...)
	sum := sha256.Sum256(body)
	return commands.Request{ID: uuid.NewString(), Digest: hex.EncodeToString(sum[:16]), By: by, Command: key}
}

// benchKey is a single-event command of realistic size (an event of about
// 300 bytes in the log).
func benchKey(client, i int) domain.IssueKey {
	// Built without fmt, which would cost more than some stages measured.
	code := make([]byte, 0, 32)
	code = append(code, "BENCH-"...)
	code = appendPadded(code, client, 4)
	code = append(code, '-')
	code = appendPadded(code, i, 8)
	return domain.IssueKey{Code: string(code), OrderNumber: "SO-2026-000123",
		OrderReference: "customer reference", Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 20}}}
}

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(b []byte, n, width int) []byte {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(n), 10)
	for range width - len(d) {
		b = append(b, '0')
	}
	return append(b, d...)
}

// replayRun fills a log with c.Replay events written directly in large
// batches, reopens it and times the write side's start twice: a full replay
// into the state and the idempotency table, first right after opening the
// file (the process's heap still growing), then again in the warm process.
func (c *benchCmd) replayRun(dir string) (uint64, [2]time.Duration, error) {
	ctx := context.Background()
	var took [2]time.Duration
	store, err := app.OpenStore(ctx, app.StoreConfig{DataDir: dir, NoSync: true})
	if err != nil {
		return 0, took, err
	}
	// A log left by an earlier run with the same --dir and --replay is
	// reused: with --clients= the replay then runs in a fresh process.
	h, err := store.Head(ctx)
	switch {
	case err != nil:
	case h.Seq == 0:
		err = fillLog(ctx, store, c.Replay)
	case h.Seq != uint64(c.Replay):
		err = fmt.Errorf("%s holds a log of %d events, not %d", dir, h.Seq, c.Replay)
	}
	if err != nil {
		store.Close()
		return 0, took, err
	}
	store.Close()
	store, err = app.OpenStore(ctx, app.StoreConfig{DataDir: dir})
	if err != nil {
		return 0, took, err
	}
	defer store.Close()
	for i := range took {
		start := time.Now()
		w, err := commands.Open(ctx, store, catalog.Default(), commands.Options{})
		if err != nil {
			return 0, took, err
		}
		took[i] = time.Since(start)
		w.Close()
	}
	h, err = store.Head(ctx)
	return h.Seq, took, err
}

func fillLog(ctx context.Context, store eventstore.Store, n int) error {
	boot, _ := json.Marshal(domain.PersonRegistered{Person: 1, Email: "bench@vendor", Name: "Bench", Vendor: true})
	batch := []eventstore.Event{{ID: commands.EventID("fill", 0), Type: domain.PersonRegistered{}.EventType(), Time: time.Now(),
		Actor: eventstore.Actor{Channel: eventstore.ChannelSystem}, Command: "fill", Data: boot}}
	var head uint64
	for i := 1; i < n; i++ {
		k := benchKey(0, i)
		data, _ := json.Marshal(domain.KeyIssued{Code: k.Code, Lines: k.Lines, OrderNumber: k.OrderNumber, OrderReference: k.OrderReference})
		cmd := fmt.Sprintf("fill-%d", i)
		batch = append(batch, eventstore.Event{ID: commands.EventID(cmd, 0), Type: domain.KeyIssued{}.EventType(), Time: time.Now(),
			Actor: eventstore.Actor{Person: "1", Vendor: true, Channel: eventstore.ChannelAPI}, Command: cmd,
			Tags: []string{domain.KeyTag(k.Code)}, Data: data})
		if len(batch) == 1000 || i == n-1 {
			envs, err := store.Append(ctx, head, batch)
			if err != nil {
				return err
			}
			head = envs[len(envs)-1].Seq
			batch = batch[:0]
		}
	}
	return nil
}
