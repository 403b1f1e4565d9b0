package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// The v4 client (esdb, v4.2.0) runs one connection loop per client, and
// every request first asks that loop for a connection over an unbuffered
// channel, without regard to its context (getConnectionHandle in impl.go).
// When a rediscovery fails (after MaxDiscoverAttempts, about a second for a
// refused single node), the loop marks the client closed and exits for good:
// a request already waiting for it then waits forever, later ones fail with
// ErrorCodeConnectionClosed before sending anything, and closing the client
// while a request waits panics that request (send on a closed channel).
// ReadStream.Recv and AppendToStream also report failures to that loop.
//
// So the store never lets a caller wait inside the client: each request's
// client part runs in its own goroutine, which the caller abandons when its
// context ends or the store closes. A request that waits longer than
// probeAfter starts a probe, at most one per probeAfter and client (a probe
// sent during a failing rediscovery is stuck like the request; the next one
// is answered at once). A probe failing with ErrorCodeConnectionClosed
// proves the loop dead: the client is replaced, and every request waiting on
// it is retried on the new one. That retry is safe for every request of this
// store: reads are idempotent, and an append carries its expected revision
// and fixed event ids, so if the first copy went through after all, the
// retry is a deduplicated success or a conflict, never a second write.
// connectTimeout is the last resort.
//
// A client is closed only once no request uses it; a request stuck forever
// in a dead client keeps that one (and its goroutine) alive, a bounded leak
// the client leaves no way around.

// Bounds of the wait for the client's connection. connectTimeout is longer
// than a full discovery of a cluster (10 attempts of a 5 s gossip read).
const (
	probeAfter     = 2 * time.Second
	probeTimeout   = 10 * time.Second
	connectTimeout = 75 * time.Second
	maxAttempts    = 3
)

// errNoConnection is the error of a request abandoned for want of a
// connection.
var errNoConnection = errors.New("no connection to the server")

// conn is one client with the count of requests using it.
type conn struct {
	c       *esdb.Client
	dead    chan struct{} // closed when the client is found closed by itself
	users   int           // guarded by Store.clientMu, as are the fields below
	retired bool          // replaced, or the store closed: close it when unused
	probed  time.Time     // when the last probe started
}

func newConn(c *esdb.Client) *conn { return &conn{c: c, dead: make(chan struct{})} }

// acquire returns the current client, counted as used until release.
func (s *Store) acquire() *conn {
	s.clientMu.Lock()
	defer s.clientMu.Unlock()
	s.conn.users++
	return s.conn
}

// release ends a use of cn and closes it if it is retired and now unused.
func (s *Store) release(cn *conn) {
	s.clientMu.Lock()
	cn.users--
	idle := cn.retired && cn.users == 0
	s.clientMu.Unlock()
	if idle {
		cn.c.Close()
	}
}

// retire marks cn for closing by its last user and reports whether it is
// unused already, for the caller to close it after releasing clientMu,
// which it holds.
func (s *Store) retire(cn *conn) bool {
	cn.retired = true
	return cn.users == 0
}

// isClosedClient reports the error of a client whose connection loop has
// given up (or that was closed).
func isClosedClient(err error) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == esdb.ErrorCodeConnectionClosed
}

// renew reports whether err says that cn closed itself while the store is
// open, after making sure the current client is a new one (which
// rediscovers the server on its first request) and waking the requests
// still waiting on cn.
func (s *Store) renew(cn *conn, err error) bool {
	if !isClosedClient(err) || s.closing.Err() != nil {
		return false
	}
	s.clientMu.Lock()
	if s.conn != cn {
		s.clientMu.Unlock()
		return true // renewed by another request
	}
	conf := s.conf
	c, nerr := esdb.NewClient(&conf)
	if nerr != nil {
		s.clientMu.Unlock()
		return false
	}
	idle := s.retire(cn)
	s.conn = newConn(c)
	close(cn.dead)
	s.clientMu.Unlock()
	if idle {
		cn.c.Close()
	}
	return true
}

// probe checks whether cn's connection loop is still alive, and renews cn
// if it is not. A probe that waits itself is left waiting: the client
// offers no way to stop it.
func (s *Store) probe(cn *conn) {
	s.clientMu.Lock()
	if cn.retired || time.Since(cn.probed) < probeAfter {
		s.clientMu.Unlock()
		return
	}
	cn.probed = time.Now()
	cn.users++
	s.clientMu.Unlock()
	go func() {
		defer s.release(cn)
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		rs, err := cn.c.ReadStream(ctx, s.stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
		if err == nil {
			rs.Close()
		}
		s.renew(cn, err)
	}()
}

// request runs do, the part of a request that may wait inside the client,
// in a goroutine, and returns its result with the function releasing the
// client, which the caller calls when done with the result (an open stream
// uses the client until it ends). When the caller gives up first, the
// goroutine discards the late result (with drop, if not nil) and releases
// the client itself. A request meeting a dead client is retried on its
// replacement.
func request[T any](s *Store, ctx context.Context, do func(*esdb.Client) (T, error), drop func(T)) (T, func(), error) {
	var zero T
	for attempt := 1; ; attempt++ {
		cn := s.acquire()
		v, err, ok := wait(s, ctx, cn, do, func(v T, err error) {
			if err == nil && drop != nil {
				drop(v)
			}
			s.release(cn)
		})
		if ok && err == nil {
			return v, func() { s.release(cn) }, nil
		}
		if ok {
			s.release(cn)
		}
		retry := s.renew(cn, err) || errors.Is(err, errClientDied)
		if !retry || attempt == maxAttempts {
			return zero, nil, err
		}
	}
}

// errClientDied is wait's answer when the client it waited on was found
// dead and replaced.
var errClientDied = fmt.Errorf("kurrentdb: %w: the client gave up reconnecting", errNoConnection)

// wait runs do(cn.c) in a goroutine and returns its result (ok true), or
// gives up (ok false) when ctx ends, when cn is found dead or after
// connectTimeout, in which case late gets the result when it comes.
func wait[T any](s *Store, ctx context.Context, cn *conn, do func(*esdb.Client) (T, error), late func(T, error)) (T, error, bool) {
	type result struct {
		v   T
		err error
	}
	var mu sync.Mutex
	abandoned := false
	ch := make(chan result, 1)
	go func() {
		v, err := do(cn.c)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			late(v, err)
			return
		}
		ch <- result{v, err}
	}()
	ticker := time.NewTicker(probeAfter)
	defer ticker.Stop()
	deadline := time.NewTimer(connectTimeout)
	defer deadline.Stop()
	var giveUp error
	for giveUp == nil {
		select {
		case r := <-ch:
			return r.v, r.err, true
		case <-ticker.C:
			s.probe(cn)
		case <-cn.dead:
			giveUp = errClientDied
		case <-ctx.Done():
			giveUp = ctx.Err()
		case <-deadline.C:
			giveUp = fmt.Errorf("kurrentdb: %w within %v", errNoConnection, connectTimeout)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case r := <-ch: // arrived meanwhile: it is ours to discard
		late(r.v, r.err)
	default:
		abandoned = true
	}
	var zero T
	return zero, giveUp, false
}
