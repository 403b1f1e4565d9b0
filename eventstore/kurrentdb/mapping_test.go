package kurrentdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/innolic/ledger/eventstore"
)

// These tests need no server: they pin down the translations the adapter's
// correctness rests on.

func TestExpectedRevision(t *testing.T) {
	cases := []struct {
		head uint64
		want esdb.ExpectedRevision
	}{
		{0, esdb.NoStream{}},
		{1, esdb.StreamRevision{Value: 0}},
		{2, esdb.StreamRevision{Value: 1}},
		{1000, esdb.StreamRevision{Value: 999}},
	}
	for _, c := range cases {
		if got := expectedRevision(c.head); got != c.want {
			t.Errorf("expectedRevision(%d) = %#v, want %#v", c.head, got, c.want)
		}
	}
}

func TestPositions(t *testing.T) {
	cases := []struct {
		from            uint64
		read, subscribe esdb.StreamPosition
	}{
		{0, esdb.Start{}, esdb.Start{}},
		{1, esdb.Start{}, esdb.Start{}},
		// seq 2 is revision 1: a read starts at it, a subscription after revision 0.
		{2, esdb.Revision(1), esdb.Revision(0)},
		{10, esdb.Revision(9), esdb.Revision(8)},
	}
	for _, c := range cases {
		if got := readFrom(c.from); got != c.read {
			t.Errorf("readFrom(%d) = %#v, want %#v", c.from, got, c.read)
		}
		if got := subscribeFrom(c.from); got != c.subscribe {
			t.Errorf("subscribeFrom(%d) = %#v, want %#v", c.from, got, c.subscribe)
		}
	}
	if seqOf(0) != 1 || seqOf(41) != 42 {
		t.Errorf("seqOf(0), seqOf(41) = %d, %d; want 1, 42", seqOf(0), seqOf(41))
	}
	if readCount(5) != 5 || readCount(0) != 1<<63-1 || readCount(-1) != 1<<63-1 {
		t.Errorf("readCount: 5 -> %d, 0 -> %d, -1 -> %d", readCount(5), readCount(0), readCount(-1))
	}
}

func TestEventID(t *testing.T) {
	given := "0190b6c2-7d1e-7a3b-9c4d-000000000001"
	var h1, h2 eventstore.Digest
	h2[0] = 1
	if got := eventID(given, "cmd", 0, h1); got.String() != given {
		t.Errorf("a uuid id became %s, want it kept", got)
	}
	derived := eventID("", "cmd", 1, h1)
	for _, id := range []string{"", "not-a-uuid", uuid.Nil.String()} {
		if got := eventID(id, "cmd", 1, h2); got != derived {
			t.Errorf("id %q of cmd/1 derived to %s, want %s (independent of the hash)", id, got, derived)
		}
	}
	if derived.Version() != 5 {
		t.Errorf("derived id has version %d, want 5 (SHA-1 name based)", derived.Version())
	}
	if eventID("", "cmd", 0, h1) == derived || eventID("", "other", 1, h1) == derived {
		t.Error("derived ids of another index or command collide")
	}
	if eventID("", "", 0, h1) == eventID("", "", 0, h2) || eventID("", "", 0, h1) != eventID("", "", 7, h1) {
		t.Error("without a command, the id must follow the event's hash only")
	}
}

func TestEventIDsCountPerCommand(t *testing.T) {
	// Two commands interleaved in one batch: each command's events are
	// numbered 0, 1, ... as if the command had been appended alone.
	envs := []eventstore.Envelope{{Command: "a"}, {Command: "b"}, {Command: "a"}, {Command: "b"}}
	ids := eventIDs(envs)
	alone := eventIDs([]eventstore.Envelope{{Command: "b"}, {Command: "b"}})
	if ids[1] != alone[0] || ids[3] != alone[1] {
		t.Errorf("ids of command b depend on the batch: %v vs %v", ids, alone)
	}
	if ids[0] == ids[2] || ids[0] == ids[1] {
		t.Errorf("ids collide: %v", ids)
	}
}

func TestClientURL(t *testing.T) {
	cases := map[string]string{
		"esdb://localhost:2113?tls=false":          "esdb://localhost:2113?tls=false",
		"kurrentdb://localhost:2113?tls=false":     "esdb://localhost:2113?tls=false",
		"KurrentDB://admin:changeit@h:2113":        "esdb://admin:changeit@h:2113",
		"kurrentdb+discover://a:2113,b:2113":       "esdb+discover://a:2113,b:2113",
		"kurrent://localhost:2113":                 "esdb://localhost:2113",
		"kdb+discover://cluster.example.com:2113":  "esdb+discover://cluster.example.com:2113",
		"esdb+discover://cluster.example.com:2113": "esdb+discover://cluster.example.com:2113",
		"http://localhost:2113":                    "http://localhost:2113",
		"localhost:2113":                           "localhost:2113",
	}
	for in, want := range cases {
		if got := clientURL(in); got != want {
			t.Errorf("clientURL(%q) = %q, want %q", in, got, want)
		}
	}
	// The rewritten forms must be accepted by the client's own parser.
	conf, err := esdb.ParseConnectionString(clientURL("kurrentdb://localhost:2113?tls=false"))
	if err != nil {
		t.Fatalf("ParseConnectionString of the rewritten kurrentdb:// URL: %v", err)
	}
	if conf.Address != "localhost:2113" || !conf.DisableTLS {
		t.Errorf("parsed address %q, tls disabled %v; want localhost:2113, true", conf.Address, conf.DisableTLS)
	}
	if _, err := esdb.ParseConnectionString(clientURL("kurrentdb+discover://a:2113,b:2113")); err != nil {
		t.Errorf("ParseConnectionString of a rewritten gossip-seed URL: %v", err)
	}
}

func TestParseWrongExpected(t *testing.T) {
	// The messages are those client.go builds for a wrong expected version.
	cases := []struct {
		msg  string
		head uint64
		ok   bool
	}{
		{"wrong expected version: expecting '4' but got '9'", 10, true},
		{"wrong expected version: expecting 'no_stream' but got '0'", 1, true},
		{"wrong expected version: expecting '3' but got 'no_stream'", 0, true},
		{"[ErrorCodeWrongExpectedVersion] an append request failed the optimistic concurrency on the server: wrong expected version: expecting '1' but got '2'", 3, true},
		{"something else", 0, false},
		{"expecting '1' but got 'x'", 0, false},
	}
	for _, c := range cases {
		head, ok := parseWrongExpected(c.msg)
		if head != c.head || ok != c.ok {
			t.Errorf("parseWrongExpected(%q) = %d, %v; want %d, %v", c.msg, head, ok, c.head, c.ok)
		}
	}
}

func TestSpans(t *testing.T) {
	got := spans([]uint64{1, 2, 5, 40, 41, 100}, 32)
	want := []span{{1, 5}, {40, 41}, {100, 100}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spans = %v, want %v", got, want)
	}
	if got := spans(nil, 32); len(got) != 0 {
		t.Errorf("spans(nil) = %v", got)
	}
}

// sealed builds n chained envelopes with awkward content: HTML, non-ASCII,
// white space in the payload, a non-UTC time.
func sealed(t *testing.T, n int) []eventstore.Envelope {
	t.Helper()
	evs := make([]eventstore.Event, n)
	for i := range evs {
		evs[i] = eventstore.Event{
			ID: uuid.NewString(), Type: "t", Command: "c",
			Time:  time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600)),
			Tags:  []string{"all", fmt.Sprintf("n:%d", i%2)},
			Data:  json.RawMessage(fmt.Sprintf("{ \"html\" : \"<a href='x'>&amp;</a>\",\n \"u\": \"Zürich ✓\", \"i\": %d }", i)),
			Actor: eventstore.Actor{Channel: eventstore.ChannelAPI},
		}
	}
	envs, err := eventstore.Seal(eventstore.Head{}, evs)
	if err != nil {
		t.Fatal(err)
	}
	return envs
}

func TestStoredFormKeepsPayloadAndChain(t *testing.T) {
	envs := sealed(t, 3)
	data, err := eventData(envs)
	if err != nil {
		t.Fatal(err)
	}
	v := eventstore.NewVerifier(eventstore.Head{})
	for i, d := range data {
		if d.EventType != "t" || d.ContentType != esdb.ContentTypeJson || d.EventID.String() != envs[i].ID {
			t.Fatalf("event %d: type %q, content type %v, id %s", i, d.EventType, d.ContentType, d.EventID)
		}
		if strings.Contains(string(d.Data), `\u003c`) {
			t.Errorf("event %d is stored HTML-escaped: %s", i, d.Data)
		}
		got, err := decode(&esdb.RecordedEvent{StreamID: "s", EventNumber: uint64(i), Data: d.Data})
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Check(&got); err != nil {
			t.Fatalf("decoded event %d does not verify: %v", i, err)
		}
		if !strings.Contains(string(got.Data), "<a href='x'>&amp;</a>") || got.Time.Location() != time.UTC {
			t.Errorf("decoded event %d: data %s, time %v", i, got.Data, got.Time)
		}
	}
	// An envelope at another revision than its position is not ours.
	if _, err := decode(&esdb.RecordedEvent{StreamID: "s", EventNumber: 5, Data: data[0].Data}); err == nil {
		t.Error("decode accepted an envelope at the wrong revision")
	}
	if _, err := decode(&esdb.RecordedEvent{StreamID: "s", Data: []byte("not json")}); err == nil {
		t.Error("decode accepted a non-JSON event")
	}
	if _, err := eventData([]eventstore.Envelope{{}}); err == nil {
		t.Error("eventData accepted an event without a type")
	}
}

func TestTagIndex(t *testing.T) {
	envs := sealed(t, 6)
	x := newTagIndex()
	for i := range envs {
		if err := x.add(&envs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(x.positions("n:1", 1, 0)); got != "[2 4 6]" {
		t.Errorf("positions(n:1) = %s", got)
	}
	if got := fmt.Sprint(x.positions("all", 3, 2)); got != "[3 4]" {
		t.Errorf("positions(all, from 3, max 2) = %s", got)
	}
	if got := x.positions("none", 1, 0); len(got) != 0 {
		t.Errorf("positions(none) = %v", got)
	}
	// The index only grows along the chain.
	var chain *eventstore.ChainError
	if err := x.add(&envs[2]); !errors.As(err, &chain) {
		t.Errorf("adding an event out of order: %v, want a ChainError", err)
	}
}

func TestTestStream(t *testing.T) {
	if got := testStream("TestConformance/RoundTrip-1a2b"); got != "ledger-test-TestConformance_RoundTrip-1a2b" {
		t.Errorf("testStream = %q", got)
	}
}

// TestOpenFailsCleanly needs no server: a refused connection, a bad
// connection string and a system stream name are errors, returned promptly.
func TestOpenFailsCleanly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close() // nothing listens there now: connections are refused
	start := time.Now()
	if s, err := Open(ctx, "esdb://"+addr+"?tls=false", Options{}); err == nil {
		s.Close()
		t.Fatal("Open succeeded without a server")
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("Open took %v to fail", d)
	}
	for _, c := range []struct{ url, stream string }{
		{"http://localhost:2113", ""},
		{"esdb://localhost:2113?tls=false", "$all"},
	} {
		if s, err := Open(ctx, c.url, Options{Stream: c.stream}); err == nil {
			s.Close()
			t.Errorf("Open(%q, stream %q) succeeded", c.url, c.stream)
		}
	}
}
