package bolt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestBuildIsAllOrNothing: a failing fill leaves the directory as it was,
// a working one puts the verified log in place, and a log with events is
// never replaced.
func TestBuildIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.db")
	boom := errors.New("the export is bad")
	_, err := Build(path, func(s *Store) error {
		if _, err := s.Append(context.Background(), 0, testEvents(1500)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Build with a failing fill = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a failed Build left %s", entries[0].Name())
	}
	head, err := Build(path, func(s *Store) error {
		_, err := s.Append(context.Background(), 0, testEvents(1500))
		return err
	})
	if err != nil || head.Seq != 1500 {
		t.Fatalf("Build = %v, %v; want head 1500", head, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("after Build the directory holds %d files, want the log alone", len(entries))
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkLog(t, s, 1500)
	s.Close()
	if _, err := Build(path, func(*Store) error { return nil }); err == nil {
		t.Fatal("Build replaced a log with events")
	}
}
