package domain

import "fmt"

// CompanyJoined: company Absorbed was joined into Company. Its projects
// (with their devices, balances and activation keys), members, contracts
// and rights on external projects moved in, and it is deleted. The event
// names the absorbed company so that its history, which stays readable,
// links to the join (State.JoinedInto follows it).
type CompanyJoined struct {
	Company      CompanyID `json:"company"`
	Absorbed     CompanyID `json:"absorbed"`
	AbsorbedName string    `json:"absorbed_name"`
	// Projects moved in, with the name each has afterwards (a name taken
	// in Company gets the absorbed company's id appended).
	Projects []JoinedProject `json:"projects"`
	// Members are the persons who were members of Absorbed only; they keep
	// their right. Persons in both companies keep their right in Company.
	Members []JoinedMember `json:"members,omitempty"`
}

// JoinedProject is one project taken over by a company join.
type JoinedProject struct {
	Project ProjectID `json:"project"`
	Name    string    `json:"name"`
}

// JoinedMember is one membership taken over by a company join.
type JoinedMember struct {
	Person PersonID `json:"person"`
	Membership
}

// EventType implements Event.
func (CompanyJoined) EventType() string { return "CompanyJoined" }

// EventTags implements Event.
func (e CompanyJoined) EventTags() []string {
	tags := []string{e.Company.Tag(), e.Absorbed.Tag()}
	for _, p := range e.Projects {
		tags = append(tags, p.Project.Tag())
	}
	for _, m := range e.Members {
		tags = append(tags, m.Person.Tag())
	}
	return tags
}

func (e CompanyJoined) apply(s *State) error {
	into, ok := s.Companies[e.Company]
	old, okOld := s.Companies[e.Absorbed]
	if !ok || !okOld {
		return fmt.Errorf("%s: unknown company %d or %d", e.EventType(), e.Company, e.Absorbed)
	}
	for _, jp := range e.Projects {
		p, err := s.knownProject(e.EventType(), jp.Project)
		if err != nil {
			return err
		}
		p.Company, p.Name = e.Company, jp.Name
		delete(p.Grants, e.Company) // a right on one's own project means nothing
		into.Projects[p.ID] = struct{}{}
	}
	for _, m := range e.Members {
		into.Members[m.Person] = m.Membership
	}
	s.moveGrantsAndContracts(e.Absorbed, e.Company)
	joinCompanyDevices(s, e.Absorbed, e.Company)
	s.joinCompanyInstances(e.Absorbed, e.Company)
	delete(s.Companies, old.ID)
	s.Absorbed[old.ID] = e.Company
	return nil
}

// moveGrantsAndContracts gives company to the rights on external projects
// and the contracts company from had.
func (s *State) moveGrantsAndContracts(from, to CompanyID) {
	for _, p := range s.Projects {
		if _, ok := p.Grants[from]; !ok {
			continue
		}
		delete(p.Grants, from)
		if p.Company != to {
			p.Grants[to] = struct{}{}
		}
	}
	for _, c := range s.Contracts {
		if c.Company == from {
			c.Company = to
		}
	}
}
