package domain

import (
	"strings"
	"time"
)

// DefaultProjectName is the project every new company starts with.
const DefaultProjectName = "DEFAULT"

// CreateCompany creates a company; the creator becomes its Administrator
// and the project DEFAULT is created.
type CreateCompany struct {
	Name string
}

// CommandType implements Command.
func (CreateCompany) CommandType() string { return "CreateCompany" }

func (c CreateCompany) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	name, err := checkName("name", c.Name, MaxCompanyName)
	if err != nil {
		return nil, err
	}
	if _, err := s.person(by.Person); err != nil {
		return nil, err
	}
	id := s.LastCompany + 1
	return []Event{
		CompanyCreated{Company: id, Name: name, Creator: by.Person},
		MemberAdded{Company: id, Person: by.Person, Right: RightAdministrator},
		ProjectCreated{Project: s.LastProject + 1, Company: id, Name: DefaultProjectName},
	}, nil
}

// AddMember invites a registered person into a company (Administrator only).
type AddMember struct {
	Company     CompanyID
	Person      PersonID
	Right       Right
	BuyOnCredit bool
}

// CommandType implements Command.
func (AddMember) CommandType() string { return "AddMember" }

func (c AddMember) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.IsAdministrator(by, c.Company); err != nil {
		return nil, err
	}
	if _, err := s.person(c.Person); err != nil {
		return nil, err
	}
	if _, err := ParseRight(string(c.Right)); err != nil {
		return nil, err
	}
	if _, dup := s.Companies[c.Company].Members[c.Person]; dup {
		return nil, Errorf(KindRejected, "already-member", "person %d is already a member", c.Person)
	}
	return []Event{MemberAdded{Company: c.Company, Person: c.Person, Right: c.Right, BuyOnCredit: c.BuyOnCredit}}, nil
}

// ChangeRights sets a member's right and buy-on-credit flag (Administrator
// only). The last Administrator cannot give up the right.
type ChangeRights struct {
	Company     CompanyID
	Person      PersonID
	Right       Right
	BuyOnCredit bool
}

// CommandType implements Command.
func (ChangeRights) CommandType() string { return "ChangeRights" }

func (c ChangeRights) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.IsAdministrator(by, c.Company); err != nil {
		return nil, err
	}
	if _, err := ParseRight(string(c.Right)); err != nil {
		return nil, err
	}
	co := s.Companies[c.Company]
	cur, ok := co.Members[c.Person]
	if !ok {
		return nil, Errorf(KindNotFound, "member-not-found", "person %d is not a member", c.Person)
	}
	if cur.Right == RightAdministrator && c.Right != RightAdministrator && co.administrators() == 1 {
		return nil, Errorf(KindRejected, "last-administrator", "the last administrator of a company must stay administrator")
	}
	return []Event{RightsChanged{Company: c.Company, Person: c.Person, Right: c.Right, BuyOnCredit: c.BuyOnCredit}}, nil
}

func (co *Company) administrators() int {
	n := 0
	for _, m := range co.Members {
		if m.Right == RightAdministrator {
			n++
		}
	}
	return n
}

// CreateProject adds a project to a company; names are unique per company
// (compared case-insensitively, as the portal's users read them).
type CreateProject struct {
	Company     CompanyID
	Name        string
	Description string
}

// CommandType implements Command.
func (CreateProject) CommandType() string { return "CreateProject" }

func (c CreateProject) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanLicense(by, c.Company); err != nil {
		return nil, err
	}
	name, err := checkName("name", c.Name, MaxProjectName)
	if err != nil {
		return nil, err
	}
	desc, err := checkDescription(c.Description)
	if err != nil {
		return nil, err
	}
	if s.projectNameTaken(c.Company, name) {
		return nil, Errorf(KindRejected, ErrProjectNameTaken.Code, "the company already has a project named %q", name)
	}
	return []Event{ProjectCreated{Project: s.LastProject + 1, Company: c.Company, Name: name, Description: desc}}, nil
}

func (s *State) projectNameTaken(c CompanyID, name string) bool {
	for id := range s.Companies[c].Projects {
		if strings.EqualFold(s.Projects[id].Name, name) {
			return true
		}
	}
	return false
}
