package domain

import "fmt"

// People is the state of persons and their tokens.
type People struct {
	Persons    map[PersonID]*Person
	Emails     map[string]PersonID // lower-cased email -> person
	Tokens     map[string]PersonID // token hash -> person
	LastPerson PersonID
}

func newPeople() People {
	return People{Persons: map[PersonID]*Person{}, Emails: map[string]PersonID{}, Tokens: map[string]PersonID{}}
}

// Person is a registered person.
type Person struct {
	ID     PersonID
	Email  string
	Name   string
	Vendor bool
	Tokens map[string]string // token id -> hash
	// TokenLabels names each token (token id -> label) for the token list.
	TokenLabels map[string]string
	// NoSSAMail: the person opted out of SSA expiry mails.
	NoSSAMail bool
}

func peopleEvents() []registration {
	return []registration{reg[PersonRegistered](), reg[TokenIssued](), reg[TokenRevoked]()}
}

// PersonRegistered: a person exists, with a unique email.
type PersonRegistered struct {
	Person PersonID `json:"person"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Vendor bool     `json:"vendor,omitempty"` // vendor staff (license department)
}

// TokenIssued: a bearer token for a person; only its SHA-256 is kept.
type TokenIssued struct {
	Token  string   `json:"token"` // token id, shown in lists
	Person PersonID `json:"person"`
	Hash   string   `json:"hash"` // hex SHA-256 of the secret
	Label  string   `json:"label,omitempty"`
}

// TokenRevoked: the token no longer authenticates.
type TokenRevoked struct {
	Token  string   `json:"token"`
	Person PersonID `json:"person"`
}

// EventType implements Event.
func (PersonRegistered) EventType() string { return "PersonRegistered" }

// EventType implements Event.
func (TokenIssued) EventType() string { return "TokenIssued" }

// EventType implements Event.
func (TokenRevoked) EventType() string { return "TokenRevoked" }

// EventTags implements Event.
func (e PersonRegistered) EventTags() []string { return []string{e.Person.Tag()} }

// EventTags implements Event.
func (e TokenIssued) EventTags() []string { return []string{e.Person.Tag()} }

// EventTags implements Event.
func (e TokenRevoked) EventTags() []string { return []string{e.Person.Tag()} }

func (e PersonRegistered) apply(s *State) error {
	s.Persons[e.Person] = &Person{ID: e.Person, Email: e.Email, Name: e.Name, Vendor: e.Vendor, Tokens: map[string]string{}}
	s.Emails[normalizeEmail(e.Email)] = e.Person
	s.LastPerson = max(s.LastPerson, e.Person)
	return nil
}

func (e TokenIssued) apply(s *State) error {
	p, ok := s.Persons[e.Person]
	if !ok {
		return fmt.Errorf("%s: unknown person %d", e.EventType(), e.Person)
	}
	p.Tokens[e.Token] = e.Hash
	s.Tokens[e.Hash] = e.Person
	if p.TokenLabels == nil {
		p.TokenLabels = map[string]string{}
	}
	p.TokenLabels[e.Token] = e.Label
	return nil
}

func (e TokenRevoked) apply(s *State) error {
	if p, ok := s.Persons[e.Person]; ok {
		delete(s.Tokens, p.Tokens[e.Token])
		delete(p.Tokens, e.Token)
		delete(p.TokenLabels, e.Token)
	}
	return nil
}
