package domain

import (
	"fmt"
	"sort"
	"strconv"
	"sync"
)

// Event is a past-tense fact. Its wire name is explicit and stable; it is
// the one name in code, log and API. Each event type applies itself to the
// state (in the file of its area), so areas grow without a central switch.
type Event interface {
	EventType() string
	// EventTags lists the entities the event touches (company:, project:,
	// device:, key:, person:, domain:), for history and per-entity reads.
	EventTags() []string
	apply(s *State) error
}

// Identifiers are small sequential numbers, allocated by the deciders from
// the state, so that replay gives the same ids and the portal can show them
// (project ids appear in interface.php calls).
type (
	PersonID  int64
	CompanyID int64
	ProjectID int64
)

// Tag returns the envelope tag of a person.
func (id PersonID) Tag() string { return "person:" + strconv.FormatInt(int64(id), 10) }

// Tag returns the envelope tag of a company.
func (id CompanyID) Tag() string { return "company:" + strconv.FormatInt(int64(id), 10) }

// Tag returns the envelope tag of a project.
func (id ProjectID) Tag() string { return "project:" + strconv.FormatInt(int64(id), 10) }

// KeyTag is the tag of an activation key.
func KeyTag(code string) string { return "key:" + code }

// registration ties a wire name to its decoder.
type registration struct {
	name   string
	decode func([]byte) (Event, error)
}

// reg registers event type T under the name its EventType returns, so a
// name is written once, in the type's own method.
func reg[T Event]() registration {
	var zero T
	scratch := &sync.Pool{New: func() any { return new(T) }}
	return registration{name: zero.EventType(), decode: func(data []byte) (Event, error) { return decodeAs[T](scratch, data) }}
}

// decodeAs decodes into a pooled *T: the value is copied into the Event
// interface anyway, and a replay decodes millions of events, so decoding
// into a fresh T would allocate every event twice.
func decodeAs[T Event](scratch *sync.Pool, data []byte) (Event, error) {
	p := scratch.Get().(*T)
	defer scratch.Put(p)
	*p = *new(T)
	if err := unmarshal(data, p); err != nil {
		return nil, fmt.Errorf("event %s: %w", (*p).EventType(), err)
	}
	return *p, nil
}

// eventTypes lists every event type, area by area. A new area adds its
// list here.
func eventTypes() [][]registration {
	return [][]registration{peopleEvents(), orgEvents(), keyEvents(), deviceEvents(), licenseEvents(), returnEvents(), extraEvents(), ssaEvents(), reminderEvents(), rentalEvents()}
}

// decoders is the wire-name table, built once from eventTypes.
var decoders = func() map[string]func([]byte) (Event, error) {
	m := map[string]func([]byte) (Event, error){}
	for _, area := range eventTypes() {
		for _, r := range area {
			if _, dup := m[r.name]; dup {
				panic("domain: event type registered twice: " + r.name) // caught by TestEventTypes
			}
			m[r.name] = r.decode
		}
	}
	return m
}()

// DecodeEvent turns a wire type and payload into a typed event value. An
// unknown type is an error, never a panic.
func DecodeEvent(typ string, data []byte) (Event, error) {
	d, ok := decoders[typ]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", typ)
	}
	return d(data)
}

// EventTypeNames lists every wire name, sorted.
func EventTypeNames() []string {
	out := make([]string, 0, len(decoders))
	for n := range decoders {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
