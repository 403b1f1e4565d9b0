package domain

import "time"

// GrantProjectRight gives another company, named by its id, rights on a
// project: its members may add devices, licenses and keys to it. Only the
// owning company grants.
type GrantProjectRight struct {
	Project ProjectID
	Grantee CompanyID
}

// CommandType implements Command.
func (GrantProjectRight) CommandType() string { return "GrantProjectRight" }

// decide checks, in order: edit right, grantee exists, not the owner, not
// already granted.
func (c GrantProjectRight) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	if _, err := s.company(c.Grantee); err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	if c.Grantee == p.Company {
		return nil, Errorf(KindRejected, "grant-to-own-company", "a project's own company needs no project right")
	}
	if _, dup := p.Grants[c.Grantee]; dup {
		return nil, Errorf(KindRejected, "already-granted", "company %d already has rights on project %d", c.Grantee, p.ID)
	}
	return []Event{ProjectRightGranted{Project: p.ID, Company: p.Company, Grantee: c.Grantee}}, nil
}

// RevokeProjectRight takes a company's rights on a project away; only the
// owning company revokes.
type RevokeProjectRight struct {
	Project ProjectID
	Grantee CompanyID
}

// CommandType implements Command.
func (RevokeProjectRight) CommandType() string { return "RevokeProjectRight" }

func (c RevokeProjectRight) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	if _, ok := p.Grants[c.Grantee]; !ok {
		return nil, ErrNotGranted
	}
	return []Event{ProjectRightRevoked{Project: p.ID, Company: p.Company, Grantee: c.Grantee}}, nil
}

// ErrNotGranted: the company has no rights on the project.
var ErrNotGranted = &Error{KindNotFound, "project-right-not-found", "the company has no rights on this project"}

// UnsubscribeProject is a grantee giving up its rights on an external
// project: an Administrator or Licenses member of the grantee company.
type UnsubscribeProject struct {
	Project ProjectID
	Company CompanyID // the grantee
}

// CommandType implements Command.
func (UnsubscribeProject) CommandType() string { return "UnsubscribeProject" }

// decide checks, in order: right in the grantee company, project exists,
// the company has rights on it.
func (c UnsubscribeProject) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanLicense(by, c.Company); err != nil {
		return nil, err
	}
	p, err := s.project(c.Project)
	if err != nil {
		return nil, err
	}
	if _, ok := p.Grants[c.Company]; !ok {
		return nil, ErrNotGranted
	}
	return []Event{ProjectUnsubscribed{Project: p.ID, Company: p.Company, Grantee: c.Company}}, nil
}
