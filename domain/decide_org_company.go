package domain

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// LinkCustomerID links a company to the vendor's 5-digit customer number
// (vendor staff only). A customer number names one company.
type LinkCustomerID struct {
	Company    CompanyID
	CustomerID string
}

// CommandType implements Command.
func (LinkCustomerID) CommandType() string { return "LinkCustomerID" }

// decide checks, in order: vendor, company exists, 5 digits, not linked to
// another company.
func (c LinkCustomerID) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	if _, err := s.company(c.Company); err != nil {
		return nil, err
	}
	id := strings.TrimSpace(c.CustomerID)
	if !fiveDigits(id) {
		return nil, Errorf(KindInvalid, "invalid-customer-id", "a customer id has exactly 5 digits, not %q", c.CustomerID)
	}
	for _, co := range s.Companies {
		if co.CustomerID == id && co.ID != c.Company {
			return nil, Errorf(KindRejected, "customer-id-taken", "customer id %s is linked to company %d", id, co.ID)
		}
	}
	return []Event{CustomerIDLinked{Company: c.Company, CustomerID: id}}, nil
}

func fiveDigits(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// RemoveMember takes a person out of a company (Administrator only). The
// last Administrator cannot be removed: a company always has one.
type RemoveMember struct {
	Company CompanyID
	Person  PersonID
}

// CommandType implements Command.
func (RemoveMember) CommandType() string { return "RemoveMember" }

// decide checks, in order: caller is Administrator, person is a member,
// not the last Administrator.
func (c RemoveMember) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.IsAdministrator(by, c.Company); err != nil {
		return nil, err
	}
	co := s.Companies[c.Company]
	m, ok := co.Members[c.Person]
	if !ok {
		return nil, Errorf(KindNotFound, "member-not-found", "person %d is not a member", c.Person)
	}
	if m.Right == RightAdministrator && co.administrators() == 1 {
		return nil, ErrLastAdministrator
	}
	return []Event{MemberRemoved{Company: c.Company, Person: c.Person}}, nil
}

// ErrLastAdministrator refuses what would leave a company without an
// Administrator.
var ErrLastAdministrator = &Error{KindRejected, "last-administrator", "the last administrator of a company must stay administrator"}

// JoinCompany joins company Absorbed into Company: projects, members,
// devices, balances, activation keys and contracts move in and Absorbed is
// deleted. The caller must be Administrator of both companies (the portal
// asks for an admin account of the other company; the ledger checks that
// the caller holds it).
type JoinCompany struct {
	Company  CompanyID
	Absorbed CompanyID
}

// CommandType implements Command.
func (JoinCompany) CommandType() string { return "JoinCompany" }

// decide checks, in order: Administrator of Company, of Absorbed, not the
// same company.
func (c JoinCompany) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.IsAdministrator(by, c.Company); err != nil {
		return nil, err
	}
	if err := s.IsAdministrator(by, c.Absorbed); err != nil {
		return nil, err
	}
	if c.Company == c.Absorbed {
		return nil, Errorf(KindRejected, "same-company", "a company cannot be joined into itself")
	}
	old := s.Companies[c.Absorbed]
	return []Event{CompanyJoined{Company: c.Company, Absorbed: old.ID, AbsorbedName: old.Name,
		Projects: s.joinedProjects(c.Company, old), Members: joinedMembers(s.Companies[c.Company], old)}}, nil
}

// joinedProjects lists the absorbed company's projects in id order, each
// with a name unique in the target company: a taken name gets the absorbed
// company's id appended ("DEFAULT (7)"), then a counter.
func (s *State) joinedProjects(into CompanyID, old *Company) []JoinedProject {
	ids := s.ProjectsOf(old.ID)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	taken := map[string]bool{}
	for _, id := range s.ProjectsOf(into) {
		taken[strings.ToLower(s.Projects[id].Name)] = true
	}
	out := make([]JoinedProject, 0, len(ids))
	for _, id := range ids {
		name := s.Projects[id].Name
		for n := 1; taken[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s (%d)", s.Projects[id].Name, old.ID)
			if n > 1 {
				name = fmt.Sprintf("%s (%d-%d)", s.Projects[id].Name, old.ID, n)
			}
		}
		taken[strings.ToLower(name)] = true
		out = append(out, JoinedProject{Project: id, Name: name})
	}
	return out
}

// joinedMembers lists, in person order, the members of the absorbed
// company who are not members of the target; they keep their rights.
func joinedMembers(into, old *Company) []JoinedMember {
	var out []JoinedMember
	for p, m := range old.Members {
		if _, both := into.Members[p]; !both {
			out = append(out, JoinedMember{Person: p, Membership: m})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Person < out[j].Person })
	return out
}

func (s *State) company(id CompanyID) (*Company, error) {
	c, ok := s.Companies[id]
	if !ok {
		return nil, Errorf(KindNotFound, "company-not-found", "no company %d", id)
	}
	return c, nil
}
