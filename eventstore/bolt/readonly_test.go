package bolt

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestReadOnlyOpen: a log opened read-only is read like any other, by
// several readers at once, takes no appends and is left byte for byte and
// in its modification time as it was; a missing file is an error, not a
// new log.
func TestReadOnlyOpen(t *testing.T) {
	path := closedLog(t, 100)
	before, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	time.Sleep(20 * time.Millisecond) // a write now would show in the mtime
	a, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path, Options{ReadOnly: true, LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	checkLog(t, a, 100)
	checkLog(t, b, 100)
	if _, err := a.Append(context.Background(), 100, testEvents(1)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Append to a read-only log = %v, want ErrReadOnly", err)
	}
	a.Close()
	b.Close()
	after, _ := os.ReadFile(path)
	info2, _ := os.Stat(path)
	if !bytes.Equal(before, after) || !info2.ModTime().Equal(info.ModTime()) {
		t.Fatal("opening the log read-only changed the file")
	}
	missing := filepath.Join(t.TempDir(), "ledger.db")
	if s, err := Open(missing, Options{ReadOnly: true}); err == nil {
		s.Close()
		t.Fatal("Open read-only of a missing file worked")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open read-only of a missing file left %v", err)
	}
}
