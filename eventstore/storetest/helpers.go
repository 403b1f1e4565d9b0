package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
)

// tagAll is carried by every event the suite writes; tagOdd by every event
// whose index within its batch is odd, so that tag reads have gaps.
const (
	tagAll = "domain:storetest"
	tagOdd = "key:odd"
)

// makeEvents builds n events of batch b with varied content: tags or none,
// HTML and non-ASCII characters, quotes and backslashes, a payload with
// white space, a non-UTC time with nanoseconds and a vendor actor, so that
// an adapter's encoding is exercised beyond the easy cases.
func makeEvents(b, n int) []eventstore.Event {
	base := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))
	evs := make([]eventstore.Event, n)
	for i := range evs {
		ev := eventstore.Event{
			ID:      fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", b, i),
			Type:    "storetest.happened",
			Time:    base.Add(time.Duration(b*1000+i) * time.Millisecond),
			Actor:   eventstore.Actor{Person: "person:ana", Company: "company:acme", Channel: eventstore.ChannelAPI},
			Command: fmt.Sprintf("cmd-%d", b),
			Digest:  fmt.Sprintf("sha256:%064x", b),
			Tags:    []string{tagAll, fmt.Sprintf("company:c%d", b)},
			Data:    json.RawMessage(fmt.Sprintf(`{"batch":%d,"index":%d,"note":"ordinary"}`, b, i)),
		}
		if i%2 == 1 {
			ev.Tags = append(ev.Tags, tagOdd)
		}
		vary(&ev, b*7+i)
		evs[i] = ev
	}
	return evs
}

// vary gives some events the awkward shapes an encoding must survive.
func vary(ev *eventstore.Event, k int) {
	switch k % 5 {
	case 1:
		ev.Data = json.RawMessage(fmt.Sprintf("{ \"k\" : %d,\n \"html\": \"<a href='x'>&amp;</a>\", \"u\": \"Zürich ✓\" }", k))
		ev.Actor = eventstore.Actor{Person: "staff:li", Vendor: true, Channel: eventstore.ChannelInterface}
	case 2:
		ev.Command = `quote " and back\slash`
		ev.Digest = ""
		ev.Actor = eventstore.Actor{Channel: eventstore.ChannelSystem}
	case 3:
		ev.Data = json.RawMessage(`[1,2.5,"three",null,true,{"nested":{"deep":[]}}]`)
		ev.Actor.Company = ""
	}
}

// appendBatch appends events at expected and fails the test on any error.
func appendBatch(t testing.TB, s eventstore.Store, expected uint64, evs []eventstore.Event) []eventstore.Envelope {
	t.Helper()
	out, err := s.Append(ctxFor(t), expected, evs)
	if err != nil {
		t.Fatalf("Append(expected %d, %d events): %v", expected, len(evs), err)
	}
	if len(out) != len(evs) {
		t.Fatalf("Append returned %d envelopes for %d events", len(out), len(evs))
	}
	return out
}

// fill appends the given batch sizes in order from an empty log and returns
// the events as sent and as written.
func fill(t testing.TB, s eventstore.Store, sizes ...int) ([]eventstore.Event, []eventstore.Envelope) {
	t.Helper()
	var sent []eventstore.Event
	var written []eventstore.Envelope
	for b, n := range sizes {
		evs := makeEvents(b, n)
		written = append(written, appendBatch(t, s, uint64(len(written)), evs)...)
		sent = append(sent, evs...)
	}
	return sent, written
}

// mustHead returns the store's head or fails the test.
func mustHead(t testing.TB, s eventstore.Store) eventstore.Head {
	t.Helper()
	h, err := s.Head(ctxFor(t))
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

// mustRead reads or fails the test.
func mustRead(t testing.TB, s eventstore.Store, from uint64, max int) []eventstore.Envelope {
	t.Helper()
	evs, err := s.Read(ctxFor(t), from, max)
	if err != nil {
		t.Fatalf("Read(from %d, max %d): %v", from, max, err)
	}
	return evs
}

// readAll reads the whole log in batches of 100.
func readAll(t testing.TB, s eventstore.Store) []eventstore.Envelope {
	t.Helper()
	var all []eventstore.Envelope
	err := eventstore.ReadAll(ctxFor(t), s, 1, 100, func(evs []eventstore.Envelope) error {
		all = append(all, evs...)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	return all
}

// verifyChain checks that evs is the log from seq 1 and that its hash chain
// holds, and returns the verified head.
func verifyChain(t testing.TB, evs []eventstore.Envelope) eventstore.Head {
	t.Helper()
	v := eventstore.NewVerifier(eventstore.Head{})
	for i := range evs {
		if err := v.Check(&evs[i]); err != nil {
			t.Fatalf("chain does not verify: %v", err)
		}
	}
	return v.Head()
}

// sameEvent reports how the envelope read back differs from the event sent,
// or "" when it carries exactly that event. Payloads compare as JSON
// values; times must be equal instants, in UTC.
func sameEvent(want eventstore.Event, got eventstore.Envelope) string {
	switch {
	case got.ID != want.ID:
		return fmt.Sprintf("id %q, want %q", got.ID, want.ID)
	case got.Type != want.Type:
		return fmt.Sprintf("type %q, want %q", got.Type, want.Type)
	case !got.Time.Equal(want.Time):
		return fmt.Sprintf("time %v, want %v", got.Time, want.Time)
	case got.Time.Location() != time.UTC:
		return fmt.Sprintf("time %v is not in UTC", got.Time)
	case got.Actor != want.Actor:
		return fmt.Sprintf("actor %+v, want %+v", got.Actor, want.Actor)
	case got.Command != want.Command:
		return fmt.Sprintf("command %q, want %q", got.Command, want.Command)
	case got.Digest != want.Digest:
		return fmt.Sprintf("digest %q, want %q", got.Digest, want.Digest)
	case !slices.Equal(got.Tags, want.Tags):
		return fmt.Sprintf("tags %q, want %q", got.Tags, want.Tags)
	case !sameJSON(got.Data, want.Data):
		return fmt.Sprintf("data %s, want %s", got.Data, want.Data)
	}
	return ""
}

// sameEnvelope reports how two envelopes differ, or "".
func sameEnvelope(want, got eventstore.Envelope) string {
	ev := eventstore.Event{ID: want.ID, Type: want.Type, Time: want.Time, Actor: want.Actor,
		Command: want.Command, Digest: want.Digest, Tags: want.Tags, Data: want.Data}
	switch {
	case got.Seq != want.Seq:
		return fmt.Sprintf("seq %d, want %d", got.Seq, want.Seq)
	case got.Prev != want.Prev:
		return fmt.Sprintf("prev %s, want %s", got.Prev, want.Prev)
	case got.Hash != want.Hash:
		return fmt.Sprintf("hash %s, want %s", got.Hash, want.Hash)
	}
	return sameEvent(ev, got)
}

// sameJSON reports whether two JSON texts hold the same value: adapters
// may compact a payload or escape characters differently, but must not
// change what it says (numbers compare as written).
func sameJSON(a, b []byte) bool {
	va, errA := decodeJSON(a)
	vb, errB := decodeJSON(b)
	if errA != nil || errB != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(va, vb)
}

// decodeJSON decodes one JSON value, keeping numbers as written.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// expectEnvelopes fails the test unless got equals want, envelope by
// envelope.
func expectEnvelopes(t testing.TB, what string, want, got []eventstore.Envelope) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d events (%s), want %d (%s)", what, len(got), seqs(got), len(want), seqs(want))
	}
	for i := range want {
		if d := sameEnvelope(want[i], got[i]); d != "" {
			t.Fatalf("%s: event %d (seq %d): %s", what, i, want[i].Seq, d)
		}
	}
}

// seqs summarizes the positions of evs for failure messages.
func seqs(evs []eventstore.Envelope) string {
	if len(evs) == 0 {
		return "none"
	}
	if len(evs) > 12 {
		return fmt.Sprintf("seq %d..%d", evs[0].Seq, evs[len(evs)-1].Seq)
	}
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return fmt.Sprint(out)
}

// expectConflict fails the test unless err is a *ConflictError with the
// given expected and actual heads.
func expectConflict(t testing.TB, err error, expected, actual uint64) {
	t.Helper()
	if !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("append at stale head %d (log at %d): got error %v, want one matching ErrConflict", expected, actual, err)
	}
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("conflict error %v (%T) is not a *eventstore.ConflictError", err, err)
	}
	if ce.Expected != expected || ce.Actual != actual {
		t.Fatalf("ConflictError{Expected: %d, Actual: %d}, want {Expected: %d, Actual: %d}", ce.Expected, ce.Actual, expected, actual)
	}
}

// withTag keeps the envelopes carrying tag.
func withTag(evs []eventstore.Envelope, tag string) []eventstore.Envelope {
	var out []eventstore.Envelope
	for _, e := range evs {
		if slices.Contains(e.Tags, tag) {
			out = append(out, e)
		}
	}
	return out
}

// fromSeq keeps the envelopes at or after position from.
func fromSeq(evs []eventstore.Envelope, from uint64) []eventstore.Envelope {
	for i, e := range evs {
		if e.Seq >= from {
			return evs[i:]
		}
	}
	return nil
}
