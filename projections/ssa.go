package projections

import (
	"time"

	"github.com/innolic/ledger/domain"
)

// SSAReader is the query side of the software service (SSA): quotes,
// project SSA state with every line's SSA end, upcoming expiries, SSC owed
// by invoice, and the reminder outbox. It is embedded in Reader.
//
// Quotes are computations over the current state (the domain's SSC
// calculator), not stored rows: a backend answers them from a domain state
// at its position. today is the caller's clock (the API's), because read
// models never read the wall clock.
type SSAReader interface {
	// SSAQuote prices an SSA end for a project, or for all projects of a
	// company (preview), writing nothing. Readers of the company may ask.
	SSAQuote(by domain.Principal, r domain.SSAQuoteRequest, today time.Time) (domain.SSAQuote, error)
	// ProjectSSA is a project's SSA state with its SSA lines.
	ProjectSSA(by domain.Principal, project domain.ProjectID) (ProjectSSAView, error)
	// SSAExpiries lists the company's projects whose SSA ends within days
	// after day (day included), soonest first.
	SSAExpiries(by domain.Principal, company domain.CompanyID, day domain.Day, days int) ([]SSAExpiryView, error)
	// SSAInvoices lists SSC to be invoiced — used under automatic SSA and
	// bought on credit — of one company (its members) or of all (company 0,
	// vendor staff), in log order.
	SSAInvoices(by domain.Principal, company domain.CompanyID) ([]SSAInvoiceView, error)
	// PendingSSAReminders is the reminder outbox: decided and not yet sent
	// (vendor staff: the mail drainer).
	PendingSSAReminders(by domain.Principal) ([]domain.Reminder, error)
}

// ProjectSSAView is the Software Service page of a project.
type ProjectSSAView struct {
	Project          domain.ProjectID       `json:"project"`
	Company          domain.CompanyID       `json:"company"`
	Name             string                 `json:"name"`
	SSAEnd           domain.Day             `json:"ssa_end,omitempty"`
	AutoSSA          bool                   `json:"auto_ssa"`
	AutoSSARequested bool                   `json:"auto_ssa_requested"`
	SSCBalance       int64                  `json:"ssc_balance"`
	Mail             domain.SSAMailSettings `json:"mail"`
	Lines            []SSALineView          `json:"lines"`
}

// SSALineView is one SSA license line of a device in the project.
type SSALineView struct {
	MAC      domain.MAC  `json:"mac"`
	Line     int64       `json:"line"`
	Item     domain.Item `json:"item"`
	Units    int64       `json:"units"`
	BindDate domain.Day  `json:"bind_date"`
	SSAEnd   domain.Day  `json:"ssa_end,omitempty"`
}

// SSAExpiryView is a project whose SSA ends soon.
type SSAExpiryView struct {
	Project  domain.ProjectID `json:"project"`
	Company  domain.CompanyID `json:"company"`
	Name     string           `json:"name"`
	SSAEnd   domain.Day       `json:"ssa_end"`
	DaysLeft int              `json:"days_left"`
	AutoSSA  bool             `json:"auto_ssa"`
}

// The kinds of SSA invoices.
const (
	InvoiceAutoSSA = "auto-ssa" // SSC used under automatic SSA
	InvoiceCredit  = "credit"   // SSC bought on credit
)

// SSAInvoiceView is SSC owed by invoice.
type SSAInvoiceView struct {
	Kind        string           `json:"kind"`
	Project     domain.ProjectID `json:"project"`
	Company     domain.CompanyID `json:"company"`
	Date        domain.Day       `json:"date"`
	Cause       string           `json:"cause,omitempty"`
	SSC         int64            `json:"ssc"`
	Exact       string           `json:"exact,omitempty"`
	Person      domain.PersonID  `json:"person,omitempty"`
	OrderNumber string           `json:"order_number,omitempty"`
}
