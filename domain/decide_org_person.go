package domain

import (
	"strings"
	"time"
)

// UpdatePerson changes a person's name and email (the left bar's personal
// account settings): the person themself or vendor staff. The email stays
// unique, compared case-insensitively; a person may change only the case
// of their own address.
type UpdatePerson struct {
	Person PersonID
	Name   string
	Email  string
}

// CommandType implements Command.
func (UpdatePerson) CommandType() string { return "UpdatePerson" }

// decide checks, in order: own person, person exists, email, name, email
// not taken by another person.
func (c UpdatePerson) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor && by.Person != c.Person {
		return nil, Errorf(KindForbidden, "not-own-person", "only one's own person record may be changed")
	}
	if _, err := s.person(c.Person); err != nil {
		return nil, err
	}
	email := strings.TrimSpace(c.Email)
	if !validEmail(email) {
		return nil, Errorf(KindInvalid, "invalid-email", "%q is not an email address", c.Email)
	}
	name, err := checkName("name", c.Name, MaxPersonName)
	if err != nil {
		return nil, err
	}
	if other, taken := s.Emails[normalizeEmail(email)]; taken && other != c.Person {
		return nil, ErrEmailTaken
	}
	return []Event{PersonUpdated{Person: c.Person, Name: name, Email: email}}, nil
}

// SetSSAMail sets whether a person receives SSA expiry mails: the person
// themself, vendor staff, or an Administrator of a company the person is a
// member of (the portal's Company > Users page edits this flag).
type SetSSAMail struct {
	Person  PersonID
	Receive bool
}

// CommandType implements Command.
func (SetSSAMail) CommandType() string { return "SetSSAMail" }

func (c SetSSAMail) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if _, err := s.person(c.Person); err != nil {
		return nil, err
	}
	if !by.Vendor && by.Person != c.Person && !s.administersMemberOf(by, c.Person) {
		return nil, Errorf(KindForbidden, "not-own-person", "only one's own SSA mail flag, or a member's as Administrator, may be changed")
	}
	return []Event{SSAMailSet{Person: c.Person, Receive: c.Receive}}, nil
}

// administersMemberOf reports whether by is Administrator of a company
// person p is a member of.
func (s *State) administersMemberOf(by Principal, p PersonID) bool {
	for id, co := range s.Companies {
		if _, ok := co.Members[p]; ok && s.IsAdministrator(by, id) == nil {
			return true
		}
	}
	return false
}
