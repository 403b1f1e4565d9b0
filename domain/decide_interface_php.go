package domain

import (
	"strings"
	"time"
)

// The commands of the legacy interface.php endpoint. Each is one decision,
// so that a call either does everything it asks or writes nothing: the
// endpoint has no way to report a half-done call.

// InterfaceAddDevice is interface.php's addDevice: one device into a
// project, with the optional description as the device's comment.
// Refusals: those of AddDevices, then invalid-text, invalid-comment.
type InterfaceAddDevice struct {
	Project     ProjectID
	Serial      string
	Description string
}

// CommandType implements Command.
func (InterfaceAddDevice) CommandType() string { return "InterfaceAddDevice" }

func (c InterfaceAddDevice) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	evs, err := AddDevices{Project: c.Project, MACs: []string{c.Serial}}.decide(s, by, now)
	if err != nil {
		return nil, err
	}
	desc := strings.TrimSpace(c.Description)
	if desc == "" {
		return evs, nil
	}
	if err := checkComment(desc); err != nil {
		return nil, err
	}
	m, err := ParseMAC(c.Serial)
	if err != nil {
		return nil, err
	}
	return append(evs, DeviceChanged{MAC: m, Company: s.Projects[c.Project].Company, Name: string(m), Comment: desc}), nil
}

// InterfaceCreateProject is interface.php's createProject: a project of
// the company with its properties (the trust value inherited from the
// project the call was signed for, and the optional update URL).
// With SSAEnd the new project gets that SSA end date: a new project has no
// licenses, so the date is set without any SSC (the event of a project date
// set without license changes, ProjectSSACorrected).
// Refusals: those of CreateProject, then of the properties, then
// ssa-end-too-old (more than one year in the past, as for any project date).
type InterfaceCreateProject struct {
	Company     CompanyID
	Name        string
	Description string
	Properties  ProjectProperties
	SSAEnd      Day
}

// CommandType implements Command.
func (InterfaceCreateProject) CommandType() string { return "InterfaceCreateProject" }

func (c InterfaceCreateProject) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	evs, err := CreateProject{Company: c.Company, Name: c.Name, Description: c.Description}.decide(s, by, now)
	if err != nil {
		return nil, err
	}
	props, err := checkProperties(c.Properties)
	if err != nil {
		return nil, err
	}
	created := evs[0].(ProjectCreated)
	evs = append(evs, ProjectPropertiesSet{Project: created.Project, Company: c.Company, ProjectProperties: props})
	if c.SSAEnd == 0 {
		return evs, nil
	}
	if c.SSAEnd < DayOf(now.AddDate(-1, 0, 0)) {
		return nil, Errorf(KindRejected, "ssa-end-too-old", "an SSA end may be at most one year in the past")
	}
	return append(evs, ProjectSSACorrected{Project: created.Project, Company: c.Company, Person: by.Person, End: c.SSAEnd}), nil
}
