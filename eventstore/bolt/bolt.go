// Package bolt is the embedded eventstore adapter: the ledger's default
// single-node log, kept in one bbolt file (e.g. <data-dir>/ledger.db).
//
// The file holds one bucket, keyed by the 8-byte big-endian position, whose
// values are the JSON-encoded envelopes; appending in key order keeps bbolt
// writing only the rightmost pages, which is what makes it fast. Everything
// else a log needs is kept in memory and rebuilt by one scan at Open: the
// head and the tag index (tag to positions). A tag index on disk would mean
// random-key inserts on every append, the thing bbolt is slowest at.
//
// Appends are durable before they return (bbolt commits with fsync) and
// are group-committed: every Append call that arrives while a commit is in
// flight joins the next transaction, so many callers share one fsync.
//
// The file is trusted only after it is verified: Open checks its bbolt
// structure and the whole hash chain before serving anything, a file that
// is damaged or not a log is an error (never a new log, never a crash),
// and a commit that fails (a full disk) makes the store refuse appends and
// report itself degraded until it has reopened the file, not until the
// process restarts.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/innolic/ledger/eventstore"
)

// Options tune Open. The zero value is the production setting.
type Options struct {
	// NoSync skips fsync on commit. It gives up durability: an append
	// acknowledged just before a machine crash (not merely a process crash)
	// may be lost, or the file left needing repair. For tests and
	// benchmarks only.
	NoSync bool
	// ReadOnly opens an existing log for reading only: the file is opened
	// read-only and never written (so a log on a read-only file system or
	// a copy can be verified and exported), a missing file is an error
	// rather than a new log, other readers may have it open at the same
	// time, and appends fail.
	ReadOnly bool
	// LockTimeout is how long Open waits for another process to release
	// the file; zero means 5 seconds.
	LockTimeout time.Duration
	// InitialMmapSize is the initial size of bbolt's memory map in bytes. A
	// map large enough for the file means a commit never waits for readers
	// to finish while it remaps; zero lets bbolt grow the map as needed.
	InitialMmapSize int
	// PageSize is the page size of a new file; zero means 16 KiB, which
	// writes a large batch with a quarter of the system calls 4 KiB pages
	// need. It cannot change once the file exists.
	PageSize int
}

// defaultPageSize is the page size of new files unless Options say.
const defaultPageSize = 16 << 10

// bucketName is the one bucket of the file: position -> envelope.
var bucketName = []byte("events")

// ErrReadOnly is returned by appends to a log opened with Options.ReadOnly.
var ErrReadOnly = errors.New("eventstore/bolt: the log is open read-only")

// Store is the embedded log. It is safe for concurrent use.
type Store struct {
	path string
	opts Options

	// dbmu guards db against being replaced: a reader holds it for
	// reading while it uses db, and the committer replaces db, holding it
	// for writing, when it reopens the file after a failed commit. The
	// committer's own transactions need no lock, as it is the only
	// goroutine that replaces db.
	dbmu sync.RWMutex
	db   *bbolt.DB // nil after a reopen failed
	// stuck is set, by the committer, when the file could not be closed
	// for a reopen: no reopen can work in this process then.
	stuck error

	mu     sync.RWMutex
	head   eventstore.Head
	tags   map[string]postings // tag -> the positions carrying it
	names  arena               // the bytes of the tags found at Open
	notify chan struct{}       // closed and replaced on every commit
	closed bool
	// failed is why appends are refused: set when a commit failed and
	// cleared when the committer has reopened the file (see recover.go).
	failed error

	qmu   sync.Mutex
	queue []*request
	// tail is the end of the log as queued: the head after the last batch
	// its caller sealed, while that batch waits or commits.
	tail    eventstore.Head
	qclosed bool
	wake    chan struct{} // one pending wake-up for the committer
	closing chan struct{} // closed by Close
	stopped chan struct{} // closed when the committer has exited

	busy     atomic.Value  // func() bool set by GatherWhile
	commits  atomic.Uint64 // successful write transactions, for tests
	failures int           // commits failed since the last that worked; the committer's

	testBefore func() error          // tests: runs inside each write tx before commit
	testCommit func(*bbolt.Tx) error // tests: commits in place of tx.Commit
}

// Open opens the log in the bbolt file at path, creating it if no file is
// there, and rebuilds the head and tag index with one scan of the file.
//
// Before it serves anything, Open verifies the file: its bbolt structure
// (check.go), that positions are contiguous from 1 and every record names
// its own position, and the whole hash chain, every record's hash
// recomputed from its bytes and its predecessor's hash, on every core
// (verify.go). A log that fails is refused with an error naming what is
// wrong; a broken chain with an *eventstore.ChainError naming the first
// bad position. An existing file that is not a log, including an empty
// one, is never taken for a new log. On a 1,000,000-event log (600 MB)
// the verification makes Open about half a second slower, not minutes:
// records are hashed from their stored bytes, on every core (README,
// Performance).
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 5 * time.Second
	}
	if opts.PageSize == 0 {
		opts.PageSize = defaultPageSize
	}
	db, err := openDB(path, opts, false)
	if err != nil {
		return nil, fmt.Errorf("eventstore/bolt: open %s: %w", path, err)
	}
	s := &Store{
		path: path, opts: opts, db: db, tags: map[string]postings{}, notify: make(chan struct{}),
		wake: make(chan struct{}, 1), closing: make(chan struct{}), stopped: make(chan struct{}),
	}
	if err := s.load(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("eventstore/bolt: open %s: %w", path, err)
	}
	s.tail = s.head
	if opts.ReadOnly {
		close(s.stopped) // no committer
	} else {
		go s.run()
	}
	return s, nil
}

// Head returns the last position and its chained hash.
func (s *Store) Head(ctx context.Context) (eventstore.Head, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.Head{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return eventstore.Head{}, eventstore.ErrClosed
	}
	return s.head, nil
}

// Close stops accepting calls, lets an append already queued or being
// committed finish, wakes followers with ErrClosed and closes the file.
// Closing a closed store returns ErrClosed.
func (s *Store) Close() error {
	s.qmu.Lock()
	s.qclosed = true
	s.qmu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return eventstore.ErrClosed
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	<-s.stopped
	s.dbmu.Lock()
	defer s.dbmu.Unlock()
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}

// view runs fn on the events bucket in a read transaction, with a damaged
// file's faults and panics turned into errors (see protect).
func (s *Store) view(fn func(*bbolt.Bucket) error) error {
	s.dbmu.RLock()
	defer s.dbmu.RUnlock()
	if s.db == nil {
		return s.unavailable()
	}
	err := protect(func() error {
		return s.db.View(func(tx *bbolt.Tx) error { return fn(tx.Bucket(bucketName)) })
	})
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return eventstore.ErrClosed
	}
	return err
}
