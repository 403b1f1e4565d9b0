package domain

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Posting is one leg of a license movement: Amount units of Item added to
// (positive) or taken from (negative) an account. The postings of every
// event sum to zero per item: licenses are conserved.
type Posting struct {
	Account string `json:"account"`
	Item    Item   `json:"item"`
	Amount  int64  `json:"amount"`
}

// The accounts of the accounting view.
const (
	AccountVendor   = "vendor"   // issuing: keys and vendor bindings come from here
	AccountConsumed = "consumed" // SSC spent, floating licenses deleted, iSC charged for rental
)

// AccountKey is the account of an activation key until it is redeemed.
func AccountKey(code string) string { return "key:" + code }

// AccountProject is a project's balance.
func AccountProject(p ProjectID) string { return "project:" + strconv.FormatInt(int64(p), 10) }

// AccountDevice holds the licenses bound to a device.
func AccountDevice(m MAC) string { return "device:" + string(m) }

// AccountFree is a project's free pool of returned licenses.
func AccountFree(p ProjectID) string { return "free:" + strconv.FormatInt(int64(p), 10) }

// Postings returns the postings of one event, in a stable order; events
// that move no licenses (and CreditPurchased, a record for invoicing: the
// binding it precedes takes the balance below zero) have none.
func Postings(e Event) []Posting {
	var j journal
	switch e := e.(type) {
	case KeyIssued:
		from := AccountVendor
		if e.FromProject != 0 {
			from = AccountProject(e.FromProject)
		}
		j.move(from, AccountKey(e.Code), e.Lines)
	case KeyRedeemed:
		j.move(AccountKey(e.Code), AccountProject(e.Project), e.Lines)
	case KeyUpdated:
		j.move(AccountProject(e.Project), AccountKey(e.Code), e.Delta)
	case KeyDeleted:
		j.move(AccountKey(e.Code), AccountProject(e.Project), e.Lines)
	case LicensesBound:
		j.bound(e)
	case LicensesReturned:
		j.moveLines(AccountDevice(e.MAC), AccountFree(e.Project), e.Lines)
	case FreeLicensesBound:
		j.moveLines(AccountFree(e.Project), AccountDevice(e.MAC), e.Lines)
	case LicensesMoved:
		j.moveLines(AccountDevice(e.From), AccountDevice(e.To), e.Lines)
	case RMAReshipped:
		j.moveLines(AccountDevice(e.MAC), AccountFree(e.Project), e.Lines)
	case ProjectJoined:
		j.move(AccountProject(e.Project), AccountProject(e.Into), e.Balance)
		j.moveLines(AccountFree(e.Project), AccountFree(e.Into), e.Free)
	case FloatingRemoved:
		j.moveLines(AccountDevice(e.MAC), AccountConsumed, []LicenseLine{e.Line})
	case ProjectSSAExtended:
		j.sscSpent(e.Project, e.Payment, e.Total)
	case LinesSSAExtended:
		j.sscSpent(e.Project, e.Payment, e.Total)
	case RentalLicensesBound:
		for _, l := range e.Lines {
			j.move(AccountVendor, AccountDevice(e.MAC), []Line{{Item: l.Item, Quantity: l.Quantity}})
		}
	case RentalLicensesRemoved:
		j.moveLines(AccountDevice(e.MAC), AccountVendor, e.Lines)
	case RentalCharged:
		j.move(AccountProject(e.Project), AccountConsumed, []Line{{Item: ISCItem, Quantity: e.Debit}})
	}
	return j.sorted()
}

type journal []Posting

func (j *journal) move(from, to string, lines []Line) {
	for _, l := range lines {
		if l.Quantity != 0 {
			*j = append(*j, Posting{from, l.Item, -l.Quantity}, Posting{to, l.Item, l.Quantity})
		}
	}
}

func (j *journal) moveLines(from, to string, lines []LicenseLine) {
	j.move(from, to, quantities(lines))
}

// bound posts the draws from project balances to the device; what no
// draw covers (lines bound by the vendor or the Devices App) comes from
// the vendor.
func (j *journal) bound(e LicensesBound) {
	rest := Balance{}
	for _, l := range e.Lines {
		rest[l.Item] += l.Quantity
	}
	for _, d := range e.Draws {
		for _, l := range d.Lines {
			*j = append(*j, Posting{AccountProject(d.Project), l.Item, -l.Quantity})
			rest[l.Item] -= l.Quantity
		}
	}
	for _, l := range rest.Lines() {
		*j = append(*j, Posting{AccountVendor, l.Item, -l.Quantity})
	}
	for _, l := range quantities(e.Lines) {
		*j = append(*j, Posting{AccountDevice(e.MAC), l.Item, l.Quantity})
	}
}

func (j *journal) sscSpent(p ProjectID, pay Payment, total int64) {
	if total != 0 && (pay == PayBalance || pay == PayCredit) {
		j.move(AccountProject(p), AccountConsumed, []Line{{Item: sscItem, Quantity: total}})
	}
}

func (j journal) sorted() []Posting {
	slices.SortStableFunc(j, func(a, b Posting) int {
		return cmp.Or(strings.Compare(a.Account, b.Account), strings.Compare(a.Item.Type, b.Item.Type),
			cmp.Compare(a.Item.Version, b.Item.Version))
	})
	return j
}
