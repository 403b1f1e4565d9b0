package domain

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// SSAQuoteRequest asks the price of an SSA end for a project's license
// lines, or (Project 0, Company set) for all the company's projects at once,
// which is a preview only. Exactly one of End and MaxSSC is given.
type SSAQuoteRequest struct {
	Project ProjectID
	Company CompanyID // with Project 0: every project of the company
	End     Day
	MaxSSC  *int64
	// CalcDate previews another calculation date; zero is today. Only a
	// calculation for today can be confirmed.
	CalcDate Day
	// OptOut lists license line ids that get no SSA.
	OptOut []int64
	// Extra are licenses to be bound later (preview only), priced as bound
	// on the calculation date.
	Extra []Line
}

// SSAQuote is the answer of the Software Service page: every SSA license
// line of the scope with its price, the total, and what the balance covers.
type SSAQuote struct {
	Project  ProjectID `json:"project,omitempty"`
	Company  CompanyID `json:"company"`
	Previous Day       `json:"previous,omitempty"` // the project's SSA end before
	AutoSSA  bool      `json:"auto_ssa,omitempty"`
	CalcDate Day       `json:"calc_date"`
	End      Day       `json:"end"`
	// Correction: the end is in the past (at most a year); confirming only
	// corrects the project date and changes no license.
	Correction bool      `json:"correction,omitempty"`
	Lines      []SSALine `json:"lines"`
	Exact      string    `json:"exact"`
	Total      int64     `json:"total"`
	// Balance is the SSC in the project's balance (all projects' for a
	// company preview); Shortfall is what confirming would buy on credit.
	Balance   int64 `json:"ssc_balance"`
	Shortfall int64 `json:"shortfall"`
	// Confirmable: one project, calculated for today, no licenses to be
	// bound later.
	Confirmable bool `json:"confirmable"`
}

// QuoteSSA prices an SSA end without writing anything: the query behind
// the Software Service page (and its previews). Readers of the company may
// ask. Refusals, in order: invalid-ssa-request (no scope, or not exactly
// one of end and max SSC), project-not-found/company-not-found, the
// caller's read access, then the checks of quoteSSA.
func (s *State) QuoteSSA(by Principal, r SSAQuoteRequest, now time.Time) (SSAQuote, error) {
	if r.Project == 0 && r.Company == 0 {
		return SSAQuote{}, Errorf(KindInvalid, "invalid-ssa-request", "a quote needs a project or a company")
	}
	company := r.Company
	if r.Project != 0 {
		p, err := s.project(r.Project)
		if err != nil {
			return SSAQuote{}, err
		}
		company = p.Company
	}
	if err := s.CanRead(by, company); err != nil {
		return SSAQuote{}, err
	}
	r.Company = company
	return s.quoteSSA(r, DayOf(now))
}

// quoteSSA computes a quote for a scope already authorized. Checks, in
// order: exactly one of end and max SSC (invalid-ssa-request), a past end
// more than a year before the calculation date (ssa-end-too-old),
// opt-out ids not in the scope (license-line-not-in-project), extra
// licenses (catalog checks, invalid-quantity, no-ssc-value), then the
// calculator's refusals.
func (s *State) quoteSSA(r SSAQuoteRequest, today Day) (SSAQuote, error) {
	if r.End.IsZero() == (r.MaxSSC == nil) {
		return SSAQuote{}, Errorf(KindInvalid, "invalid-ssa-request", "give exactly one of an SSA end date and a maximum SSC amount")
	}
	calc := r.CalcDate
	if calc.IsZero() {
		calc = today
	}
	q := SSAQuote{Project: r.Project, Company: r.Company, CalcDate: calc, End: r.End, Lines: []SSALine{}, Exact: "0",
		Confirmable: r.Project != 0 && calc == today && len(r.Extra) == 0}
	projects := s.quoteScope(r)
	for _, p := range projects {
		q.Balance += p.Balance[sscItem]
	}
	if r.Project != 0 {
		p := projects[0]
		q.Previous, _ = ParseDay(p.SSAEnd)
		q.AutoSSA = p.AutoSSA
	}
	if r.MaxSSC == nil && r.End < calc {
		if r.End < DayOf(calc.Time().AddDate(-1, 0, 0)) {
			return SSAQuote{}, Errorf(KindRejected, "ssa-end-too-old", "an SSA end may be at most one year in the past")
		}
		q.Correction = true
		return q, nil
	}
	lines, ids, err := s.scopeLines(projects, r)
	if err != nil {
		return SSAQuote{}, err
	}
	var cq SSCQuote
	if r.MaxSSC != nil {
		cq, err = s.Catalog.QuoteSSCMax(lines, calc, *r.MaxSSC)
	} else {
		cq, err = s.Catalog.QuoteSSC(lines, calc, r.End)
	}
	if err != nil {
		return SSAQuote{}, err
	}
	q.End, q.Exact, q.Total = cq.End, cq.Exact, cq.Total
	for i, l := range cq.Lines {
		id := ids[i]
		id.SSCLineQuote = l
		q.Lines = append(q.Lines, id)
	}
	q.Shortfall = max(0, q.Total-max(0, q.Balance))
	return q, nil
}

// quoteScope is the project, or every project of the company by id.
func (s *State) quoteScope(r SSAQuoteRequest) []*Project {
	if r.Project != 0 {
		return []*Project{s.Projects[r.Project]}
	}
	ids := s.ProjectsOf(r.Company)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]*Project, len(ids))
	for i, id := range ids {
		out[i] = s.Projects[id]
	}
	return out
}

// scopeLines lists the SSA lines of the projects (devices by MAC, lines in
// device order), then the extra licenses, as calculator input with their
// identities.
func (s *State) scopeLines(projects []*Project, r SSAQuoteRequest) ([]SSCLine, []SSALine, error) {
	optOut := map[int64]bool{}
	for _, id := range r.OptOut {
		optOut[id] = true
	}
	var lines []SSCLine
	var ids []SSALine
	for _, p := range projects {
		for _, pl := range s.ssaLinesOf(p) {
			l := pl.line
			l.OptOut = optOut[pl.id.Line]
			delete(optOut, pl.id.Line)
			lines, ids = append(lines, l), append(ids, pl.id)
		}
	}
	for id := range optOut {
		return nil, nil, Errorf(KindRejected, "license-line-not-in-project", "license line %d is not an SSA line of this project", id)
	}
	for _, x := range r.Extra {
		l, err := s.extraLine(x)
		if err != nil {
			return nil, nil, err
		}
		lines, ids = append(lines, l), append(ids, SSALine{Project: r.Project})
	}
	return lines, ids, nil
}

// projectLine is one SSA line of a project with its identity.
type projectLine struct {
	id   SSALine
	line SSCLine
}

// ssaLinesOf lists the SSA lines of the devices in a project: purchased
// lines of license types with an SSC value. Rental licenses are paid in
// iSC, test and app-development licenses expire or are free, and types
// without an SSC value (gateway channels, warranty) have no SSA.
func (s *State) ssaLinesOf(p *Project) []projectLine {
	var out []projectLine
	for _, m := range SortedMACs(s.Devices) {
		d := s.Devices[m]
		if pl, ok := d.In[p.Company]; !ok || pl.Project != p.ID {
			continue
		}
		for _, l := range d.Licenses {
			if pl, ok := s.ssaLine(p.ID, m, l); ok {
				out = append(out, pl)
			}
		}
	}
	return out
}

// ssaLine is a license line as calculator input, if it is an SSA line:
// purchased, of a type with an SSC value.
func (s *State) ssaLine(p ProjectID, m MAC, l LicenseLine) (projectLine, bool) {
	v, ok := s.sscValue(l.Item)
	if !ok || (l.Origin != OriginPurchased && l.Origin != "") {
		return projectLine{}, false
	}
	bound, _ := ParseDay(l.BindDate)
	end, _ := ParseDay(l.SSAEnd)
	return projectLine{id: SSALine{Project: p, MAC: m, Line: l.ID},
		line: SSCLine{Item: l.Item, Units: l.Quantity, Bound: bound, SSAEnd: end, Value: v}}, true
}

// sscValue is the SSC value of an item's type if it has one (positive).
func (s *State) sscValue(it Item) (decimal.Decimal, bool) {
	t, ok := s.Catalog.LicenseTypes[it.Type]
	return t.SSCValue, ok && t.SSCValue.IsPositive()
}

// extraLine is a license to be bound later: a catalog item with an SSC
// value, priced from the calculation date.
func (s *State) extraLine(x Line) (SSCLine, error) {
	if err := s.Catalog.CheckItem(x.Item); err != nil {
		return SSCLine{}, err
	}
	v, ok := s.sscValue(x.Item)
	if !ok {
		return SSCLine{}, Errorf(KindInvalid, "no-ssc-value", "%s has no SSA", x.Item)
	}
	return SSCLine{Item: x.Item, Units: x.Quantity, Value: v}, nil
}

// ProjectSSALines lists the SSA lines of a project's devices with their
// bind dates and current SSA ends (OldEnd), unpriced: the read side's
// per-line SSA view.
func (s *State) ProjectSSALines(p *Project) []SSALine {
	pls := s.ssaLinesOf(p)
	out := make([]SSALine, len(pls))
	for i, pl := range pls {
		l := pl.id
		l.Item, l.Units, l.Bound, l.OldEnd, l.Value = pl.line.Item, pl.line.Units, pl.line.Bound, pl.line.SSAEnd, pl.line.Value.String()
		out[i] = l
	}
	return out
}
