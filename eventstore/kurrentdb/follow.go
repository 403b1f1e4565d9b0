package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/innolic/ledger/eventstore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Backoff bounds of Follow's resubscriptions after a dropped connection.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// fnError marks the error of Follow's callback, returned as it is.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }

// Follow calls fn for every event with seq >= from, in order: those already
// in the stream, then each one appended later by any instance, through a
// catch-up subscription. A subscription dropped by a connection failure is
// resumed after the last delivered event, so a projection survives a server
// restart or a leader change. Follow returns ctx.Err() when ctx is done,
// fn's error when fn fails and eventstore.ErrClosed when the store is closed.
func (s *Store) Follow(ctx context.Context, from uint64, fn func(eventstore.Envelope) error) error {
	octx, done, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if from == 0 {
		from = 1
	}
	next, backoff := from, minBackoff
	for {
		before := next
		err := s.subscribe(octx, &next, fn)
		var fe *fnError
		if errors.As(err, &fe) {
			return fe.err
		}
		if err = s.wrap(ctx, "follow", err); !transient(err) {
			return err
		}
		if next > before {
			backoff = minBackoff
		}
		select {
		case <-octx.Done():
			return s.wrap(ctx, "follow", octx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// subscribe runs one catch-up subscription from *next, advancing *next past
// each event fn accepts, until the subscription drops or fn fails.
func (s *Store) subscribe(ctx context.Context, next *uint64, fn func(eventstore.Envelope) error) error {
	// Subscription.Recv, unlike ReadStream.Recv, never waits on the client's
	// connection loop, so only the subscribing is done apart (client.go).
	sub, release, err := request(s, ctx, func(c *esdb.Client) (*esdb.Subscription, error) {
		return c.SubscribeToStream(ctx, s.stream, esdb.SubscribeToStreamOptions{From: subscribeFrom(*next)})
	}, func(sub *esdb.Subscription) { sub.Close() })
	if err != nil {
		return err
	}
	defer release()
	defer sub.Close()
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			if err := ev.SubscriptionDropped.Error; err != nil {
				return err
			}
			return io.ErrUnexpectedEOF
		case ev.EventAppeared != nil:
			e, err := decode(ev.EventAppeared.OriginalEvent())
			if err != nil {
				return err
			}
			if e.Seq < *next {
				continue // at or before the start revision, already delivered
			}
			if e.Seq > *next {
				return &eventstore.ChainError{Seq: *next, Reason: fmt.Sprintf("the subscription skipped to position %d", e.Seq)}
			}
			if err := fn(e); err != nil {
				return &fnError{err}
			}
			*next++
		}
	}
}

// transient reports the failures after which Follow resubscribes: the
// server unreachable, restarting or no longer the leader, the stream ended
// by the server, no connection within connectTimeout, or the client closed
// by itself after a failed rediscovery (client.go replaces it; Follow's
// error would be ErrClosed if the store were closed). Everything else is
// returned to the caller.
func transient(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errNoConnection) {
		return true
	}
	var e *esdb.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case esdb.ErrorUnavailable, esdb.ErrorCodeNotLeader, esdb.ErrorAborted, esdb.ErrorCodeDeadlineExceeded, esdb.ErrorCodeConnectionClosed:
			return true
		}
		if e.Code() != esdb.ErrorCodeUnknown {
			return false
		}
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.Aborted:
		return true
	}
	return false
}
