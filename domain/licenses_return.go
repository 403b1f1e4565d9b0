package domain

import (
	"fmt"
	"sort"
)

func returnEvents() []registration {
	return []registration{reg[LicensesReturned](), reg[FreeLicensesBound](), reg[LicensesMoved](),
		reg[RMAReshipped]()}
}

// LicensesReturned: a device's purchased PBX licenses were invalidated and
// went to the free pool of Project with their dates and external keys.
type LicensesReturned struct {
	MAC          MAC           `json:"mac"`
	Company      CompanyID     `json:"company"`
	Project      ProjectID     `json:"project"`
	Lines        []LicenseLine `json:"lines"`
	Confirmation string        `json:"confirmation"`
	Date         string        `json:"date"`
}

// FreeLicensesBound: lines of a project's free pool were bound to a device,
// keeping bind date, SSA end and external key.
type FreeLicensesBound struct {
	MAC     MAC           `json:"mac"`
	Company CompanyID     `json:"company"`
	Project ProjectID     `json:"project"`
	Lines   []LicenseLine `json:"lines"`
}

// LicensesMoved: a device's licenses moved to another device without
// licenses; the source is now an RMA device.
type LicensesMoved struct {
	From    MAC           `json:"from"`
	To      MAC           `json:"to"`
	Company CompanyID     `json:"company"`
	Lines   []LicenseLine `json:"lines"`
}

// RMAReshipped: the vendor reshipped an RMA device; its licenses that were
// not moved went to the free pool of the company's Freed_RMA_licenses
// project (created before, by a ProjectCreated in the same command).
type RMAReshipped struct {
	MAC     MAC           `json:"mac"`
	Company CompanyID     `json:"company"`
	Project ProjectID     `json:"project"`
	Lines   []LicenseLine `json:"lines"`
}

// EventType implements Event.
func (LicensesReturned) EventType() string { return "LicensesReturned" }

// EventType implements Event.
func (FreeLicensesBound) EventType() string { return "FreeLicensesBound" }

// EventType implements Event.
func (LicensesMoved) EventType() string { return "LicensesMoved" }

// EventType implements Event.
func (RMAReshipped) EventType() string { return "RMAReshipped" }

// EventTags implements Event.
func (e LicensesReturned) EventTags() []string {
	return []string{e.MAC.Tag(), e.Company.Tag(), e.Project.Tag()}
}

// EventTags implements Event.
func (e FreeLicensesBound) EventTags() []string {
	return []string{e.MAC.Tag(), e.Company.Tag(), e.Project.Tag()}
}

// EventTags implements Event.
func (e LicensesMoved) EventTags() []string {
	return []string{e.From.Tag(), e.To.Tag(), e.Company.Tag()}
}

// EventTags implements Event.
func (e RMAReshipped) EventTags() []string {
	return []string{e.MAC.Tag(), e.Company.Tag(), e.Project.Tag()}
}

func (e LicensesReturned) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	if err := d.take(e.Lines); err != nil {
		return fmt.Errorf("%s: %w", e.EventType(), err)
	}
	s.addFree(e.Project, e.Lines)
	ids := make([]int64, len(e.Lines))
	for i, l := range e.Lines {
		ids[i] = l.ID
	}
	d.Invalidations = append(d.Invalidations, Invalidation{Confirmation: e.Confirmation, Date: e.Date, Project: e.Project, Lines: ids})
	return nil
}

func (e FreeLicensesBound) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	rest, err := takeLines(s.Free[e.Project], e.Lines)
	if err != nil {
		return fmt.Errorf("%s: free pool of project %d: %w", e.EventType(), e.Project, err)
	}
	s.setFree(e.Project, rest)
	d.Licenses = append(d.Licenses, e.Lines...)
	return nil
}

func (e LicensesMoved) apply(s *State) error {
	from, err := s.deviceForEvent(e.EventType(), e.From)
	if err != nil {
		return err
	}
	to, err := s.deviceForEvent(e.EventType(), e.To)
	if err != nil {
		return err
	}
	if err := from.take(e.Lines); err != nil {
		return fmt.Errorf("%s: %w", e.EventType(), err)
	}
	to.Licenses = append(to.Licenses, e.Lines...)
	if from.RMA == RMANone {
		from.RMA, from.RMACompany = RMARequested, e.Company
	}
	return nil
}

func (e RMAReshipped) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	if err := d.take(e.Lines); err != nil {
		return fmt.Errorf("%s: %w", e.EventType(), err)
	}
	s.addFree(e.Project, e.Lines)
	d.RMA, d.RMACompany = RMANone, 0
	return nil
}

// take removes lines (by id) from the device.
func (d *Device) take(lines []LicenseLine) error {
	rest, err := takeLines(d.Licenses, lines)
	if err != nil {
		return fmt.Errorf("device %s: %w", d.MAC, err)
	}
	d.Licenses = rest
	return nil
}

// takeLines returns from without the lines of take (matched by id).
func takeLines(from, take []LicenseLine) ([]LicenseLine, error) {
	gone := map[int64]bool{}
	for _, l := range take {
		gone[l.ID] = true
	}
	rest := make([]LicenseLine, 0, len(from))
	for _, l := range from {
		if gone[l.ID] {
			delete(gone, l.ID)
			continue
		}
		rest = append(rest, l)
	}
	if len(gone) > 0 {
		return nil, fmt.Errorf("license lines %v not held", sortedIDs(gone))
	}
	return rest, nil
}

func sortedIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (s *State) addFree(p ProjectID, lines []LicenseLine) {
	pool := append(s.Free[p], lines...)
	sort.Slice(pool, func(i, j int) bool { return pool[i].ID < pool[j].ID })
	s.Free[p] = pool
}

func (s *State) setFree(p ProjectID, lines []LicenseLine) {
	if len(lines) == 0 {
		delete(s.Free, p)
		return
	}
	s.Free[p] = lines
}
