package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Command is a request to change the ledger. Each command type has one
// decider that reads the state and returns the events to append, or an error
// and no events.
type Command interface {
	// CommandType is the stable name used in metrics and logs.
	CommandType() string
	decide(s *State, by Principal, now time.Time) ([]Event, error)
}

// Decide runs the command's decider. It is pure: it reads s and now and
// changes nothing; the caller applies the returned events with Evolve.
func Decide(s *State, by Principal, c Command, now time.Time) ([]Event, error) {
	evs, err := c.decide(s, by, now)
	if err != nil || len(s.DomainOfProject) == 0 {
		return evs, err
	}
	// A rental runs on its project's iSC, which other commands change too
	// (keys redeemed into it or created from it, project joins): rental.go.
	return s.withRentalNotes(evs, now), nil
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// validEmail is deliberately loose: one @ with text on both sides and a dot
// in the domain. The portal confirms addresses by mail; the ledger only
// needs a stable, unique key.
func validEmail(e string) bool {
	at := strings.IndexByte(e, '@')
	return at > 0 && at == strings.LastIndexByte(e, '@') && strings.Contains(e[at+1:], ".") &&
		!strings.ContainsFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) &&
		utf8.ValidString(e) && len(e) <= 254
}

// checkName validates a display name: trimmed, 1..maxLen runes.
func checkName(field, v string, maxLen int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", Errorf(KindInvalid, "invalid-"+field, "%s must not be empty", field)
	}
	if len([]rune(v)) > maxLen {
		return "", Errorf(KindInvalid, "invalid-"+field, "%s must be at most %d characters", field, maxLen)
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return !IsTextRune(r, SingleLine) }) {
		// Names end up in read-model tables and mails; Postgres text cannot
		// hold NUL, and no user types a control character into a name.
		return "", Errorf(KindInvalid, "invalid-"+field, "%s must be valid text without control characters", field)
	}
	return v, nil
}

func (s *State) project(id ProjectID) (*Project, error) {
	p, ok := s.Projects[id]
	if !ok {
		return nil, Errorf(KindNotFound, "project-not-found", "no project %d", id)
	}
	return p, nil
}

func (s *State) person(id PersonID) (*Person, error) {
	p, ok := s.Persons[id]
	if !ok {
		return nil, Errorf(KindNotFound, "person-not-found", "no person %d", id)
	}
	return p, nil
}
