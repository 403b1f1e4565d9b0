package domain

import "fmt"

// PersonUpdated: a person's name and email changed (the email stays unique,
// compared case-insensitively).
type PersonUpdated struct {
	Person PersonID `json:"person"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
}

// SSAMailSet: whether a person receives SSA expiry mails. Persons receive
// them unless they opted out.
type SSAMailSet struct {
	Person  PersonID `json:"person"`
	Receive bool     `json:"receive"`
}

// EventType implements Event.
func (PersonUpdated) EventType() string { return "PersonUpdated" }

// EventType implements Event.
func (SSAMailSet) EventType() string { return "SSAMailSet" }

// EventTags implements Event.
func (e PersonUpdated) EventTags() []string { return []string{e.Person.Tag()} }

// EventTags implements Event.
func (e SSAMailSet) EventTags() []string { return []string{e.Person.Tag()} }

func (e PersonUpdated) apply(s *State) error {
	p, ok := s.Persons[e.Person]
	if !ok {
		return fmt.Errorf("%s: unknown person %d", e.EventType(), e.Person)
	}
	delete(s.Emails, normalizeEmail(p.Email))
	p.Name, p.Email = e.Name, e.Email
	s.Emails[normalizeEmail(e.Email)] = e.Person
	return nil
}

func (e SSAMailSet) apply(s *State) error {
	p, ok := s.Persons[e.Person]
	if !ok {
		return fmt.Errorf("%s: unknown person %d", e.EventType(), e.Person)
	}
	p.NoSSAMail = !e.Receive
	return nil
}
