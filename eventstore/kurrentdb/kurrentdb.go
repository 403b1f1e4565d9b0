// Package kurrentdb keeps the ledger's log in KurrentDB (EventStoreDB), for
// deployments that need the log replicated and shared by several instances.
//
// The whole log is one KurrentDB stream, because the ledger's invariants
// cross entities and every decision is taken against the head of the one
// log: an append carries the expected stream revision (log seq s is stream
// revision s-1), so two instances appending at the same head cannot both
// succeed. Each KurrentDB event holds the full JSON envelope, seq, prev and
// hash included, chained with eventstore.Seal exactly as in the embedded
// adapter, so that a log can move between adapters and be verified the same
// way. Event ids come from the writer's ids (derived from the command id), so
// the server deduplicates a retried append.
//
// Per-tag reads use an in-memory index of positions, built while verifying
// the whole chain at Open and caught up with the server before each ReadTag,
// so that events appended by other instances are never missed.
package kurrentdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/innolic/ledger/eventstore"
)

// DefaultStream is the stream holding the log when Options.Stream is empty.
const DefaultStream = "ledger"

// Options configures Open.
type Options struct {
	// Stream is the name of the one stream holding the log; DefaultStream
	// when empty. Separate ledgers (or test runs) on one server use separate
	// streams.
	Stream string
}

// Store is the log kept in one KurrentDB stream. It implements
// eventstore.Store and is safe for concurrent use.
type Store struct {
	stream string

	// conn is the client in use, replaced when it closes itself (see
	// client.go); conf is what a replacement is made from.
	conf     esdb.Configuration
	clientMu sync.Mutex
	conn     *conn

	// life guards closed; inflight counts the calls in progress, which Close
	// cancels and waits for.
	life     sync.Mutex
	closed   bool
	inflight sync.WaitGroup
	closing  context.Context // done when Close starts; cancels calls in progress
	shut     context.CancelFunc

	// appendMu serializes this instance's appends, so that the cached head
	// moves forward one batch at a time.
	appendMu sync.Mutex

	// head is a (seq, hash) pair known to be in the stream, usually the last
	// one, so that an append at that head needs no read to chain its events.
	headMu sync.Mutex
	head   eventstore.Head

	// idx is the tag index; idxMu is held while it catches up.
	idxMu sync.Mutex
	idx   *tagIndex
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to the KurrentDB server at url, a connection string such as
// esdb://localhost:2113?tls=false (kurrentdb://, kurrent:// and kdb:// are
// accepted too), and opens the log kept in opts.Stream, verifying its whole
// hash chain while it builds the tag index. An absent stream is an empty log;
// the first append creates it.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	stream := opts.Stream
	if stream == "" {
		stream = DefaultStream
	}
	if strings.HasPrefix(stream, "$") {
		return nil, fmt.Errorf("kurrentdb: stream %q is a system stream name; the log needs a user stream", stream)
	}
	conf, err := esdb.ParseConnectionString(clientURL(url))
	if err != nil {
		return nil, fmt.Errorf("kurrentdb: connection string: %w", err)
	}
	client, err := esdb.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("kurrentdb: %w", err)
	}
	closing, shut := context.WithCancel(context.Background())
	s := &Store{conf: *conf, conn: newConn(client), stream: stream, closing: closing, shut: shut, idx: newTagIndex()}
	if err := s.load(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// load builds the tag index and the cached head from the whole stream.
func (s *Store) load(ctx context.Context) error {
	octx, done, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	return s.wrap(ctx, "open "+s.stream, s.catchUp(octx))
}

// Close waits for the calls in progress, which it cancels (they and later
// calls return eventstore.ErrClosed), then closes the connection. Every
// acknowledged append is already durable on the server. Closing twice is a
// no-op.
func (s *Store) Close() error {
	s.life.Lock()
	if s.closed {
		s.life.Unlock()
		return nil
	}
	s.closed = true
	s.life.Unlock()
	s.shut()
	s.inflight.Wait()
	s.clientMu.Lock()
	cn := s.conn
	idle := s.retire(cn)
	s.clientMu.Unlock()
	if idle {
		return cn.c.Close()
	}
	return nil
}

// begin registers a call: it fails with ErrClosed on a closed store and
// returns a context also cancelled by Close, and the function ending the call.
func (s *Store) begin(ctx context.Context) (context.Context, func(), error) {
	s.life.Lock()
	if s.closed {
		s.life.Unlock()
		return nil, nil, eventstore.ErrClosed
	}
	s.inflight.Add(1)
	s.life.Unlock()
	octx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.closing, cancel)
	return octx, func() {
		stop()
		cancel()
		s.inflight.Done()
	}, nil
}

// wrap gives a failed call its port error: conflicts and chain errors as
// they are, ErrClosed when Close interrupted it, the caller's context error
// when that ended it, otherwise the client's error with the operation named.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	var chain *eventstore.ChainError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, eventstore.ErrConflict), errors.As(err, &chain):
		return err
	case s.closing.Err() != nil:
		return eventstore.ErrClosed
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("kurrentdb: %s: %w", op, err)
}

// cachedHead returns the cached (seq, hash) pair.
func (s *Store) cachedHead() eventstore.Head {
	s.headMu.Lock()
	defer s.headMu.Unlock()
	return s.head
}

// noteHead caches h, a pair read from or confirmed by the server, unless a
// later one is cached. Any pair present in the stream is a correct cache: an
// append chained on an older one is refused by the server's revision check.
func (s *Store) noteHead(h eventstore.Head) {
	s.headMu.Lock()
	defer s.headMu.Unlock()
	if h.Seq >= s.head.Seq {
		s.head = h
	}
}

// decode turns a KurrentDB event into the envelope it holds, checking that
// the envelope's position is the event's place in the stream, which fails on
// a stream written by something else than this adapter.
func decode(rec *esdb.RecordedEvent) (eventstore.Envelope, error) {
	var e eventstore.Envelope
	if err := json.Unmarshal(rec.Data, &e); err != nil {
		return e, fmt.Errorf("stream %s revision %d: not a ledger envelope: %w", rec.StreamID, rec.EventNumber, err)
	}
	if e.Seq != seqOf(rec.EventNumber) {
		return e, fmt.Errorf("stream %s revision %d: envelope has position %d, want %d", rec.StreamID, rec.EventNumber, e.Seq, seqOf(rec.EventNumber))
	}
	return e, nil
}

// isNotFound reports the client's error for a stream that does not exist
// yet, which for the log means "empty".
func isNotFound(err error) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == esdb.ErrorCodeResourceNotFound
}

// scan reads up to count events of the stream in direction dir from from and
// calls fn with each envelope; an absent stream reads as empty. The events
// are received in a goroutine (see client.go), so that the caller never
// waits inside the client.
func (s *Store) scan(ctx context.Context, dir esdb.Direction, from esdb.StreamPosition, count uint64, fn func(eventstore.Envelope) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs, release, err := request(s, ctx, func(c *esdb.Client) (*esdb.ReadStream, error) {
		return c.ReadStream(ctx, s.stream, esdb.ReadStreamOptions{Direction: dir, From: from}, count)
	}, (*esdb.ReadStream).Close)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	items := make(chan item, 64)
	go func() {
		defer release()
		defer rs.Close()
		receive(ctx, rs, items)
	}()
	for {
		select {
		case it := <-items:
			switch {
			case it.end:
				return nil
			case it.err != nil:
				return it.err
			}
			if err := fn(it.env); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// item is what receive passes on: an envelope, an error or the end.
type item struct {
	env eventstore.Envelope
	err error
	end bool
}

// receive passes the envelopes of rs on to items, then the end or the first
// error, until ctx ends.
func receive(ctx context.Context, rs *esdb.ReadStream, items chan<- item) {
	send := func(it item) bool {
		select {
		case items <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) || isNotFound(err) {
			send(item{end: true})
			return
		}
		if err != nil {
			send(item{err: err})
			return
		}
		e, err := decode(ev.OriginalEvent())
		if !send(item{env: e, err: err}) || err != nil {
			return
		}
	}
}

// readRange reads up to count envelopes with seq >= from, in order.
func (s *Store) readRange(ctx context.Context, from, count uint64) ([]eventstore.Envelope, error) {
	var out []eventstore.Envelope
	err := s.scan(ctx, esdb.Forwards, readFrom(from), count, func(e eventstore.Envelope) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// envelopeAt reads the envelope at position seq (>= 1), if there is one.
func (s *Store) envelopeAt(ctx context.Context, seq uint64) (eventstore.Envelope, bool, error) {
	evs, err := s.readRange(ctx, seq, 1)
	if err != nil || len(evs) == 0 || evs[0].Seq != seq {
		return eventstore.Envelope{}, false, err
	}
	return evs[0], true, nil
}

// serverHead reads the last event of the stream, caches it and returns its
// position and hash: the zero Head for an absent or empty stream.
func (s *Store) serverHead(ctx context.Context) (eventstore.Head, error) {
	var h eventstore.Head
	err := s.scan(ctx, esdb.Backwards, esdb.End{}, 1, func(e eventstore.Envelope) error {
		h = eventstore.Head{Seq: e.Seq, Hash: e.Hash}
		return nil
	})
	if err != nil {
		return eventstore.Head{}, err
	}
	s.noteHead(h)
	return h, nil
}

// Head returns the server's current last position and hash, read from the
// stream rather than from the cache because other instances may append.
func (s *Store) Head(ctx context.Context) (eventstore.Head, error) {
	octx, done, err := s.begin(ctx)
	if err != nil {
		return eventstore.Head{}, err
	}
	defer done()
	h, err := s.serverHead(octx)
	return h, s.wrap(ctx, "head", err)
}

// Read returns up to max (max <= 0: all) events with seq >= from, in order.
func (s *Store) Read(ctx context.Context, from uint64, max int) ([]eventstore.Envelope, error) {
	octx, done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	evs, err := s.readRange(octx, from, readCount(max))
	if err != nil {
		return nil, s.wrap(ctx, "read", err)
	}
	return evs, nil
}
