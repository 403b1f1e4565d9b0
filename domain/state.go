package domain

import "fmt"

// Person is a registered person.
type Person struct {
	ID     PersonID
	Email  string
	Name   string
	Vendor bool
	Tokens map[string]string // token id -> hash
}

// Company holds members and projects.
type Company struct {
	ID       CompanyID
	Name     string
	Members  map[PersonID]Membership
	Projects map[ProjectID]struct{}
}

// Project belongs to one company and has its own balance.
type Project struct {
	ID          ProjectID
	Company     CompanyID
	Name        string
	Description string
	Balance     Balance
}

// Key is an activation key.
type Key struct {
	KeyIssued
	RedeemedInto ProjectID // 0 while not redeemed
}

// State is everything the deciders need, built by Evolve from the log. It
// is mutable for speed: the single writer applies events to it in place.
type State struct {
	Catalog   *Catalog
	Persons   map[PersonID]*Person
	Emails    map[string]PersonID // lower-cased email -> person
	Tokens    map[string]PersonID // token hash -> person
	Companies map[CompanyID]*Company
	Projects  map[ProjectID]*Project
	Keys      map[string]*Key

	LastPerson  PersonID
	LastCompany CompanyID
	LastProject ProjectID
}

// NewState returns the empty state for a catalog.
func NewState(c *Catalog) *State {
	return &State{
		Catalog: c,
		Persons: map[PersonID]*Person{}, Emails: map[string]PersonID{}, Tokens: map[string]PersonID{},
		Companies: map[CompanyID]*Company{}, Projects: map[ProjectID]*Project{}, Keys: map[string]*Key{},
	}
}

// Evolve applies one event to the state. Events come from the log and were
// decided against the state they are applied to, so a mismatch (an unknown
// project, say) means a corrupt log and is returned as an error.
func (s *State) Evolve(e Event) error {
	switch e := e.(type) {
	case PersonRegistered:
		s.Persons[e.Person] = &Person{ID: e.Person, Email: e.Email, Name: e.Name, Vendor: e.Vendor, Tokens: map[string]string{}}
		s.Emails[normalizeEmail(e.Email)] = e.Person
		s.LastPerson = max(s.LastPerson, e.Person)
	case TokenIssued:
		p, ok := s.Persons[e.Person]
		if !ok {
			return fmt.Errorf("%s: unknown person %d", e.EventType(), e.Person)
		}
		p.Tokens[e.Token] = e.Hash
		s.Tokens[e.Hash] = e.Person
	case TokenRevoked:
		if p, ok := s.Persons[e.Person]; ok {
			delete(s.Tokens, p.Tokens[e.Token])
			delete(p.Tokens, e.Token)
		}
	case CompanyCreated:
		s.Companies[e.Company] = &Company{ID: e.Company, Name: e.Name,
			Members: map[PersonID]Membership{}, Projects: map[ProjectID]struct{}{}}
		s.LastCompany = max(s.LastCompany, e.Company)
	case MemberAdded:
		return s.setMember(e.Company, e.Person, Membership{Right: e.Right, BuyOnCredit: e.BuyOnCredit})
	case RightsChanged:
		return s.setMember(e.Company, e.Person, Membership{Right: e.Right, BuyOnCredit: e.BuyOnCredit})
	case ProjectCreated:
		c, ok := s.Companies[e.Company]
		if !ok {
			return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
		}
		s.Projects[e.Project] = &Project{ID: e.Project, Company: e.Company, Name: e.Name, Description: e.Description, Balance: Balance{}}
		c.Projects[e.Project] = struct{}{}
		s.LastProject = max(s.LastProject, e.Project)
	case KeyIssued:
		s.Keys[e.Code] = &Key{KeyIssued: e}
		if p, ok := s.Projects[e.FromProject]; ok {
			p.Balance.Add(e.Lines, -1)
		}
	case KeyRedeemed:
		k, ok := s.Keys[e.Code]
		p, okp := s.Projects[e.Project]
		if !ok || !okp {
			return fmt.Errorf("%s: unknown key %q or project %d", e.EventType(), e.Code, e.Project)
		}
		k.RedeemedInto = e.Project
		p.Balance.Add(e.Lines, +1)
	default:
		return fmt.Errorf("evolve: unhandled event %T", e)
	}
	return nil
}

func (s *State) setMember(c CompanyID, p PersonID, m Membership) error {
	co, ok := s.Companies[c]
	if !ok {
		return fmt.Errorf("membership: unknown company %d", c)
	}
	co.Members[p] = m
	return nil
}

// ProjectsOf returns the ids of a company's own projects.
func (s *State) ProjectsOf(c CompanyID) []ProjectID {
	co, ok := s.Companies[c]
	if !ok {
		return nil
	}
	out := make([]ProjectID, 0, len(co.Projects))
	for id := range co.Projects {
		out = append(out, id)
	}
	return out
}
