package domain

import "time"

// Bootstrap creates the vendor administrator and its first token. It is
// accepted only on an empty ledger (no person registered yet).
type Bootstrap struct {
	Email     string
	Name      string
	TokenID   string
	TokenHash string
}

// CommandType implements Command.
func (Bootstrap) CommandType() string { return "Bootstrap" }

func (c Bootstrap) decide(s *State, _ Principal, _ time.Time) ([]Event, error) {
	if len(s.Persons) > 0 {
		return nil, Errorf(KindConflict, "already-initialized", "the ledger already has persons")
	}
	id := s.LastPerson + 1
	return []Event{
		PersonRegistered{Person: id, Email: c.Email, Name: c.Name, Vendor: true},
		TokenIssued{Token: c.TokenID, Person: id, Hash: c.TokenHash, Label: "bootstrap"},
	}, nil
}

// RegisterPerson registers a person with a unique email (compared
// case-insensitively). Vendor staff register persons: the portal backend
// calls it with its service token when someone signs up.
type RegisterPerson struct {
	Email  string
	Name   string
	Vendor bool
}

// CommandType implements Command.
func (RegisterPerson) CommandType() string { return "RegisterPerson" }

func (c RegisterPerson) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	if !validEmail(c.Email) {
		return nil, Errorf(KindInvalid, "invalid-email", "%q is not an email address", c.Email)
	}
	name, err := checkName("name", c.Name, MaxPersonName)
	if err != nil {
		return nil, err
	}
	if _, taken := s.Emails[normalizeEmail(c.Email)]; taken {
		return nil, ErrEmailTaken
	}
	return []Event{PersonRegistered{Person: s.LastPerson + 1, Email: c.Email, Name: name, Vendor: c.Vendor}}, nil
}

// IssueToken gives a person a new bearer token. The caller generates the
// secret and passes only its hash; vendor staff or the person themself.
type IssueToken struct {
	Person    PersonID
	TokenID   string
	TokenHash string
	Label     string
}

// CommandType implements Command.
func (IssueToken) CommandType() string { return "IssueToken" }

func (c IssueToken) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor && by.Person != c.Person {
		return nil, Errorf(KindForbidden, "not-own-person", "tokens may be issued only to oneself")
	}
	if _, err := s.person(c.Person); err != nil {
		return nil, err
	}
	if len(c.TokenHash) != 64 || c.TokenID == "" {
		return nil, Errorf(KindInvalid, "invalid-token", "a token id and a SHA-256 hash are required")
	}
	if err := checkTexts(line("token_id", c.TokenID, MaxDeviceSelector), line("label", c.Label, MaxTokenLabel)); err != nil {
		return nil, err
	}
	if _, dup := s.Tokens[c.TokenHash]; dup {
		return nil, Errorf(KindConflict, "token-exists", "this token is already issued")
	}
	return []Event{TokenIssued{Token: c.TokenID, Person: c.Person, Hash: c.TokenHash, Label: c.Label}}, nil
}

// RevokeToken withdraws a token; vendor staff or the token's person.
type RevokeToken struct {
	Person  PersonID
	TokenID string
}

// CommandType implements Command.
func (RevokeToken) CommandType() string { return "RevokeToken" }

func (c RevokeToken) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor && by.Person != c.Person {
		return nil, Errorf(KindForbidden, "not-own-person", "only one's own tokens may be revoked")
	}
	p, err := s.person(c.Person)
	if err != nil {
		return nil, err
	}
	if _, ok := p.Tokens[c.TokenID]; !ok {
		return nil, Errorf(KindNotFound, "token-not-found", "no token %q", c.TokenID)
	}
	return []Event{TokenRevoked{Token: c.TokenID, Person: c.Person}}, nil
}
