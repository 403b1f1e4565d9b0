package bolt

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/innolic/ledger/eventstore"
)

// awkwardEvents covers the shapes the fast encoder and decoder must get
// exactly right or hand over to encoding/json.
func awkwardEvents() []eventstore.Event {
	base := eventstore.Event{
		ID: "id", Type: "t", Time: time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC),
		Actor: eventstore.Actor{Channel: eventstore.ChannelAPI}, Command: "c", Data: json.RawMessage(`{}`),
	}
	with := func(f func(*eventstore.Event)) eventstore.Event { e := base; f(&e); return e }
	return []eventstore.Event{
		base,
		with(func(e *eventstore.Event) { e.Tags = []string{"a", "b:c", "a"} }),
		with(func(e *eventstore.Event) { e.Tags = []string{} }),
		with(func(e *eventstore.Event) { e.Digest = "sha256:ab" }),
		with(func(e *eventstore.Event) {
			e.Actor = eventstore.Actor{Person: "p", Vendor: true, Company: "co", Channel: "x"}
		}),
		with(func(e *eventstore.Event) { e.Actor = eventstore.Actor{Vendor: true} }),
		with(func(e *eventstore.Event) { e.Actor = eventstore.Actor{Company: "only"} }),
		with(func(e *eventstore.Event) { e.ID = `quote " back \ tab 	 nl` + "\n" }),
		with(func(e *eventstore.Event) { e.Type = "<html> & friends" }),
		with(func(e *eventstore.Event) { e.Command = "Zürich ✓ 日本 \u2028" }),
		with(func(e *eventstore.Event) { e.Tags = []string{"bad\xffutf8"} }),
		with(func(e *eventstore.Event) { e.Data = nil }),
		with(func(e *eventstore.Event) { e.Data = json.RawMessage(" [ 1 , \"<a>\" , {\"x\" : null} ] ") }),
		with(func(e *eventstore.Event) { e.Data = json.RawMessage(`"just a string"`) }),
		with(func(e *eventstore.Event) { e.Data = json.RawMessage(`12.5e3`) }),
		with(func(e *eventstore.Event) { e.Time = time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 7200)) }),
		with(func(e *eventstore.Event) { e.Time = time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 7200)) }),
		with(func(e *eventstore.Event) { e.Time = time.Time{} }),
		with(func(e *eventstore.Event) { e.ID, e.Type, e.Command, e.Actor.Channel = "", "", "", "" }),
		with(func(e *eventstore.Event) { e.Data = json.RawMessage(`{"s":"` + strings.Repeat("x", 5000) + `"}`) }),
	}
}

// TestSealMatchesEventstore holds seal to eventstore.Seal: same envelopes,
// same chain, for single events and for batches sealed in parallel.
func TestSealMatchesEventstore(t *testing.T) {
	evs := awkwardEvents()
	for len(evs) < 3*parallelSeal {
		evs = append(evs, awkwardEvents()...)
	}
	head := eventstore.Head{Seq: 41, Hash: eventstore.Digest{1, 2, 3}}
	for _, batch := range [][]eventstore.Event{evs[:1], evs[:7], evs} {
		want, err := eventstore.Seal(head, batch)
		if err != nil {
			t.Fatal(err)
		}
		got, err := seal(head, batch)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.envs, want) {
			t.Fatalf("seal of %d events differs from eventstore.Seal", len(batch))
		}
		if got.last() != (eventstore.Head{Seq: want[len(want)-1].Seq, Hash: want[len(want)-1].Hash}) {
			t.Fatalf("last() is not the last envelope")
		}
	}
}

// TestEncodingMatchesJSON holds the stored bytes to encoding/json's
// encoding of the envelope, as the file format promises.
func TestEncodingMatchesJSON(t *testing.T) {
	b, err := seal(eventstore.Head{}, awkwardEvents())
	if err != nil {
		t.Fatal(err)
	}
	for i := range b.envs {
		want, err := json.Marshal(b.envs[i])
		if err != nil {
			t.Fatal(err)
		}
		if validUTF8(&b.envs[i]) && !bytes.Equal(b.vals[i], want) {
			t.Fatalf("event %d stored as\n%s\nencoding/json says\n%s", i, b.vals[i], want)
		}
	}
}

// validUTF8 reports whether every string of e is valid UTF-8. Only then is
// encoding/json's output a fixed reference: for invalid UTF-8 its builds
// differ (see eventstore.appendCanonical, which pins \ufffd).
func validUTF8(e *eventstore.Envelope) bool {
	for _, s := range append([]string{e.ID, e.Type, e.Actor.Person, e.Actor.Company, e.Actor.Channel, e.Command, e.Digest}, e.Tags...) {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// TestSealRejects checks the events that cannot be stored.
func TestSealRejects(t *testing.T) {
	ev := awkwardEvents()[0]
	bad := []func(*eventstore.Event){
		func(e *eventstore.Event) { e.Data = json.RawMessage(`{"open":`) },
		func(e *eventstore.Event) { e.Data = json.RawMessage{} },
		func(e *eventstore.Event) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	for i, f := range bad {
		e := ev
		f(&e)
		if _, err := seal(eventstore.Head{}, []eventstore.Event{ev, e}); err == nil {
			t.Errorf("case %d: seal accepted an event it cannot store", i)
		}
	}
}

// TestDecodeMatchesJSON holds decode to json.Unmarshal on everything the
// writer produces, and on records the fast path must refuse.
func TestDecodeMatchesJSON(t *testing.T) {
	b, err := seal(eventstore.Head{Seq: 9}, awkwardEvents())
	if err != nil {
		t.Fatal(err)
	}
	records := b.vals
	records = append(records,
		[]byte(`{"seq":3,"id":"x","type":"t","time":"2024-01-01T00:00:00+02:00","actor":{"channel":"a"},"command":"c","data":{},"prev":"`+strings.Repeat("0", 64)+`","hash":"`+strings.Repeat("A", 64)+`"}`),
		[]byte(`{"seq":3,"id":"x","type":"t","time":"2024-01-01T00:00:00Z","actor":{"channel":"a"},"command":"c","tags":[],"data": {} ,"prev":"`+strings.Repeat("0", 64)+`","hash":"`+strings.Repeat("1", 64)+`"}`),
		[]byte(`{"hash":"`+strings.Repeat("1", 64)+`","seq":3,"data":[1]}`),
	)
	fast := 0
	var f fields // shared, as readers share it: nothing may carry over
	for i, v := range records {
		var want, got eventstore.Envelope
		if err := json.Unmarshal(v, &want); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if decodeFast(v, &got, &f) {
			fast++
		}
		if err := decode(v, &got, &f); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("record %d decodes as\n%+v\nencoding/json says\n%+v", i, got, want)
		}
	}
	if fast < len(b.vals)/2 {
		t.Fatalf("only %d of %d records took the fast path", fast, len(records))
	}
	var e eventstore.Envelope
	if err := decode([]byte(`{"seq":1,"id":`), &e, &f); err == nil {
		t.Fatal("a torn record decoded")
	}
}

// FuzzCodec writes fuzzed events and reads them back: the stored bytes
// must be encoding/json's, and decoding them must give json.Unmarshal's
// result.
func FuzzCodec(f *testing.F) {
	f.Add("id", "type", "person", "company", "api", "cmd", "dig", "tag", `{"a":1}`, int64(0), true)
	f.Add(`"`, "<>&", "\xff", "\u2028", "", "", "", "", `[1, 2]`, int64(-1e18), false)
	f.Fuzz(func(t *testing.T, id, typ, person, company, channel, command, digest, tag, data string, nanos int64, vendor bool) {
		ev := eventstore.Event{
			ID: id, Type: typ, Time: time.Unix(0, nanos), Command: command, Digest: digest,
			Actor: eventstore.Actor{Person: person, Vendor: vendor, Company: company, Channel: channel},
			Tags:  []string{tag, "fixed"}, Data: json.RawMessage(data),
		}
		b, err := seal(eventstore.Head{}, []eventstore.Event{ev})
		if err != nil {
			return // not JSON, or not representable: refused, fine
		}
		want, err := json.Marshal(b.envs[0])
		if err != nil || validUTF8(&b.envs[0]) && !bytes.Equal(b.vals[0], want) {
			t.Fatalf("stored %s, encoding/json %s (%v)", b.vals[0], want, err)
		}
		var got, back eventstore.Envelope
		if err := decode(b.vals[0], &got, &fields{}); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, back) {
			t.Fatalf("decode %+v, json.Unmarshal %+v", got, back)
		}
	})
}
