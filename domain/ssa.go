package domain

import (
	"encoding/json"
	"fmt"
)

// SoftwareService is the state of the SSA engine beyond the project fields
// (Project.SSAEnd, Project.AutoSSA): pending requests for the automatic
// extension service and SSC owed by invoice. docs/ssa.md describes the
// rules.
type SoftwareService struct {
	// AutoSSARequests are projects whose automatic SSA extension service
	// was requested and not yet activated or declined by the vendor.
	AutoSSARequests map[ProjectID]AutoSSARequested
	// Invoices are SSC used without a balance debit (automatic SSA), in
	// log order, for the vendor to invoice.
	Invoices []SSCInvoiced
}

func newSoftwareService() SoftwareService {
	return SoftwareService{AutoSSARequests: map[ProjectID]AutoSSARequested{}}
}

func ssaEvents() []registration {
	return []registration{reg[ProjectSSAExtended](), reg[ProjectSSACorrected](), reg[AutoSSARequested](),
		reg[AutoSSAActivated](), reg[AutoSSAEnded](), reg[LinesSSAExtended](), reg[SSCInvoiced]()}
}

// SSALine is a priced license line of a device: the calculator's answer
// with the line's identity. Line is the license line id (0 for a license to
// be bound later, in previews only).
type SSALine struct {
	Project ProjectID `json:"project,omitempty"`
	MAC     MAC       `json:"mac,omitempty"`
	Line    int64     `json:"line,omitempty"`
	SSCLineQuote
}

// Payment says how the SSC of an extension are settled.
type Payment string

// The payments of an SSA extension.
const (
	PayBalance Payment = "balance" // debited from the project's SSC balance
	PayCredit  Payment = "credit"  // debited, the shortfall bought on credit (CreditPurchased before)
	PayInvoice Payment = "invoice" // automatic SSA: recorded for invoicing, no debit
	PayNone    Payment = "none"    // nothing to pay
)

// ProjectSSAExtended: a project's SSA end was set or extended on CalcDate;
// every line with a NewEnd got it, and Total SSC were paid as Payment says
// (debited from the project's balance unless invoiced).
type ProjectSSAExtended struct {
	Project     ProjectID `json:"project"`
	Company     CompanyID `json:"company"`
	Person      PersonID  `json:"person,omitempty"`
	Previous    Day       `json:"previous,omitempty"`
	End         Day       `json:"end"`
	CalcDate    Day       `json:"calc_date"`
	MaxSSC      *int64    `json:"max_ssc,omitempty"`
	Lines       []SSALine `json:"lines"`
	Exact       string    `json:"exact"`
	Total       int64     `json:"total"`
	Payment     Payment   `json:"payment"`
	OrderNumber string    `json:"order_number,omitempty"`
}

// ProjectSSACorrected: a project's SSA end was corrected to a past date
// (at most a year ago); no license changed.
type ProjectSSACorrected struct {
	Project  ProjectID `json:"project"`
	Company  CompanyID `json:"company"`
	Person   PersonID  `json:"person,omitempty"`
	Previous Day       `json:"previous,omitempty"`
	End      Day       `json:"end"`
}

// AutoSSARequested: a company asked for the automatic SSA extension
// service of a project (callback or agreement); the vendor activates it.
type AutoSSARequested struct {
	Project  ProjectID `json:"project"`
	Company  CompanyID `json:"company"`
	Person   PersonID  `json:"person"`
	Date     Day       `json:"date"`
	Callback bool      `json:"callback,omitempty"`
	Comment  string    `json:"comment,omitempty"`
}

// AutoSSAActivated: the project is under automatic SSA extension.
type AutoSSAActivated struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	Date    Day       `json:"date"`
}

// AutoSSAEnded: the automatic SSA extension of a project ended, or a
// request was declined (Declined), by the vendor.
type AutoSSAEnded struct {
	Project  ProjectID `json:"project"`
	Company  CompanyID `json:"company"`
	Declined bool      `json:"declined,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

// LinesSSAExtended: license lines bound or moved into an SSA project got
// its SSA end (Lines with a NewEnd); Total SSC were paid as Payment says.
// It accompanies a binding, a device move or a project join.
type LinesSSAExtended struct {
	Project     ProjectID `json:"project"`
	Company     CompanyID `json:"company"`
	Person      PersonID  `json:"person,omitempty"`
	Cause       string    `json:"cause"` // bind, move, join
	End         Day       `json:"end"`
	CalcDate    Day       `json:"calc_date"`
	Lines       []SSALine `json:"lines"`
	Exact       string    `json:"exact"`
	Total       int64     `json:"total"`
	Payment     Payment   `json:"payment"`
	OrderNumber string    `json:"order_number,omitempty"`
}

// SSCInvoiced: SSC used under automatic SSA, owed by invoice (no balance
// debit). Recorded beside the extension so the invoice list is one event
// type.
type SSCInvoiced struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	Cause   string    `json:"cause"` // extend, bind, move, join
	Date    Day       `json:"date"`
	SSC     int64     `json:"ssc"`
	Exact   string    `json:"exact"`
}

// EventType implements Event.
func (ProjectSSAExtended) EventType() string { return "ProjectSSAExtended" }

// EventType implements Event.
func (ProjectSSACorrected) EventType() string { return "ProjectSSACorrected" }

// EventType implements Event.
func (AutoSSARequested) EventType() string { return "AutoSSARequested" }

// EventType implements Event.
func (AutoSSAActivated) EventType() string { return "AutoSSAActivated" }

// EventType implements Event.
func (AutoSSAEnded) EventType() string { return "AutoSSAEnded" }

// EventType implements Event.
func (LinesSSAExtended) EventType() string { return "LinesSSAExtended" }

// EventType implements Event.
func (SSCInvoiced) EventType() string { return "SSCInvoiced" }

// EventTags implements Event.
func (e ProjectSSAExtended) EventTags() []string {
	return withLineTags([]string{e.Company.Tag(), e.Project.Tag()}, e.Person, e.Lines)
}

// EventTags implements Event.
func (e ProjectSSACorrected) EventTags() []string {
	return withLineTags([]string{e.Company.Tag(), e.Project.Tag()}, e.Person, nil)
}

// EventTags implements Event.
func (e AutoSSARequested) EventTags() []string {
	return []string{e.Company.Tag(), e.Project.Tag(), e.Person.Tag()}
}

// EventTags implements Event.
func (e AutoSSAActivated) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

// EventTags implements Event.
func (e AutoSSAEnded) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

// EventTags implements Event.
func (e LinesSSAExtended) EventTags() []string {
	return withLineTags([]string{e.Company.Tag(), e.Project.Tag()}, e.Person, e.Lines)
}

// EventTags implements Event.
func (e SSCInvoiced) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

// withLineTags adds the person and each device once.
func withLineTags(tags []string, p PersonID, ls []SSALine) []string {
	if p != 0 {
		tags = append(tags, p.Tag())
	}
	seen := map[MAC]bool{}
	for _, l := range ls {
		if l.MAC != "" && !seen[l.MAC] {
			seen[l.MAC] = true
			tags = append(tags, l.MAC.Tag())
		}
	}
	return tags
}

func (e ProjectSSAExtended) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err != nil {
		return err
	}
	if err := s.setLineEnds(e.EventType(), e.Lines); err != nil {
		return err
	}
	p.SSAEnd = e.End.String()
	if e.Payment == PayBalance || e.Payment == PayCredit {
		p.Balance[sscItem] -= e.Total
	}
	return nil
}

func (e ProjectSSACorrected) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err == nil {
		p.SSAEnd = e.End.String()
	}
	return err
}

func (e AutoSSARequested) apply(s *State) error {
	if _, err := s.knownProject(e.EventType(), e.Project); err != nil {
		return err
	}
	s.AutoSSARequests[e.Project] = e
	return nil
}

func (e AutoSSAActivated) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err != nil {
		return err
	}
	p.AutoSSA = true
	delete(s.AutoSSARequests, e.Project)
	return nil
}

func (e AutoSSAEnded) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err != nil {
		return err
	}
	p.AutoSSA = false
	delete(s.AutoSSARequests, e.Project)
	return nil
}

func (e LinesSSAExtended) apply(s *State) error {
	p, err := s.knownProject(e.EventType(), e.Project)
	if err != nil {
		return err
	}
	if err := s.setLineEnds(e.EventType(), e.Lines); err != nil {
		return err
	}
	if e.Payment == PayBalance || e.Payment == PayCredit {
		p.Balance[sscItem] -= e.Total
	}
	return nil
}

func (e SSCInvoiced) apply(s *State) error {
	s.Invoices = append(s.Invoices, e)
	return nil
}

// sscItem is the SSC currency in a balance.
var sscItem = Item{Type: "SSC"}

// setLineEnds gives every line with a NewEnd its end. A line that is not
// on its device means a corrupt log.
func (s *State) setLineEnds(event string, ls []SSALine) error {
	for _, l := range ls {
		if l.NewEnd.IsZero() || l.Line == 0 {
			continue
		}
		d, ok := s.Devices[l.MAC]
		if !ok {
			return fmt.Errorf("%s: unknown device %s", event, l.MAC)
		}
		i := lineIndex(d, l.Line)
		if i < 0 {
			return fmt.Errorf("%s: device %s has no license line %d", event, l.MAC, l.Line)
		}
		d.Licenses[i].SSAEnd = l.NewEnd.String()
	}
	return nil
}

func lineIndex(d *Device, id int64) int {
	for i, l := range d.Licenses {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// fingerprintSSA writes the SSA engine's state in sorted order, with the
// project SSA fields (which live in Project but are the engine's).
func (s *State) fingerprintSSA(enc *json.Encoder) {
	for _, id := range sortedKeys(s.Projects) {
		p := s.Projects[id]
		_ = enc.Encode([]any{"project-ssa", id, p.SSAEnd, p.AutoSSA})
	}
	for _, id := range sortedKeys(s.AutoSSARequests) {
		_ = enc.Encode([]any{"auto-ssa-request", s.AutoSSARequests[id]})
	}
	_ = enc.Encode([]any{"invoices", s.Invoices})
	s.fingerprintReminders(enc)
}
