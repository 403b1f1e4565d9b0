package domain

// ProjectRightGranted: another company may now use the project (it is an
// external project for that company).
type ProjectRightGranted struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"` // the owner
	Grantee CompanyID `json:"grantee"`
}

// ProjectRightRevoked: the owner took a company's rights on the project away.
type ProjectRightRevoked struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"` // the owner
	Grantee CompanyID `json:"grantee"`
}

// ProjectUnsubscribed: a grantee gave up its rights on an external project.
type ProjectUnsubscribed struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"` // the owner
	Grantee CompanyID `json:"grantee"`
}

// EventType implements Event.
func (ProjectRightGranted) EventType() string { return "ProjectRightGranted" }

// EventType implements Event.
func (ProjectRightRevoked) EventType() string { return "ProjectRightRevoked" }

// EventType implements Event.
func (ProjectUnsubscribed) EventType() string { return "ProjectUnsubscribed" }

// EventTags implements Event.
func (e ProjectRightGranted) EventTags() []string {
	return []string{e.Company.Tag(), e.Grantee.Tag(), e.Project.Tag()}
}

// EventTags implements Event.
func (e ProjectRightRevoked) EventTags() []string {
	return []string{e.Company.Tag(), e.Grantee.Tag(), e.Project.Tag()}
}

// EventTags implements Event.
func (e ProjectUnsubscribed) EventTags() []string {
	return []string{e.Company.Tag(), e.Grantee.Tag(), e.Project.Tag()}
}

func (e ProjectRightGranted) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err == nil {
		p.Grants[e.Grantee] = struct{}{}
	}
	return err
}

func (e ProjectRightRevoked) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err == nil {
		delete(p.Grants, e.Grantee)
	}
	return err
}

func (e ProjectUnsubscribed) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err == nil {
		delete(p.Grants, e.Grantee)
	}
	return err
}

// ExternalProjectsOf returns the projects other companies granted rights
// on to company c.
func (s *State) ExternalProjectsOf(c CompanyID) []ProjectID {
	var out []ProjectID
	for id, p := range s.Projects {
		if _, ok := p.Grants[c]; ok {
			out = append(out, id)
		}
	}
	return out
}

// CanUseProject allows adding devices, licenses and activation keys to a
// project: the Administrator or Licenses right in the owning company, or in
// a company the project is granted to. The license lifecycle calls it for
// every addition to a project.
func (s *State) CanUseProject(by Principal, id ProjectID) error {
	return s.viaGrant(by, id, s.CanLicense, nil)
}

// CanReadProject allows reading a project: readers of its company, and of
// the companies it is granted to (they work with it, so they see it).
func (s *State) CanReadProject(by Principal, id ProjectID) error {
	return s.viaGrant(by, id, s.CanRead, nil)
}

// CanEditProject allows what only the owning company may do with a project:
// edit it, remove devices, create activation keys from its balance, grant
// rights. Members of grantee companies are refused with
// external-project-restricted.
func (s *State) CanEditProject(by Principal, id ProjectID) error {
	return s.viaGrant(by, id, s.CanLicense, ErrExternalRestricted)
}

// viaGrant checks a project right: allowed in the owning company, or else
// in a company the project is granted to, which then answers granted (nil:
// allowed; an error: refused with it). Otherwise the owner's refusal.
func (s *State) viaGrant(by Principal, id ProjectID, check func(Principal, CompanyID) error, granted error) error {
	p, err := s.project(id)
	if err != nil {
		return err
	}
	own := check(by, p.Company)
	if own == nil || by.Vendor {
		return own
	}
	for g := range p.Grants {
		if check(by, g) == nil {
			return granted
		}
	}
	return own
}

// CanShareBalance reports whether a binding in project `to` may draw from
// the balance of project `from`: only between own projects of one company,
// never with an external project.
func (s *State) CanShareBalance(from, to ProjectID) bool {
	a, okA := s.Projects[from]
	b, okB := s.Projects[to]
	return okA && okB && a.Company == b.Company
}

// ErrExternalRestricted refuses what grantees of an external project may
// not do (edit it, remove devices, create keys from its balance).
var ErrExternalRestricted = &Error{KindForbidden, "external-project-restricted",
	"members of a company with rights on an external project may not do this"}
