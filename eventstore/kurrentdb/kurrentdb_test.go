package kurrentdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/storetest"
)

// These tests need a KurrentDB server and run only when LEDGER_KURRENTDB_URL
// names one; the pure mappings are tested in mapping_test.go either way.

const skipMessage = "LEDGER_KURRENTDB_URL is not set: the KurrentDB adapter's conformance suite needs a running KurrentDB server; set LEDGER_KURRENTDB_URL=esdb://host:2113?tls=false to run it"

// serverURL returns the server's connection string or skips the test.
func serverURL(t testing.TB) string {
	url := os.Getenv("LEDGER_KURRENTDB_URL")
	if url == "" {
		t.Skip(skipMessage)
	}
	return url
}

// testStream maps a suite log name to a stream of its own. The mapping is
// deterministic, because the same name must reopen the same log; the suite
// already makes names unique per run.
func testStream(name string) string {
	return "ledger-test-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
}

// openStream opens stream on the server, failing the test on error.
func openStream(t testing.TB, url, stream string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, url, Options{Stream: stream})
	if err != nil {
		t.Fatalf("Open(%q): %v", stream, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	url := serverURL(t)
	storetest.Run(t, func(t testing.TB, name string) eventstore.Store {
		return openStream(t, url, testStream(name))
	})
}

// freshStream is a new stream name for an adapter-specific test.
func freshStream(t *testing.T) string {
	return testStream(fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano()))
}

// events builds n events of command cmd at time at.
func events(cmd string, n int, at time.Time) []eventstore.Event {
	evs := make([]eventstore.Event, n)
	for i := range evs {
		evs[i] = eventstore.Event{
			Type: "kurrentdbtest.happened", Time: at, Command: cmd,
			Actor: eventstore.Actor{Channel: eventstore.ChannelSystem},
			Tags:  []string{"domain:" + cmd}, Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)),
		}
	}
	return evs
}

// verifyAll reads the whole stream through s and checks its chain.
func verifyAll(t *testing.T, s *Store) []eventstore.Envelope {
	t.Helper()
	all, err := s.Read(context.Background(), 1, 0)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	v := eventstore.NewVerifier(eventstore.Head{})
	for i := range all {
		if err := v.Check(&all[i]); err != nil {
			t.Fatalf("chain: %v", err)
		}
	}
	return all
}

// TestTwoInstances checks what the suite cannot: a second instance on the
// same stream sees the first one's appends in ReadTag and Head, loses a
// race with a ConflictError naming the real head, and then chains its own
// append correctly on the other instance's events.
func TestTwoInstances(t *testing.T) {
	url := serverURL(t)
	stream := freshStream(t)
	a, b := openStream(t, url, stream), openStream(t, url, stream)
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	now := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)

	if _, err := a.Append(ctx, 0, events("c1", 3, now)); err != nil {
		t.Fatalf("a.Append: %v", err)
	}
	got, err := b.ReadTag(ctx, "domain:c1", 1, 0)
	if err != nil || len(got) != 3 {
		t.Fatalf("b.ReadTag after a's append = %d events, %v; want 3", len(got), err)
	}
	if h, err := b.Head(ctx); err != nil || h.Seq != 3 {
		t.Fatalf("b.Head = %d, %v; want 3", h.Seq, err)
	}
	_, err = b.Append(ctx, 0, events("c2", 1, now))
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) || ce.Expected != 0 || ce.Actual != 3 {
		t.Fatalf("b.Append at a stale head: %v, want ConflictError{0, 3}", err)
	}
	if _, err := b.Append(ctx, 3, events("c2", 2, now)); err != nil {
		t.Fatalf("b.Append at the current head: %v", err)
	}
	if got, err := a.ReadTag(ctx, "domain:c2", 1, 0); err != nil || len(got) != 2 {
		t.Fatalf("a.ReadTag after b's append = %d events, %v; want 2", len(got), err)
	}
	if all := verifyAll(t, a); len(all) != 5 {
		t.Fatalf("log has %d events, want 5", len(all))
	}
}

// TestRetryIsDeduplicated appends a batch twice at the same head, as a
// writer does when the first acknowledgement was lost: the server keeps one
// copy and both calls return the stored envelopes. A retry of the same
// command decided again (another time, so other content under the same
// ids) also returns what is stored, and the next append still chains.
func TestRetryIsDeduplicated(t *testing.T) {
	url := serverURL(t)
	s := openStream(t, url, freshStream(t))
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)

	first, err := s.Append(ctx, 0, events("cmd", 2, now))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	for _, at := range []time.Time{now, now.Add(time.Hour)} {
		again, err := s.Append(ctx, 0, events("cmd", 2, at))
		if err != nil {
			t.Fatalf("retried Append (time %v): %v", at, err)
		}
		if len(again) != 2 || again[1].Hash != first[1].Hash {
			t.Fatalf("retried Append (time %v) returned other envelopes than those stored", at)
		}
	}
	if _, err := s.Append(ctx, 2, events("next", 1, now)); err != nil {
		t.Fatalf("Append after the retries: %v", err)
	}
	if all := verifyAll(t, s); len(all) != 3 {
		t.Fatalf("log has %d events, want 3", len(all))
	}
}
