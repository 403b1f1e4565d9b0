package kurrentdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/innolic/ledger/eventstore"
)

// Append writes events as one atomic batch if the log head is still
// expected: the server checks the stream revision, so an append by another
// instance in between makes this one fail with a *eventstore.ConflictError
// and write nothing. It returns the envelopes as stored.
func (s *Store) Append(ctx context.Context, expected uint64, events []eventstore.Event) ([]eventstore.Envelope, error) {
	octx, done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	envs, err := s.append(octx, expected, events)
	if err != nil {
		return nil, s.wrap(ctx, "append", err)
	}
	return envs, nil
}

func (s *Store) append(ctx context.Context, expected uint64, events []eventstore.Event) ([]eventstore.Envelope, error) {
	if len(events) == 0 {
		return nil, s.checkHead(ctx, expected)
	}
	prev, err := s.hashAt(ctx, expected)
	if err != nil {
		return nil, err
	}
	envs, err := eventstore.Seal(eventstore.Head{Seq: expected, Hash: prev}, events)
	if err != nil {
		return nil, err
	}
	data, err := eventData(envs)
	if err != nil {
		return nil, err
	}
	opts := esdb.AppendToStreamOptions{ExpectedRevision: expectedRevision(expected)}
	_, release, err := request(s, ctx, func(c *esdb.Client) (*esdb.WriteResult, error) {
		return c.AppendToStream(ctx, s.stream, opts, data...)
	}, nil)
	if err != nil {
		if isWrongExpected(err) {
			return nil, s.conflict(ctx, expected, err)
		}
		return nil, err
	}
	release()
	if envs, err = s.confirm(ctx, expected, envs); err != nil {
		return nil, err
	}
	s.indexOwn(envs)
	return envs, nil
}

// checkHead is the append of an empty batch: nothing to write, but the
// caller still learns whether its head is current.
func (s *Store) checkHead(ctx context.Context, expected uint64) error {
	h, err := s.serverHead(ctx)
	if err != nil {
		return err
	}
	if h.Seq != expected {
		return &eventstore.ConflictError{Expected: expected, Actual: h.Seq}
	}
	return nil
}

// hashAt returns the chained hash at position expected, which the batch is
// chained on: from the cache when the caller decided against the head this
// instance last saw, otherwise read from the stream. Reading rather than
// refusing a stale head lets the server deduplicate a retried append (same
// ids at the same positions); a head beyond the stream's end is a conflict.
func (s *Store) hashAt(ctx context.Context, expected uint64) (eventstore.Digest, error) {
	if h := s.cachedHead(); h.Seq == expected {
		return h.Hash, nil
	}
	if expected == 0 {
		return eventstore.Digest{}, nil
	}
	e, ok, err := s.envelopeAt(ctx, expected)
	if err != nil {
		return eventstore.Digest{}, err
	}
	if !ok {
		h, err := s.serverHead(ctx)
		if err != nil {
			return eventstore.Digest{}, err
		}
		return eventstore.Digest{}, &eventstore.ConflictError{Expected: expected, Actual: h.Seq}
	}
	return e.Hash, nil
}

// eventData turns sealed envelopes into KurrentDB events: the full envelope
// as JSON data, its type as the event type, and the derived event id that
// makes a retry idempotent on the server.
func eventData(envs []eventstore.Envelope) ([]esdb.EventData, error) {
	ids := eventIDs(envs)
	out := make([]esdb.EventData, len(envs))
	for i := range envs {
		if envs[i].Type == "" {
			return nil, fmt.Errorf("event %d of the batch has no type", i)
		}
		body, err := encode(&envs[i])
		if err != nil {
			return nil, fmt.Errorf("event %d of the batch: %w", i, err)
		}
		out[i] = esdb.EventData{EventID: ids[i], EventType: envs[i].Type, ContentType: esdb.ContentTypeJson, Data: body}
	}
	return out, nil
}

// encode is the stored form of an envelope: JSON without the HTML escaping
// json.Marshal applies, so that a payload reads back as it was sent (the
// chain is unaffected: CanonicalBytes re-encodes what it hashes).
func encode(e *eventstore.Envelope) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// isWrongExpected reports the server's refusal of the expected revision.
func isWrongExpected(err error) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == esdb.ErrorCodeWrongExpectedVersion
}

// conflict builds the ConflictError of a refused append with the stream's
// current head, read (which also refreshes the cache) or, failing that,
// taken from the error's message.
func (s *Store) conflict(ctx context.Context, expected uint64, cause error) error {
	h, err := s.serverHead(ctx)
	if err == nil {
		return &eventstore.ConflictError{Expected: expected, Actual: h.Seq}
	}
	if actual, ok := parseWrongExpected(cause.Error()); ok {
		return &eventstore.ConflictError{Expected: expected, Actual: actual}
	}
	return fmt.Errorf("%w (reading the current head failed: %v)", cause, err)
}

// confirm makes sure the envelopes returned, and the head cached for the next
// append, are those stored. They differ only when the server deduplicated the
// batch against earlier events with the same ids but other content (the same
// command decided again, by this or another instance): chaining the next
// append on the hash computed here would then break the chain for good. One
// read of the batch's last event settles it. When that read fails, the
// computed envelopes are returned (they are almost surely the stored ones)
// but the head is not cached, so the next append reads the stored hash.
func (s *Store) confirm(ctx context.Context, expected uint64, envs []eventstore.Envelope) ([]eventstore.Envelope, error) {
	last := envs[len(envs)-1]
	got, ok, err := s.envelopeAt(ctx, last.Seq)
	if err != nil || !ok {
		return envs, nil
	}
	s.noteHead(eventstore.Head{Seq: got.Seq, Hash: got.Hash})
	if got.Hash == last.Hash {
		return envs, nil
	}
	stored, err := s.readRange(ctx, expected+1, uint64(len(envs)))
	if err == nil && len(stored) != len(envs) {
		err = fmt.Errorf("read %d of the %d events", len(stored), len(envs))
	}
	if err != nil {
		return nil, fmt.Errorf("the batch was deduplicated against stored events with other content, which could not be read back: %w", err)
	}
	return stored, nil
}
