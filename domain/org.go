package domain

import "fmt"

// Organization is the state of companies, memberships and projects.
type Organization struct {
	Companies   map[CompanyID]*Company
	Projects    map[ProjectID]*Project
	LastCompany CompanyID
	LastProject ProjectID
}

func newOrganization() Organization {
	return Organization{Companies: map[CompanyID]*Company{}, Projects: map[ProjectID]*Project{}}
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

func orgEvents() []registration {
	return []registration{reg[CompanyCreated](), reg[MemberAdded](), reg[RightsChanged](), reg[ProjectCreated]()}
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

// ProjectCreated: a project of a company.
type ProjectCreated struct {
	Project     ProjectID `json:"project"`
	Company     CompanyID `json:"company"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
}

// EventType implements Event.
func (CompanyCreated) EventType() string { return "CompanyCreated" }

// EventType implements Event.
func (MemberAdded) EventType() string { return "MemberAdded" }

// EventType implements Event.
func (RightsChanged) EventType() string { return "RightsChanged" }

// EventType implements Event.
func (ProjectCreated) EventType() string { return "ProjectCreated" }

// EventTags implements Event.
func (e CompanyCreated) EventTags() []string { return []string{e.Company.Tag(), e.Creator.Tag()} }

// EventTags implements Event.
func (e MemberAdded) EventTags() []string { return []string{e.Company.Tag(), e.Person.Tag()} }

// EventTags implements Event.
func (e RightsChanged) EventTags() []string { return []string{e.Company.Tag(), e.Person.Tag()} }

// EventTags implements Event.
func (e ProjectCreated) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

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

func (e ProjectCreated) apply(s *State) error {
	c, ok := s.Companies[e.Company]
	if !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	s.Projects[e.Project] = &Project{ID: e.Project, Company: e.Company, Name: e.Name, Description: e.Description, Balance: Balance{}}
	c.Projects[e.Project] = struct{}{}
	s.LastProject = max(s.LastProject, e.Project)
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
