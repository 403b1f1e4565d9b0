package domain

import "fmt"

// ProjectJoined: project Project was joined into project Into of the same
// company; its balance, keys and devices are now Into's, and it is deleted.
type ProjectJoined struct {
	Project ProjectID `json:"project"`
	Into    ProjectID `json:"into"`
	Company CompanyID `json:"company"`
	// Balance is the joined project's balance that moved, so the event
	// stands alone for auditors.
	Balance []Line `json:"balance,omitempty"`
	// Free is the joined project's free pool that moved, for the same reason
	// and so that the accounting postings can name it.
	Free []LicenseLine `json:"free,omitempty"`
}

// ProjectMoved: a project with its devices, keys and balance belongs to
// another company. Both companies are recorded: the history before the move
// stays with From, the view of To starts here.
type ProjectMoved struct {
	Project ProjectID `json:"project"`
	From    CompanyID `json:"from"`
	To      CompanyID `json:"to"`
	// RevokedGrants are the project rights deleted by the move.
	RevokedGrants []CompanyID `json:"revoked_grants,omitempty"`
}

// EventType implements Event.
func (ProjectJoined) EventType() string { return "ProjectJoined" }

// EventType implements Event.
func (ProjectMoved) EventType() string { return "ProjectMoved" }

// EventTags implements Event.
func (e ProjectJoined) EventTags() []string {
	return []string{e.Company.Tag(), e.Project.Tag(), e.Into.Tag()}
}

// EventTags implements Event.
func (e ProjectMoved) EventTags() []string {
	return []string{e.From.Tag(), e.To.Tag(), e.Project.Tag()}
}

func (e ProjectJoined) apply(s *State) error {
	a, err := s.knownProject(e.EventType(), e.Project)
	if err != nil {
		return err
	}
	b, err := s.knownProject(e.EventType(), e.Into)
	if err != nil {
		return err
	}
	for it, q := range a.Balance {
		b.Balance[it] += q
	}
	s.repointKeys(a.ID, b.ID)
	reassignProjectDevices(s, a.ID, b.ID)
	s.removeProject(a)
	return nil
}

// repointKeys makes activation keys that came from or went into project
// from refer to project to, so no key names a deleted project.
func (s *State) repointKeys(from, to ProjectID) {
	for _, k := range s.Keys {
		if k.FromProject == from {
			k.FromProject = to
		}
		if k.RedeemedInto == from {
			k.RedeemedInto = to
		}
	}
}

func (e ProjectMoved) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err != nil {
		return err
	}
	to, ok := s.Companies[e.To]
	if !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.To)
	}
	if from, ok := s.Companies[p.Company]; ok {
		delete(from.Projects, p.ID)
	}
	to.Projects[p.ID] = struct{}{}
	moveProjectDevices(s, p.ID, p.Company, e.To)
	p.Company = e.To
	p.Grants = map[CompanyID]struct{}{}
	return nil
}
