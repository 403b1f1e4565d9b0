package domain

import "fmt"

// Organization is the state of companies, memberships, projects and
// contracts: who may act for which company, and where licenses are kept.
type Organization struct {
	Companies map[CompanyID]*Company
	Projects  map[ProjectID]*Project
	Contracts map[ContractID]*Contract
	// Absorbed maps a company deleted by a company join to the company it
	// was joined into, so history views can follow it after it is gone.
	Absorbed     map[CompanyID]CompanyID
	LastCompany  CompanyID
	LastProject  ProjectID
	LastContract ContractID
}

func newOrganization() Organization {
	return Organization{Companies: map[CompanyID]*Company{}, Projects: map[ProjectID]*Project{},
		Contracts: map[ContractID]*Contract{}, Absorbed: map[CompanyID]CompanyID{}}
}

// Company holds members and projects.
type Company struct {
	ID   CompanyID
	Name string
	// CustomerID is the vendor's 5-digit customer number, linked by vendor
	// staff; empty while not linked.
	CustomerID string
	Members    map[PersonID]Membership
	Projects   map[ProjectID]struct{}
}

func orgEvents() []registration {
	return []registration{reg[CompanyCreated](), reg[MemberAdded](), reg[RightsChanged](), reg[ProjectCreated](),
		reg[MemberRemoved](), reg[CustomerIDLinked](), reg[CompanyJoined](),
		reg[PersonUpdated](), reg[SSAMailSet](),
		reg[ProjectRenamed](), reg[ProjectDescribed](), reg[ProjectPropertiesSet](),
		reg[ProjectRightGranted](), reg[ProjectRightRevoked](), reg[ProjectUnsubscribed](),
		reg[ProjectJoined](), reg[ProjectMoved](), reg[ProjectDeleted](),
		reg[ContractConcluded](), reg[ContractApproved](), reg[ContractCancelled]()}
}

// CompanyCreated: a company exists; its creator becomes Administrator
// (MemberAdded) and its project DEFAULT is created (ProjectCreated).
type CompanyCreated struct {
	Company CompanyID `json:"company"`
	Name    string    `json:"name"`
	Creator PersonID  `json:"creator"`
}

// MemberAdded: a person joined a company with a right.
type MemberAdded struct {
	Company     CompanyID `json:"company"`
	Person      PersonID  `json:"person"`
	Right       Right     `json:"right"`
	BuyOnCredit bool      `json:"buy_on_credit,omitempty"`
}

// RightsChanged: a member's right or buy-on-credit flag changed.
type RightsChanged struct {
	Company     CompanyID `json:"company"`
	Person      PersonID  `json:"person"`
	Right       Right     `json:"right"`
	BuyOnCredit bool      `json:"buy_on_credit,omitempty"`
}

// MemberRemoved: a person is no longer a member of a company.
type MemberRemoved struct {
	Company CompanyID `json:"company"`
	Person  PersonID  `json:"person"`
}

// CustomerIDLinked: vendor staff linked the company to its customer number.
type CustomerIDLinked struct {
	Company    CompanyID `json:"company"`
	CustomerID string    `json:"customer_id"`
}

// EventType implements Event.
func (CompanyCreated) EventType() string { return "CompanyCreated" }

// EventType implements Event.
func (MemberAdded) EventType() string { return "MemberAdded" }

// EventType implements Event.
func (RightsChanged) EventType() string { return "RightsChanged" }

// EventType implements Event.
func (MemberRemoved) EventType() string { return "MemberRemoved" }

// EventType implements Event.
func (CustomerIDLinked) EventType() string { return "CustomerIDLinked" }

// EventTags implements Event.
func (e CompanyCreated) EventTags() []string { return []string{e.Company.Tag(), e.Creator.Tag()} }

// EventTags implements Event.
func (e MemberAdded) EventTags() []string { return []string{e.Company.Tag(), e.Person.Tag()} }

// EventTags implements Event.
func (e RightsChanged) EventTags() []string { return []string{e.Company.Tag(), e.Person.Tag()} }

// EventTags implements Event.
func (e MemberRemoved) EventTags() []string { return []string{e.Company.Tag(), e.Person.Tag()} }

// EventTags implements Event.
func (e CustomerIDLinked) EventTags() []string { return []string{e.Company.Tag()} }

func (e CompanyCreated) apply(s *State) error {
	s.Companies[e.Company] = &Company{ID: e.Company, Name: e.Name,
		Members: map[PersonID]Membership{}, Projects: map[ProjectID]struct{}{}}
	s.LastCompany = max(s.LastCompany, e.Company)
	return nil
}

func (e MemberAdded) apply(s *State) error {
	return s.setMember(e.Company, e.Person, Membership{Right: e.Right, BuyOnCredit: e.BuyOnCredit})
}

func (e RightsChanged) apply(s *State) error {
	return s.setMember(e.Company, e.Person, Membership{Right: e.Right, BuyOnCredit: e.BuyOnCredit})
}

func (e MemberRemoved) apply(s *State) error {
	co, ok := s.Companies[e.Company]
	if !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	delete(co.Members, e.Person)
	return nil
}

func (e CustomerIDLinked) apply(s *State) error {
	co, ok := s.Companies[e.Company]
	if !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	co.CustomerID = e.CustomerID
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

// JoinedInto follows company joins from a deleted company to the company
// that absorbed it (transitively), so a history view of the old company can
// continue in the new one. It reports false for companies never joined.
func (s *State) JoinedInto(c CompanyID) (CompanyID, bool) {
	into, ok := s.Absorbed[c]
	for seen := 0; ok && seen < len(s.Absorbed); seen++ {
		next, more := s.Absorbed[into]
		if !more {
			break
		}
		into = next
	}
	return into, ok
}
