package domain

import (
	"strings"
	"time"
)

// The automatic SSA extension service: a company requests it for a project
// under SSA whose licenses are all under SSA; the vendor activates it
// (after the agreement), and ends it or declines a request. While it is
// active, licenses bound or moved into the project get the project's SSA
// end and their SSC are invoiced (SSAOnArrival), and the project cannot be
// joined into another.

// RequestAutoSSA asks for the automatic SSA extension service of a
// project (the portal's link: a callback and/or the agreement as PDF).
// Refusals, in order: project-not-found, the right to edit the project,
// invalid-text (comment), auto-ssa-active, auto-ssa-requested, project-not-under-ssa (no SSA end,
// or it is over), licenses-not-under-ssa (an SSA line whose end is before
// the project's).
type RequestAutoSSA struct {
	Project  ProjectID
	Callback bool
	Comment  string
}

// CommandType implements Command.
func (RequestAutoSSA) CommandType() string { return "RequestAutoSSA" }

func (c RequestAutoSSA) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	if err := CheckText("comment", strings.TrimSpace(c.Comment), MultiLine, MaxComment); err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	if p.AutoSSA {
		return nil, errAutoSSAActive(p.ID)
	}
	if _, ok := s.AutoSSARequests[p.ID]; ok {
		return nil, Errorf(KindRejected, "auto-ssa-requested", "automatic SSA is already requested for project %d", p.ID)
	}
	if err := s.allUnderSSA(p, DayOf(now)); err != nil {
		return nil, err
	}
	return []Event{AutoSSARequested{Project: p.ID, Company: p.Company, Person: by.Person, Date: DayOf(now),
		Callback: c.Callback, Comment: strings.TrimSpace(c.Comment)}}, nil
}

// ActivateAutoSSA is the vendor putting a project under automatic SSA
// (with or without a prior request). Refusals, in order: vendor-only,
// project-not-found, auto-ssa-active, project-not-under-ssa,
// licenses-not-under-ssa.
type ActivateAutoSSA struct {
	Project ProjectID
}

// CommandType implements Command.
func (ActivateAutoSSA) CommandType() string { return "ActivateAutoSSA" }

func (c ActivateAutoSSA) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	p, err := s.project(c.Project)
	if err != nil {
		return nil, err
	}
	if p.AutoSSA {
		return nil, errAutoSSAActive(p.ID)
	}
	if err := s.allUnderSSA(p, DayOf(now)); err != nil {
		return nil, err
	}
	return []Event{AutoSSAActivated{Project: p.ID, Company: p.Company, Date: DayOf(now)}}, nil
}

// EndAutoSSA is the vendor ending a project's automatic SSA, or declining
// a request. Refusals, in order: vendor-only, project-not-found,
// invalid-text (reason), auto-ssa-not-active (neither active nor
// requested).
type EndAutoSSA struct {
	Project ProjectID
	Reason  string
}

// CommandType implements Command.
func (EndAutoSSA) CommandType() string { return "EndAutoSSA" }

func (c EndAutoSSA) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	p, err := s.project(c.Project)
	if err != nil {
		return nil, err
	}
	if err := CheckText("reason", strings.TrimSpace(c.Reason), MultiLine, MaxReason); err != nil {
		return nil, err
	}
	_, requested := s.AutoSSARequests[p.ID]
	if !p.AutoSSA && !requested {
		return nil, Errorf(KindRejected, "auto-ssa-not-active", "project %d has no automatic SSA and no request", p.ID)
	}
	return []Event{AutoSSAEnded{Project: p.ID, Company: p.Company, Declined: !p.AutoSSA, Reason: strings.TrimSpace(c.Reason)}}, nil
}

func errAutoSSAActive(p ProjectID) error {
	return Errorf(KindRejected, "auto-ssa-active", "project %d is already under automatic SSA", p)
}

// allUnderSSA: the project's SSA end is not over and every SSA line of its
// devices is under SSA at least until it.
func (s *State) allUnderSSA(p *Project, today Day) error {
	end, _ := ParseDay(p.SSAEnd)
	if end.IsZero() || end < today {
		return Errorf(KindRejected, "project-not-under-ssa", "project %d has no SSA end date in the future", p.ID)
	}
	for _, pl := range s.ssaLinesOf(p) {
		if pl.line.SSAEnd < end {
			return Errorf(KindRejected, "licenses-not-under-ssa",
				"license line %d (%s) on %s is not under SSA until %s", pl.id.Line, pl.line.Item, pl.id.MAC, end)
		}
	}
	return nil
}
