package domain

import "time"

// JoinProject joins project Project into project Into of the same company:
// balance, activation keys, devices and free licenses go to Into and
// Project is deleted.
type JoinProject struct {
	Project ProjectID
	Into    ProjectID
}

// CommandType implements Command.
func (JoinProject) CommandType() string { return "JoinProject" }

// decide checks, in order: edit right on Project, Into exists, not the
// same project, same company, Project grants no external rights, Project
// is not under automatic SSA, Project is not linked to a Devices domain
// (project-linked-to-domain), then the SSA engine's refusals when Into is
// under SSA (SSAOnJoin: the joined licenses get Into's SSA end and their
// SSC are paid from both balances, or invoiced under automatic SSA).
func (c JoinProject) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	into, err := s.project(c.Into)
	if err != nil {
		return nil, err
	}
	a := s.Projects[c.Project]
	switch {
	case a.ID == into.ID:
		return nil, Errorf(KindRejected, "same-project", "a project cannot be joined into itself")
	case a.Company != into.Company:
		return nil, Errorf(KindRejected, "different-company", "projects are joined only within one company")
	case len(a.Grants) > 0:
		return nil, ErrProjectHasExternalRights
	case a.AutoSSA:
		return nil, Errorf(KindRejected, "project-auto-ssa", "a project under automatic SSA cannot be joined into another")
	case s.DomainOfProject[a.ID] != "":
		return nil, errProjectLinked(s, a.ID)
	}
	pre, post, err := s.SSAOnJoin(by, a, into, DayOf(now))
	if err != nil {
		return nil, err
	}
	joined := ProjectJoined{Project: a.ID, Into: into.ID, Company: a.Company, Balance: a.Balance.Lines(),
		Free: append([]LicenseLine(nil), s.Free[a.ID]...)}
	return append(append(pre, joined), post...), nil
}

// ErrProjectHasExternalRights: the project grants rights to other
// companies; delete them before joining or deleting it.
var ErrProjectHasExternalRights = &Error{KindRejected, "project-has-external-rights",
	"the project grants rights to other companies; revoke them first"}

// MoveProject moves a project with its devices, activation keys and balance
// to another company, named by id (Administrator of the source company
// only). Project rights are deleted; the history stays with the old
// company.
type MoveProject struct {
	Project ProjectID
	To      CompanyID
}

// CommandType implements Command.
func (MoveProject) CommandType() string { return "MoveProject" }

// decide checks, in order: project exists, Administrator of its company,
// target exists, another company, no negative balance, name free in the
// target, no device of the project already in the target company, not
// linked to a Devices domain (project-linked-to-domain), no device of the
// project also in a rental project (project-devices-rented).
func (c MoveProject) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	p, err := s.project(c.Project)
	if err != nil {
		return nil, err
	}
	if err := s.IsAdministrator(by, p.Company); err != nil {
		return nil, err
	}
	if _, err := s.company(c.To); err != nil {
		return nil, err
	}
	switch {
	case c.To == p.Company:
		return nil, Errorf(KindRejected, "same-company", "the project already belongs to company %d", c.To)
	case hasNegative(p.Balance):
		return nil, Errorf(KindRejected, "negative-balance", "a project with a negative balance cannot be moved")
	case s.projectNameTaken(c.To, p.Name):
		return nil, Errorf(KindRejected, ErrProjectNameTaken.Code, "company %d already has a project named %q; rename it first", c.To, p.Name)
	case projectDevicesInCompany(s, p.ID, c.To):
		return nil, Errorf(KindRejected, "device-in-target-company", "a device of the project is already in company %d", c.To)
	case s.DomainOfProject[p.ID] != "":
		return nil, errProjectLinked(s, p.ID)
	case projectDevicesRented(s, p):
		return nil, Errorf(KindRejected, "project-devices-rented", "a device of the project also sits in a rental project of company %d", p.Company)
	}
	var revoked []CompanyID // nil, not empty, when there were none: the event's JSON omits it
	if len(p.Grants) > 0 {
		revoked = sortedKeys(p.Grants)
	}
	return []Event{ProjectMoved{Project: p.ID, From: p.Company, To: c.To, RevokedGrants: revoked}}, nil
}

func hasNegative(b Balance) bool {
	for _, q := range b {
		if q < 0 {
			return true
		}
	}
	return false
}

// DeleteProject deletes a project that holds nothing.
type DeleteProject struct {
	Project ProjectID
}

// CommandType implements Command.
func (DeleteProject) CommandType() string { return "DeleteProject" }

// decide checks, in order: edit right, no project rights, not linked to a
// Devices domain (project-linked-to-domain), no activation
// keys, no devices, no free licenses, no balance. The portal's per-person
// project rights do not exist in the ledger, so nothing is checked for them.
func (c DeleteProject) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	if len(p.Grants) > 0 {
		return nil, ErrProjectHasExternalRights
	}
	if s.DomainOfProject[p.ID] != "" {
		return nil, errProjectLinked(s, p.ID)
	}
	what := ""
	switch {
	case s.projectHasKeys(p.ID):
		what = "activation keys"
	case projectHasDevices(s, p.ID):
		what = "devices"
	case projectHasFreeLicenses(s, p.ID):
		what = "free licenses"
	case len(p.Balance.Lines()) > 0:
		what = "a balance"
	}
	if what != "" {
		return nil, Errorf(KindRejected, "project-not-empty", "the project has %s; join it into another project instead", what)
	}
	return []Event{ProjectDeleted{Project: p.ID, Company: p.Company}}, nil
}

// projectHasKeys reports activation keys of the project: own keys created
// from it and not yet redeemed or deleted, and keys redeemed into it.
func (s *State) projectHasKeys(id ProjectID) bool {
	for _, k := range s.Keys {
		if k.RedeemedInto == id || k.FromProject == id && k.RedeemedInto == 0 && !k.Deleted {
			return true
		}
	}
	return false
}
