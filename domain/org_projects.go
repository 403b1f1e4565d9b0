package domain

import (
	"fmt"
	"strings"
)

// Project belongs to one company and has its own balance.
type Project struct {
	ID          ProjectID
	Company     CompanyID
	Name        string
	Description string
	Balance     Balance
	Properties  ProjectProperties
	// Grants are the other companies given rights on this project (it is
	// an external project for them).
	Grants map[CompanyID]struct{}
	// AutoSSA is set by the SSA engine when the project is under automatic
	// SSA extension; such a project cannot be joined into another.
	AutoSSA bool
	// SSAEnd is the project SSA end date (YYYY-MM-DD), empty when none; the
	// SSA engine sets it.
	SSAEnd string
}

// ProjectProperties are the settings of the portal's project Properties
// page: what config.innovaphone.com/init hands to devices, the trust value
// of interface.php, the Devices App link and CC mail addresses.
type ProjectProperties struct {
	UpdateURL          string   `json:"update_url,omitempty"`
	TrustedCertificate string   `json:"trusted_certificate,omitempty"`
	TrustValue         string   `json:"trust_value,omitempty"`
	DevicesAppGUID     string   `json:"devices_app_guid,omitempty"`
	CCMails            []string `json:"cc_mails,omitempty"`
}

// ProjectCreated: a project of a company.
type ProjectCreated struct {
	Project     ProjectID `json:"project"`
	Company     CompanyID `json:"company"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
}

// ProjectRenamed: a project has a new name, unique in its company.
type ProjectRenamed struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	Name    string    `json:"name"`
}

// ProjectDescribed: a project's description changed (empty clears it).
type ProjectDescribed struct {
	Project     ProjectID `json:"project"`
	Company     CompanyID `json:"company"`
	Description string    `json:"description"`
}

// ProjectPropertiesSet: a project's properties were replaced as a whole.
type ProjectPropertiesSet struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	ProjectProperties
}

// ProjectDeleted: an empty project is gone.
type ProjectDeleted struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
}

// EventType implements Event.
func (ProjectCreated) EventType() string { return "ProjectCreated" }

// EventType implements Event.
func (ProjectRenamed) EventType() string { return "ProjectRenamed" }

// EventType implements Event.
func (ProjectDescribed) EventType() string { return "ProjectDescribed" }

// EventType implements Event.
func (ProjectPropertiesSet) EventType() string { return "ProjectPropertiesSet" }

// EventType implements Event.
func (ProjectDeleted) EventType() string { return "ProjectDeleted" }

// EventTags implements Event.
func (e ProjectCreated) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

// EventTags implements Event.
func (e ProjectRenamed) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

// EventTags implements Event.
func (e ProjectDescribed) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

// EventTags implements Event.
func (e ProjectPropertiesSet) EventTags() []string {
	return []string{e.Company.Tag(), e.Project.Tag()}
}

// EventTags implements Event.
func (e ProjectDeleted) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

func (e ProjectCreated) apply(s *State) error {
	c, ok := s.Companies[e.Company]
	if !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	s.Projects[e.Project] = &Project{ID: e.Project, Company: e.Company, Name: e.Name, Description: e.Description,
		Balance: Balance{}, Grants: map[CompanyID]struct{}{}}
	c.Projects[e.Project] = struct{}{}
	s.LastProject = max(s.LastProject, e.Project)
	return nil
}

func (e ProjectRenamed) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err == nil {
		p.Name = e.Name
	}
	return err
}

func (e ProjectDescribed) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err == nil {
		p.Description = e.Description
	}
	return err
}

func (e ProjectPropertiesSet) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err == nil {
		p.Properties = e.ProjectProperties
	}
	return err
}

func (e ProjectDeleted) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err != nil {
		return err
	}
	s.removeProject(p)
	return nil
}

// knownProject is the apply-side lookup: a missing project means a corrupt
// log, not a refusal.
func (s *State) knownProject(event string, id ProjectID) (*Project, error) {
	p, ok := s.Projects[id]
	if !ok {
		return nil, fmt.Errorf("%s: unknown project %d", event, id)
	}
	return p, nil
}

// removeProject deletes a project from the state and from its company.
func (s *State) removeProject(p *Project) {
	if c, ok := s.Companies[p.Company]; ok {
		delete(c.Projects, p.ID)
	}
	delete(s.Projects, p.ID)
}

// FreedRMAProjectName is the project that receives the licenses of RMA
// devices reshipped before their licenses were moved (auto-created).
const FreedRMAProjectName = "Freed_RMA_licenses"

// IsFreedRMAProject reports whether a project name is the Freed_RMA_licenses
// project, recognized by name as the portal does.
func IsFreedRMAProject(name string) bool { return name == FreedRMAProjectName }

// RentalDomainOf returns the Devices App domain of a rental project, whose
// name is the domain between two `$` signs (`$example.com$`).
func RentalDomainOf(name string) (string, bool) {
	if len(name) < 3 || !strings.HasPrefix(name, "$") || !strings.HasSuffix(name, "$") {
		return "", false
	}
	d := name[1 : len(name)-1]
	if strings.Contains(d, "$") {
		return "", false
	}
	return d, true
}
