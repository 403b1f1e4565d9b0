package bolt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
)

// A failed commit (a full disk, an I/O error) leaves the log in doubt:
// bbolt rolled the transaction back, but what reached the file is unknown,
// and so is bbolt's state in memory. The store then refuses appends
// (eventstore.ErrUnavailable, which the writer answers as retryable),
// reports itself degraded through Health (so /readyz answers 503), and
// the committer reopens the file: it closes it, opens and checks it again
// and re-reads the log from the last position it had, checking that the
// record there is still the one written; then it writes (and removes) a
// probe file beside the log, so that the store does not call itself
// healthy while the disk is still full (reopening needs no space). Anything after it is a commit
// that failed only in its last step (its fsync, say) yet reached the
// file: it is verified and indexed, and the head moves on to it; its
// callers were told the append failed, and a retry finds their command
// through its idempotency key. Reads wait while the file is reopened.
//
// The reopen is tried with backoff, from recoveryBackoff doubling up to
// maxRecoveryBackoff; the backoff grows with every commit that fails after
// a recovery (a disk still full: reopening needs no space, writing does)
// and starts over after a commit that works.
const (
	recoveryBackoff    = 50 * time.Millisecond
	maxRecoveryBackoff = 10 * time.Second
)

// closeTimeout bounds the wait for bbolt to close the failed file, which it
// cannot do if the failure left its write lock taken (a fault in the middle
// of a rollback). A variable for tests.
var closeTimeout = 10 * time.Second

// Health implements eventstore.HealthReporter: nil while appends are
// taken, else why not.
func (s *Store) Health() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.failed == nil {
		return nil
	}
	return s.unavailableLocked()
}

// unavailable is the error of a call the store cannot serve while a
// commit's failure is not yet recovered from.
func (s *Store) unavailable() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.unavailableLocked()
}

func (s *Store) unavailableLocked() error {
	cause := s.failed
	if cause == nil {
		cause = errors.New("the log file is being reopened")
	}
	return &unavailableError{cause}
}

// unavailableError is eventstore.ErrUnavailable with its cause.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string {
	return "eventstore/bolt: the log is unavailable until it has recovered from a failed commit: " + e.cause.Error()
}

func (e *unavailableError) Unwrap() []error { return []error{eventstore.ErrUnavailable, e.cause} }

// fail marks the store failed because of err.
func (s *Store) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = err
}

// refuse answers requests that cannot be written while the store is
// failed or closing.
func (s *Store) refuse(group []*request) {
	err := s.unavailable()
	if s.isClosed() {
		err = eventstore.ErrClosed
	}
	for _, r := range group {
		r.settled(nil, err)
	}
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// recoverLog runs on the committer after a failed commit until the file is
// reopened or the store is closed, refusing every append meanwhile.
func (s *Store) recoverLog() {
	s.failures++
	wait := recoveryBackoff << min(s.failures-1, 16)
	for {
		if !s.pause(min(wait, maxRecoveryBackoff)) {
			return
		}
		err := s.reopen()
		if err == nil {
			return
		}
		s.fail(err)
		wait *= 2
	}
}

// pause waits for d, refusing whatever is queued meanwhile, and returns
// false if the store is closed before.
func (s *Store) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		group, _ := s.take()
		s.refuse(group)
		select {
		case <-t.C:
			return true
		case <-s.wake:
		case <-s.closing:
			return false
		}
	}
}

// reopen closes the file, opens it again and catches up with what is on
// disk from the last known head (see the top of this file). Readers wait
// meanwhile; if it fails, they get ErrUnavailable until a retry works.
func (s *Store) reopen() error {
	s.mu.RLock()
	head := s.head
	s.mu.RUnlock()
	s.dbmu.Lock()
	defer s.dbmu.Unlock()
	if s.stuck != nil {
		return s.stuck
	}
	if s.db != nil {
		err := closeWithin(s.db, closeTimeout)
		s.db = nil
		if err != nil {
			s.stuck = err // the file stays locked by the handle that did not close
			return err
		}
	}
	db, err := openDB(s.path, s.opts, true)
	if err != nil {
		return fmt.Errorf("reopening the log after a failed commit: %w", err)
	}
	var added []tagged
	var next eventstore.Head
	err = protect(func() error {
		return db.View(func(tx *bbolt.Tx) (err error) {
			next, err = scanLog(tx.Bucket(bucketName), head, func(seq uint64, tags [][]byte) {
				for _, t := range tags {
					added = append(added, tagged{seq: seq, tag: string(t)})
				}
			})
			return err
		})
	})
	if err != nil {
		_ = db.Close()
		return fmt.Errorf("reopening the log after a failed commit: %w", err)
	}
	s.db = db
	if err := probe(s.path); err != nil {
		return fmt.Errorf("the disk does not take writes yet: %w", err)
	}
	s.recovered(next, added)
	return nil
}

// probeSize is how much the probe writes: a few commits' worth of pages.
const probeSize = 256 << 10

// probe writes probeSize bytes to a new file beside the log at path,
// syncs and removes it. Where the directory takes no new files (its
// permissions), there is nothing to learn from it and it succeeds.
func probe(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".probe-*")
	if errors.Is(err, fs.ErrPermission) {
		return nil
	}
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, probeSize))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// tagged is a tag of the event at seq.
type tagged struct {
	seq uint64
	tag string
}

// recovered makes the reopened log current: it indexes the events found
// after the old head, moves the head (waking followers if it moved), sets
// the queued end of the log to it and takes appends again.
func (s *Store) recovered(head eventstore.Head, added []tagged) {
	s.mu.Lock()
	for _, t := range added {
		s.addTag(t.tag, t.seq)
	}
	if head != s.head {
		s.head = head
		close(s.notify)
		s.notify = make(chan struct{})
	}
	s.failed = nil
	s.mu.Unlock()
	s.qmu.Lock()
	s.tail = head
	s.qmu.Unlock()
}

// closeWithin closes db, or gives up after d.
func closeWithin(db *bbolt.DB, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- db.Close() }()
	select {
	case <-done:
		return nil // an error closing a failed file changes nothing: it is opened anew
	case <-time.After(d):
		return fmt.Errorf("the failed log file could not be closed within %v; restart the ledger", d)
	}
}
