package domain

import (
	"strings"
	"time"
)

// ExtendProjectSSA confirms a project's SSA end (set, extend or correct):
// the Software Service page's Confirm button, for the quote of today.
// Exactly one of End and MaxSSC is given.
//
//   - A past End (at most a year ago) only corrects the project date
//     (ProjectSSACorrected); no license changes, nothing is paid.
//   - Otherwise every SSA line not opted out and not already covered gets
//     the new end (ProjectSSAExtended) and the total SSC is debited from
//     the project's SSC balance; a shortfall is bought on credit with the
//     buy-on-credit right and OnCredit (CreditPurchased first, the balance
//     goes below zero); under automatic SSA the SSC are invoiced instead
//     (SSCInvoiced, no debit).
//   - Expected, when given, is the total the caller was shown: if the
//     licenses changed since, the command is refused rather than charging
//     another amount.
//
// Refusals, in order: project-not-found, the caller's right to edit the
// project (Administrator or Licenses in its company; external-restricted
// for companies with project rights), invalid-text (credit order), the
// quote's refusals
// (invalid-ssa-request, ssa-end-too-old, license-line-not-in-project and
// the calculator's), ssc-total-changed, balance-insufficient (no credit
// asked), no-credit-right (credit asked without the right).
type ExtendProjectSSA struct {
	Project     ProjectID
	End         Day
	MaxSSC      *int64
	OptOut      []int64
	OnCredit    bool
	CreditOrder string
	Expected    *int64
}

// CommandType implements Command.
func (ExtendProjectSSA) CommandType() string { return "ExtendProjectSSA" }

func (c ExtendProjectSSA) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	if err := checkCreditOrder(c.CreditOrder); err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	today := DayOf(now)
	q, err := s.quoteSSA(SSAQuoteRequest{Project: p.ID, Company: p.Company, End: c.End, MaxSSC: c.MaxSSC, OptOut: c.OptOut}, today)
	if err != nil {
		return nil, err
	}
	if q.Correction {
		return []Event{ProjectSSACorrected{Project: p.ID, Company: p.Company, Person: by.Person, Previous: q.Previous, End: q.End}}, nil
	}
	if c.Expected != nil && *c.Expected != q.Total {
		return nil, Errorf(KindRejected, "ssc-total-changed", "the SSA now costs %d SSC, not %d: quote again", q.Total, *c.Expected)
	}
	order := strings.TrimSpace(c.CreditOrder)
	pay, pre, post, err := s.settleSSC(by, p, p.Balance[sscItem], q.Total, q.Exact, c.OnCredit, order, "extend", today)
	if err != nil {
		return nil, err
	}
	ext := ProjectSSAExtended{Project: p.ID, Company: p.Company, Person: by.Person, Previous: q.Previous, End: q.End,
		CalcDate: today, MaxSSC: c.MaxSSC, Lines: q.Lines, Exact: q.Exact, Total: q.Total, Payment: pay}
	if pay == PayCredit {
		ext.OrderNumber = order
	}
	return append(append(pre, ext), post...), nil
}

// settleSSC decides how total SSC are paid in project p: invoiced under
// automatic SSA (an SSCInvoiced after the extension), from the balance
// (available SSC: the project's, or both projects' in a join), or with the
// shortfall bought on credit (a CreditPurchased before it).
// Refusals: balance-insufficient when the balance lacks SSC and no credit
// was asked, no-credit-right when credit was asked without the right.
func (s *State) settleSSC(by Principal, p *Project, available, total int64, exact string, onCredit bool, order, cause string,
	today Day) (Payment, []Event, []Event, error) {
	switch {
	case total == 0:
		return PayNone, nil, nil, nil
	case p.AutoSSA:
		return PayInvoice, nil, []Event{SSCInvoiced{Project: p.ID, Company: p.Company, Cause: cause, Date: today,
			SSC: total, Exact: exact}}, nil
	}
	short := total - max(0, available)
	if short <= 0 {
		return PayBalance, nil, nil, nil
	}
	if !onCredit {
		return "", nil, nil, Errorf(KindRejected, "balance-insufficient", "project %d holds %d SSC, %d needed", p.ID,
			max(0, available), total)
	}
	if !s.canBuyOnCredit(by, p.Company) {
		return "", nil, nil, Errorf(KindForbidden, "no-credit-right", "the caller may not buy on credit in this company")
	}
	return PayCredit, []Event{CreditPurchased{Company: p.Company, Project: p.ID, Person: by.Person,
		Lines: []Line{{Item: sscItem, Quantity: short}}, OrderNumber: order, Date: today.String()}}, nil, nil
}
