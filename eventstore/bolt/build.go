package bolt

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/innolic/ledger/eventstore"
)

// Build makes the log at path all or nothing, from fill, which appends to
// a new log (an import, say). The log is built in a temporary file in the
// same directory, without an fsync per commit; once fill returns, the file
// is synced, opened again read-only, which verifies it whole, and only
// then renamed to path, and the directory synced. If anything fails, the
// temporary file is removed and path is left as it was, so the import can
// simply be run again.
//
// path must hold no log, or an empty one (which the new log replaces); a
// log with events is refused. Nothing else may use path meanwhile (stop
// `ledger serve` first): a log that another process opens while Build
// runs is not the one Build puts in place.
func Build(path string, fill func(*Store) error) (eventstore.Head, error) {
	if err := checkReplaceable(path); err != nil {
		return eventstore.Head{}, err
	}
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return eventstore.Head{}, err
	}
	tmp := path + ".import-" + hex.EncodeToString(suffix[:])
	defer os.Remove(tmp) // a no-op once renamed
	if err := buildTemp(tmp, fill); err != nil {
		return eventstore.Head{}, err
	}
	head, err := verifyBuilt(tmp)
	if err != nil {
		return eventstore.Head{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return eventstore.Head{}, err
	}
	return head, syncDir(filepath.Dir(path))
}

// checkReplaceable refuses a path that holds a log with events, or a file
// that is not a log.
func checkReplaceable(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("the target log: %w", err)
	}
	defer s.Close()
	if s.head.Seq != 0 {
		return fmt.Errorf("the target log %s is not empty (head %d): import only into an empty log", path, s.head.Seq)
	}
	return nil
}

// buildTemp creates the new log at tmp, fills it and makes it durable.
func buildTemp(tmp string, fill func(*Store) error) error {
	s, err := Open(tmp, Options{NoSync: true})
	if err != nil {
		return err
	}
	err = fill(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// verifyBuilt opens the log at tmp read-only, which verifies its
// structure and chain, and returns its head.
func verifyBuilt(tmp string) (eventstore.Head, error) {
	s, err := Open(tmp, Options{ReadOnly: true})
	if err != nil {
		return eventstore.Head{}, fmt.Errorf("verifying the new log: %w", err)
	}
	defer s.Close()
	return s.head, nil
}
