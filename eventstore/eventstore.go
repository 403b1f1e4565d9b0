// Package eventstore is the port to the ledger's single, totally ordered,
// hash-chained log, and the home of its adapters (embedded bbolt file,
// KurrentDB) and of the conformance suite every adapter must pass.
//
// The log is one sequence for the whole ledger rather than a stream per
// aggregate, because the domain's invariants cross entities: appending with
// the condition "head is still h" makes every command serializable.
package eventstore

import (
	"context"
	"errors"
	"fmt"
)

// ErrConflict is matched (errors.Is) by a ConflictError: the log head moved
// between the caller's read and its append.
var ErrConflict = errors.New("eventstore: append conflict")

// ErrClosed is returned by every call on a closed store.
var ErrClosed = errors.New("eventstore: closed")

// ErrUnavailable is matched (errors.Is) by the errors of a store that is
// open but cannot serve a call for a while, such as an append while it
// recovers from a failed commit. Nothing was written; the call may be
// retried later.
var ErrUnavailable = errors.New("eventstore: log unavailable")

// ConflictError reports an append whose expected head was stale.
type ConflictError struct {
	Expected uint64 // the head the caller decided against
	Actual   uint64 // the head the store has
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("eventstore: append conflict: expected head %d, log is at %d", e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrConflict) true for a *ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Head is the log's last position and the hash chained up to it. Seq 0 with
// an all-zero hash is the empty log.
type Head struct {
	Seq  uint64
	Hash Digest
}

// Store is the log port. Every adapter passes the conformance suite in
// eventstore/storetest.
//
// Positions are 1-based; a read "from" p returns events with seq >= p.
type Store interface {
	// Append writes the events as one atomic, durable batch if the log head is
	// still expected; it assigns seq, prev and hash and returns the envelopes
	// as written. It returns a *ConflictError (errors.Is ErrConflict) when the
	// head has moved, and writes nothing then.
	Append(ctx context.Context, expected uint64, events []Event) ([]Envelope, error)
	// Read returns up to max events with seq >= from, in log order.
	Read(ctx context.Context, from uint64, max int) ([]Envelope, error)
	// ReadTag returns up to max events carrying tag with seq >= from, in order.
	ReadTag(ctx context.Context, tag string, from uint64, max int) ([]Envelope, error)
	// Follow calls fn for every event with seq >= from, in order: first those
	// already in the log, then each new one as it is appended. It returns when
	// ctx is done (with ctx.Err()), when fn fails (with fn's error) or when the
	// store is closed (ErrClosed).
	Follow(ctx context.Context, from uint64, fn func(Envelope) error) error
	// Head returns the last position and its chained hash.
	Head(ctx context.Context) (Head, error)
	// Close releases the store; an append already acknowledged stays durable.
	Close() error
}

// Pipeliner is implemented by stores that take an append while earlier
// ones are still being made durable. A single writer uses it to hand over
// its next batch during the current commit's fsync instead of after it.
type Pipeliner interface {
	// Enqueue starts an append and returns without waiting for it; settled
	// is called exactly once with what Append would have returned, as soon
	// as the batch is durable or refused (possibly before Enqueue returns).
	// It may run on the store's own goroutine, so it must not block.
	// Appends enqueued one after another by one goroutine are committed in
	// that order, and an append whose expected head is the end of one still
	// in flight is chained after it: if that one fails, so does the chained
	// one, and neither is written.
	Enqueue(ctx context.Context, expected uint64, events []Event, settled func([]Envelope, error))
}

// Gatherer is implemented by stores that can hold a commit for a moment to
// take in appends that are on their way, so that more of them share its
// fsync.
type Gatherer interface {
	// GatherWhile tells the store that an append is on its way whenever
	// busy returns true. The store waits for it only briefly, never for
	// long; busy is called from the store's goroutine and must be cheap.
	// Nil withdraws it.
	GatherWhile(busy func() bool)
}

// HealthReporter is implemented by stores that can be open but unable to
// take appends for a while (a failed commit being recovered): Health is nil
// when appends are taken, else why not. /readyz reports it.
type HealthReporter interface {
	Health() error
}

// ReadAll calls fn for each event from position from to the head known when
// the call started, in batches of size batch; a convenience for replay.
func ReadAll(ctx context.Context, s Store, from uint64, batch int, fn func([]Envelope) error) error {
	head, err := s.Head(ctx)
	if err != nil {
		return err
	}
	for from <= head.Seq {
		evs, err := s.Read(ctx, from, batch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		if last := evs[len(evs)-1].Seq; last > head.Seq {
			evs = trimTo(evs, head.Seq)
		}
		if err := fn(evs); err != nil {
			return err
		}
		from = evs[len(evs)-1].Seq + 1
	}
	return nil
}

func trimTo(evs []Envelope, seq uint64) []Envelope {
	for i, e := range evs {
		if e.Seq > seq {
			return evs[:i]
		}
	}
	return evs
}
