package memory

import (
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

var _ projections.SSAReader = (*Model)(nil)

// SSAQuote implements projections.SSAReader with the domain's calculator
// over the model's state.
func (m *Model) SSAQuote(by domain.Principal, r domain.SSAQuoteRequest, today time.Time) (domain.SSAQuote, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.st.QuoteSSA(by, r, today)
}

// ProjectSSA implements projections.SSAReader.
func (m *Model) ProjectSSA(by domain.Principal, id domain.ProjectID) (projections.ProjectSSAView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.st.Projects[id]
	if !ok {
		return projections.ProjectSSAView{}, domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", id)
	}
	if err := m.st.CanRead(by, p.Company); err != nil {
		return projections.ProjectSSAView{}, err
	}
	end, _ := domain.ParseDay(p.SSAEnd)
	_, requested := m.st.AutoSSARequests[id]
	v := projections.ProjectSSAView{Project: id, Company: p.Company, Name: p.Name, SSAEnd: end, AutoSSA: p.AutoSSA,
		AutoSSARequested: requested, SSCBalance: p.Balance[domain.Item{Type: "SSC"}], Mail: m.st.MailSettings[id],
		Lines: []projections.SSALineView{}}
	for _, l := range m.st.ProjectSSALines(p) {
		v.Lines = append(v.Lines, projections.SSALineView{MAC: l.MAC, Line: l.Line, Item: l.Item, Units: l.Units,
			BindDate: l.Bound, SSAEnd: l.OldEnd})
	}
	return v, nil
}

// SSAExpiries implements projections.SSAReader.
func (m *Model) SSAExpiries(by domain.Principal, company domain.CompanyID, day domain.Day, days int) ([]projections.SSAExpiryView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return nil, err
	}
	out := []projections.SSAExpiryView{}
	for _, p := range m.st.UpcomingExpiries(company, day, days) {
		end, _ := domain.ParseDay(p.SSAEnd)
		out = append(out, projections.SSAExpiryView{Project: p.ID, Company: p.Company, Name: p.Name, SSAEnd: end,
			DaysLeft: int(end - day), AutoSSA: p.AutoSSA})
	}
	return out, nil
}

// SSAInvoices implements projections.SSAReader: automatic-SSA invoices,
// then SSC bought on credit, each in log order.
func (m *Model) SSAInvoices(by domain.Principal, company domain.CompanyID) ([]projections.SSAInvoiceView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.canReadAccounts(by, company); err != nil {
		return nil, err
	}
	out := []projections.SSAInvoiceView{}
	for _, inv := range m.st.Invoices {
		if company == 0 || inv.Company == company {
			out = append(out, projections.SSAInvoiceView{Kind: projections.InvoiceAutoSSA, Project: inv.Project, Company: inv.Company,
				Date: inv.Date, Cause: inv.Cause, SSC: inv.SSC, Exact: inv.Exact})
		}
	}
	for _, cp := range m.st.Credits {
		if company != 0 && cp.Company != company {
			continue
		}
		for _, l := range cp.Lines {
			if l.Item.Type == "SSC" {
				date, _ := domain.ParseDay(cp.Date)
				out = append(out, projections.SSAInvoiceView{Kind: projections.InvoiceCredit, Project: cp.Project, Company: cp.Company,
					Date: date, SSC: l.Quantity, Person: cp.Person, OrderNumber: cp.OrderNumber})
			}
		}
	}
	return out, nil
}

// PendingSSAReminders implements projections.SSAReader (vendor staff).
func (m *Model) PendingSSAReminders(by domain.Principal) ([]domain.Reminder, error) {
	if !by.Vendor {
		return nil, domain.ErrVendorOnly
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := m.st.PendingReminders()
	if out == nil {
		out = []domain.Reminder{}
	}
	return out, nil
}
