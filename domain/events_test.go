package domain_test

import (
	"encoding/json"
	"reflect"
	"testing"

	. "github.com/innolic/ledger/domain"
)

// TestEventRegistry: every registered wire name decodes to a type that
// answers that same name, survives a JSON round trip and names at least one
// entity in its tags.
func TestEventRegistry(t *testing.T) {
	names := EventTypeNames()
	if len(names) < 20 {
		t.Fatalf("only %d event types registered", len(names))
	}
	for _, name := range names {
		e, err := DecodeEvent(name, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e.EventType() != name {
			t.Errorf("wire name %s decodes to %T, which calls itself %s", name, e, e.EventType())
		}
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := DecodeEvent(name, data)
		if err != nil || !reflect.DeepEqual(back, e) {
			t.Errorf("%s: round trip gave %#v, %v", name, back, err)
		}
		if len(e.EventTags()) == 0 {
			t.Errorf("%s has no tags: history could not find it", name)
		}
	}
}

// TestDecodeStartsFromZero: decoders reuse their scratch values, and
// nothing of one event may leak into the next of its type.
func TestDecodeStartsFromZero(t *testing.T) {
	full := KeyIssued{Code: "K", Lines: []Line{{Item: Item{Type: "PBX-Port", Version: 13}, Quantity: 2}}, FromProject: 3, Comment: "c"}
	data, _ := json.Marshal(full)
	for _, c := range []struct {
		data string
		want KeyIssued
	}{{string(data), full}, {`{}`, KeyIssued{}}, {string(data), full}, {`{"code":"L"}`, KeyIssued{Code: "L"}}} {
		e, err := DecodeEvent("ActivationKeyIssued", []byte(c.data))
		if err != nil || !reflect.DeepEqual(e, c.want) {
			t.Fatalf("%s decodes as %#v, %v; want %#v", c.data, e, err, c.want)
		}
	}
}

func TestUnknownEventIsAnError(t *testing.T) {
	if _, err := DecodeEvent("NoSuchEvent", []byte(`{}`)); err == nil {
		t.Fatal("unknown event type decoded")
	}
	if _, err := DecodeEvent("PersonRegistered", []byte(`{"person":"x"}`)); err == nil {
		t.Fatal("malformed payload decoded")
	}
}

// FuzzDecodeEvent: no input makes decoding panic.
func FuzzDecodeEvent(f *testing.F) {
	for _, name := range EventTypeNames() {
		f.Add(name, []byte(`{}`))
	}
	f.Add("ActivationKeyIssued", []byte(`{"code":"K","lines":[{"type":"PBX-Port","version":13,"quantity":2}]}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		_, _ = DecodeEvent(typ, data)
	})
}
