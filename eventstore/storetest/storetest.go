// Package storetest is the conformance suite for eventstore.Store adapters.
//
// Every adapter (the embedded bbolt file, KurrentDB, any later one) calls Run
// from its own tests, so that the writer, the projections and replay can rely
// on one behaviour whatever log sits underneath: atomic conditional appends,
// an unbroken hash chain, ordered reads and follows, and durability across a
// reopen. Adapters whose durability lives in the process under test also call
// RunCrash, which kills a writing child process and checks what survived.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
)

// Factory opens the log named name, creating it if it does not exist.
// Opening the same name again (after Close) must give the same log, also
// from another process running the same test binary (RunCrash relies on it).
// The suite closes every store it opens; Close may therefore be called twice.
type Factory func(t testing.TB, name string) eventstore.Store

// timeout bounds every wait in the suite, so that a broken adapter fails
// with a message instead of hanging the test binary.
const timeout = 20 * time.Second

// Run runs every conformance test against the adapter, each as a subtest on
// a fresh log of its own: round trip field for field, stale-head conflicts,
// racing appends, ranged and tagged reads, scans, follow, reopen, closed
// store, empty batch.
//
// Where the port leaves a choice the suite accepts either answer: an empty
// batch may be a no-op or an error (but must write nothing), and closing a
// closed store may return nil or ErrClosed. Where it does not, the suite
// pins the reading the writer relies on: a read from position 0 reads from
// 1, a read past the head is empty, a payload may come back re-encoded but
// must hold the same JSON value, and times come back in UTC.
func Run(t *testing.T, open Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, Factory)
	}{
		{"RoundTrip", testRoundTrip},
		{"StaleHeadConflict", testStaleHead},
		{"ConcurrentAppendsOneWins", testRace},
		{"ReadRanges", testReadRanges},
		{"ReadTag", testReadTag},
		{"Scan", testScan},
		{"Follow", testFollow},
		{"FollowStops", testFollowStops},
		{"ReopenKeepsLog", testReopen},
		{"ClosedStore", testClosed},
		{"EmptyBatch", testEmptyBatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// uniqueName derives a log name from the test's name plus a random suffix,
// so that runs (and -count=N repetitions) never share a log.
func uniqueName(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random name: %v", err)
	}
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, t.Name())
	return clean + "-" + hex.EncodeToString(b[:])
}

// openStore opens name through the factory and closes it when the test ends.
func openStore(t testing.TB, open Factory, name string) eventstore.Store {
	t.Helper()
	s := open(t, name)
	if s == nil {
		t.Fatalf("factory returned a nil store for %q", name)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fresh opens a new, empty log for the test.
func fresh(t testing.TB, open Factory) eventstore.Store {
	t.Helper()
	return openStore(t, open, uniqueName(t))
}

// ctxFor returns a context that ends with the suite's timeout or the test.
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}
