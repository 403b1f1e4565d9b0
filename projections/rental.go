package projections

import (
	"time"

	"github.com/innolic/ledger/domain"
)

// RentalReader is the query side of the Devices App: instances and
// domains, the app-platform state of a domain, the rental precalculation,
// the rental history the CSV API serves and the digest credentials it
// checks. It is embedded in Reader.
type RentalReader interface {
	// DevicesInstances lists a company's Devices App instances.
	DevicesInstances(by domain.Principal, company domain.CompanyID) ([]InstanceView, error)
	// Domains lists a company's Devices domains, by name.
	Domains(by domain.Principal, company domain.CompanyID) ([]DomainView, error)
	// AppPlatformState is a domain's app-platform state, the licenses'
	// validity decided for day (the caller's clock: read models read none).
	AppPlatformState(by domain.Principal, name string, day domain.Day) (domain.AppPlatformState, error)
	// RentalQuote precalculates a RentLicenses at now, writing nothing.
	RentalQuote(by domain.Principal, c domain.RentLicenses, now time.Time) (domain.RentalQuote, error)
	// RentalHistory lists the rental entries of domains, in log order.
	RentalHistory(by domain.Principal, q RentalHistoryQuery) ([]RentalEntry, error)
	// DigestCredentials lists the passwords that open the CSV API for a
	// username, with the domains each opens. It takes no principal: it is
	// how the CSV API authenticates its caller.
	DigestCredentials(user string) []domain.DigestCredential
}

// InstanceView is a Devices App instance, without its password.
type InstanceView struct {
	ID      domain.InstanceID `json:"id"`
	Company domain.CompanyID  `json:"company"`
	Name    string            `json:"name"`
	Domains []string          `json:"domains"`
}

// DomainView is a Devices domain in a company's list.
type DomainView struct {
	Name     string                `json:"name"`
	Instance domain.InstanceID     `json:"instance"`
	Company  domain.CompanyID      `json:"company"`
	Project  domain.ProjectID      `json:"project"`
	Settings domain.DomainSettings `json:"settings"`
	Devices  int                   `json:"devices"`
	Monthly  string                `json:"monthly"`
}

// RentalHistoryQuery selects rental entries: of the named domains, with
// an event time From (inclusive) to To (exclusive); zero times are open.
type RentalHistoryQuery struct {
	Domains  []string
	From, To time.Time
}

// RentalEntry is one rental event of a domain, as the rental history CSV
// shows it: licenses rented or removed, a charge (with a lapse or a
// resumption), a change of the iSC balance, each with the rental as it
// left it.
type RentalEntry struct {
	Position uint64        `json:"position"`
	Time     time.Time     `json:"time"`
	Domain   string        `json:"domain"`
	Kind     string        `json:"kind" description:"the event type"`
	MAC      domain.MAC    `json:"mac,omitempty"`
	Lines    []domain.Line `json:"lines,omitempty" description:"licenses rented (positive) or removed (negative)"`
	// Amount is the iSC charged (RentalCharged) or the change of the
	// balance (RentalBalanceChanged), a decimal.
	Amount  string     `json:"amount,omitempty"`
	Code    string     `json:"code,omitempty"`
	From    domain.Day `json:"from,omitempty"`
	To      domain.Day `json:"to,omitempty"`
	Resumed bool       `json:"resumed,omitempty"`
	domain.RentalSnapshot
}

// RentalEventTypes are the events RentalEntryOf turns into entries.
var RentalEventTypes = []string{"RentalLicensesBound", "RentalLicensesRemoved", "RentalCharged", "RentalBalanceChanged"}

// RentalEntryOf is the rental entry of an event, if it is one: the one
// rule both backends build the rental history by.
func RentalEntryOf(seq uint64, t time.Time, e domain.Event) (RentalEntry, bool) {
	r := RentalEntry{Position: seq, Time: t.UTC(), Kind: e.EventType()}
	switch e := e.(type) {
	case domain.RentalLicensesBound:
		r.Domain, r.MAC, r.RentalSnapshot = e.Domain, e.MAC, e.RentalSnapshot
		for _, l := range e.Lines {
			r.Lines = append(r.Lines, domain.Line{Item: l.Item, Quantity: l.Quantity})
		}
	case domain.RentalLicensesRemoved:
		r.Domain, r.MAC, r.RentalSnapshot = e.Domain, e.MAC, e.RentalSnapshot
		for _, l := range e.Lines {
			r.Lines = append(r.Lines, domain.Line{Item: l.Item, Quantity: -l.Quantity})
		}
	case domain.RentalCharged:
		r.Domain, r.Amount, r.From, r.To, r.Resumed, r.RentalSnapshot = e.Domain, e.Amount, e.From, e.To, e.Resumed, e.RentalSnapshot
	case domain.RentalBalanceChanged:
		r.Domain, r.Code, r.RentalSnapshot = e.Domain, e.Code, e.RentalSnapshot
		r.Amount = domain.FormatISC(e.Delta)
	default:
		return RentalEntry{}, false
	}
	return r, true
}
