package bolt

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
)

// fileMeta reads the meta page bbolt uses from the log file at path.
func fileMeta(t *testing.T, path string) meta {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	m, err := readMetas(f, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// overwrite writes garbage over n bytes of the file at path from off.
func overwrite(t *testing.T, path string, off int64, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	garbage := make([]byte, n)
	_, _ = rand.Read(garbage)
	if _, err := f.WriteAt(garbage, off); err != nil {
		t.Fatal(err)
	}
}

// mustRefuse opens path and requires an error containing want.
func mustRefuse(t *testing.T, path, want string) {
	t.Helper()
	s, err := Open(path, Options{LockTimeout: time.Second})
	if err == nil {
		s.Close()
		t.Fatalf("Open accepted a damaged file (want an error with %q)", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("Open = %v; want an error with %q", err, want)
	}
}

// TestOpenRefusesAnEmptyFile: an empty file is not a new log; only a
// missing one is, and Open leaves the empty file as it was.
func TestOpenRefusesAnEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRefuse(t, path, "empty (0 bytes)")
	if info, err := os.Stat(path); err != nil || info.Size() != 0 {
		t.Fatalf("after Open the empty file is %v, %v; want it left empty", info.Size(), err)
	}
}

// TestOpenRefusesATruncatedFile cuts a log at several offsets below the
// end of its pages in use: each is an error, never a crash.
func TestOpenRefusesATruncatedFile(t *testing.T) {
	path := closedLog(t, 3000)
	m := fileMeta(t, path)
	end := int64(m.pages) * int64(m.pageSize)
	ps := int64(m.pageSize)
	for _, size := range []int64{1, 100, ps, ps + 100, 2 * ps, 3 * ps, end / 2, end - ps, end - 1} {
		t.Run("", func(t *testing.T) {
			cut := filepath.Join(t.TempDir(), "ledger.db")
			copyFile(t, path, cut)
			if err := os.Truncate(cut, size); err != nil {
				t.Fatal(err)
			}
			s, err := Open(cut, Options{LockTimeout: time.Second})
			if err == nil {
				s.Close()
				t.Fatalf("Open accepted the log cut at %d of %d bytes", size, end)
			}
			t.Logf("cut at %d: %v", size, err)
		})
	}
}

// TestOpenRefusesDamagedPages writes garbage over each page of a log in
// turn, whole or in part: Open either refuses the file with an error or,
// where the page is not in use (a free page), opens the whole log. It
// must never crash.
func TestOpenRefusesDamagedPages(t *testing.T) {
	path := closedLog(t, 3000)
	m := fileMeta(t, path)
	ps := int64(m.pageSize)
	refused := 0
	for id := int64(0); id < int64(m.pages); id++ {
		for _, part := range []struct{ off, n int64 }{{0, ps}, {ps / 2, 64}} {
			bad := filepath.Join(t.TempDir(), "ledger.db")
			copyFile(t, path, bad)
			overwrite(t, bad, id*ps+part.off, int(part.n))
			s, err := Open(bad, Options{LockTimeout: time.Second})
			if err != nil {
				refused++
				continue
			}
			checkLog(t, s, 3000)
			s.Close()
		}
	}
	if refused < int(m.pages) {
		t.Fatalf("only %d of %d damaged files refused", refused, 2*m.pages)
	}
}

// TestOpenRefusesADamagedMetaPage: bbolt would fall back on the other meta
// page, silently losing the last commit if the damaged one was the newer.
func TestOpenRefusesADamagedMetaPage(t *testing.T) {
	path := closedLog(t, 100)
	ps := int64(fileMeta(t, path).pageSize)
	for page := range int64(2) {
		bad := filepath.Join(t.TempDir(), "ledger.db")
		copyFile(t, path, bad)
		overwrite(t, bad, page*ps+pageHeaderSize, 32)
		mustRefuse(t, bad, "meta page")
	}
}

// TestReadsSurviveATruncationUnderTheMap truncates the file of an open
// log, as another program could: reads and appends touching the cut-off
// pages fail with an error (the memory faults are recovered), the store
// reports itself degraded, and it closes.
func TestReadsSurviveATruncationUnderTheMap(t *testing.T) {
	defer shortCloseTimeout()()
	path := closedLog(t, 3000)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := int64(fileMeta(t, path).pageSize)
	if err := os.Truncate(path, 3*ps); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if evs, err := s.Read(ctx, 1, 3000); err == nil {
		t.Fatalf("Read of a truncated file returned %d events and no error", len(evs))
	}
	err = s.Scan(ctx, 1, 3000, func(*eventstore.Raw) error { return nil })
	if err == nil {
		t.Fatal("Scan of a truncated file returned no error")
	}
	if _, err := s.Append(ctx, 3000, testEvents(1)); err == nil {
		t.Fatal("Append to a truncated file returned no error")
	}
	waitFor(t, func() bool { return s.Health() != nil }, "the store reports itself degraded")
	if _, err := s.Append(ctx, 3000, testEvents(1)); !errors.Is(err, eventstore.ErrUnavailable) {
		t.Fatalf("Append while degraded = %v, want ErrUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Logf("Close: %v", err)
	}
}

// shortCloseTimeout makes a reopen give up on closing a stuck file sooner,
// and returns what restores it.
func shortCloseTimeout() func() {
	old := closeTimeout
	closeTimeout = 200 * time.Millisecond
	return func() { closeTimeout = old }
}

// copyFile copies the file at from to to.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
