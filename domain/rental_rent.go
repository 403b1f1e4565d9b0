package domain

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Limits of a rental request.
const (
	// MaxRentalUnits bounds the rented units of one item on a device.
	MaxRentalUnits = 100_000
	// MaxRentalLines bounds the lines of one rental request.
	MaxRentalLines = 100
)

// RentLicenses is the Devices App's "apply": the rental licenses a device
// of the domain is to hold, per item (type and version; version 0 of a
// versioned type is the current version). Items it holds and the request
// leaves out are removed; an empty request removes every rented license
// of the device. What is added is bound as new rental lines from the
// vendor at the catalog's iSC price of today; what is removed goes back to
// the vendor (never to a free pool), newest lines first.
//
// Before the change the domain is charged through today at the old
// monthly cost (ChargeRentals' settle); after it, today is charged for the
// added cost (docs/rental.md). A device in another project of the company
// is added to the rental project too; one in no project of the company is
// placed in it.
//
// Refusals in order: domain-not-found, the right (company-not-found,
// not-member, person-locked, no-right), invalid-mac,
// device-not-in-domain, device-rented-elsewhere, too-many-lines,
// invalid-quantity, unknown-license-type, invalid-version, not-rentable,
// rental-unchanged; when licenses are added: rental-contract-missing,
// device-in-rma, the device type's consistency check
// (license-not-for-device, device-maximum-exceeded, ...), isc-insufficient
// (the balance does not cover one month at the new monthly cost).
type RentLicenses struct {
	Domain   string
	MAC      string
	Licenses []Line
}

// CommandType implements Command.
func (RentLicenses) CommandType() string { return "RentLicenses" }

func (c RentLicenses) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	p, err := s.planRental(by, c, now)
	return p.events, err
}

// RentalQuote is the precalculation of a RentLicenses: what applying it
// now would cost and leave, without writing anything.
type RentalQuote struct {
	Domain string     `json:"domain"`
	MAC    MAC        `json:"mac"`
	Lines  []RentItem `json:"lines"`
	// MonthlyBefore and Monthly are the domain's iSC per month before and
	// after; DeviceMonthly is the device's part after.
	MonthlyBefore string `json:"monthly_before"`
	Monthly       string `json:"monthly"`
	DeviceMonthly string `json:"device_monthly"`
	// ChargedToday is what applying would charge now for today (the
	// added licenses' share), beyond the days already due.
	ChargedToday string `json:"charged_today"`
	// Available is the iSC left after applying; End the rental end date
	// before and after (empty: nothing rented).
	Available string `json:"available"`
	EndBefore Day    `json:"end_before,omitempty"`
	End       Day    `json:"end,omitempty"`
}

// RentItem is one item of a device's rental after the change, with its
// price.
type RentItem struct {
	Item
	Quantity int64  `json:"quantity"`
	ISCMonth string `json:"isc_month" description:"iSC per unit and month, of the newest line"`
	Monthly  string `json:"monthly" description:"iSC per month of the item's units"`
}

// QuoteRental precalculates a RentLicenses with the same rules and
// refusals, writing nothing.
func (s *State) QuoteRental(by Principal, c RentLicenses, now time.Time) (RentalQuote, error) {
	p, err := s.planRental(by, c, now)
	return p.quote, err
}

type rentalPlan struct {
	events []Event
	quote  RentalQuote
}

// rentalChange is the difference between what a device rents and what a
// request wants.
type rentalChange struct {
	adds     []Line        // units to bind, per item
	removed  []LicenseLine // units taken off existing lines
	touched  []Line        // every item that changes, for the consistency check
	monthly  decimal.Decimal
	lines    []LicenseLine // the device's lines after the removals
	newPrice map[Item]decimal.Decimal
}

func (s *State) planRental(by Principal, c RentLicenses, now time.Time) (rentalPlan, error) {
	dm, m, err := s.domainDevice(by, c.Domain, c.MAC)
	if err != nil {
		return rentalPlan{}, err
	}
	if other, ok := s.RentedBy[m]; ok && other != dm.Name {
		return rentalPlan{}, Errorf(KindRejected, "device-rented-elsewhere", "device %s rents licenses in domain %q", m, other)
	}
	today := DayOf(now)
	want, err := s.rentalWant(c.Licenses, today)
	if err != nil {
		return rentalPlan{}, err
	}
	d := s.Devices[m]
	ch := s.rentalDiff(dm, d, want)
	if len(ch.touched) == 0 {
		return rentalPlan{}, Errorf(KindRejected, "rental-unchanged", "device %s rents these licenses already", m)
	}
	co := s.CompanyOfDomain(dm)
	if len(ch.adds) > 0 {
		if err := s.checkRentalAdds(co, d, ch); err != nil {
			return rentalPlan{}, err
		}
	}
	sim := s.rentalSimOf(dm)
	endBefore := sim.acct.End(sim.monthly, sim.available())
	var out []Event
	if e, ok := sim.settle(today); ok {
		out = append(out, e)
	}
	before := sim.monthly
	sim.monthly = before.Add(ch.monthly)
	if sim.monthly.GreaterThan(before) && sim.available().LessThan(sim.monthly) {
		return rentalPlan{}, Errorf(KindRejected, "isc-insufficient", "%s iSC do not cover one month at %s iSC per month", sim.available(), sim.monthly)
	}
	ref := sim.ref
	pl := d.In[co]
	switch {
	case len(ch.adds) == 0:
	case pl == nil:
		out = append(out, DeviceAdded{MAC: m, Company: co, Project: dm.Project, InOtherCompany: len(d.In) > 0})
	case pl.Project != dm.Project && pl.Rental != dm.Project:
		out = append(out, RentalProjectJoined{DomainRef: ref, MAC: m})
	}
	var bound []RentedLine
	next := s.LastLicense
	for _, a := range ch.adds {
		next++
		bound = append(bound, RentedLine{LicenseLine: LicenseLine{ID: next, Item: a.Item, Quantity: a.Quantity,
			BindDate: today.String(), Origin: OriginRental}, ISCMonth: ch.newPrice[a.Item].String()})
	}
	charge, charged := sim.afterChange(before, today)
	snap := sim.snapshot()
	if len(ch.removed) > 0 {
		out = append(out, RentalLicensesRemoved{DomainRef: ref, MAC: m, By: by.Person, Lines: ch.removed, RentalSnapshot: snap})
	}
	if len(bound) > 0 {
		out = append(out, RentalLicensesBound{DomainRef: ref, MAC: m, By: by.Person, Lines: bound, RentalSnapshot: snap})
	}
	todayCharge := decimal.Zero
	if charged {
		out = append(out, charge)
		todayCharge, _ = decimal.NewFromString(charge.Amount)
	}
	if len(want) == 0 && pl != nil && pl.Rental == dm.Project {
		out = append(out, RentalProjectLeft{DomainRef: ref, MAC: m})
	}
	q := RentalQuote{Domain: dm.Name, MAC: m, Lines: rentItems(dm, ch, bound), MonthlyBefore: before.String(),
		Monthly: sim.monthly.String(), ChargedToday: todayCharge.String(), Available: snap.Available, EndBefore: endBefore, End: snap.End}
	q.DeviceMonthly = sumMonthly(q.Lines).String()
	return rentalPlan{events: out, quote: q}, nil
}

// checkRentalAdds checks what adding licenses needs: an approved
// software-rental contract, a device not in RMA, and the device type's
// consistency check over purchased and rented licenses together.
func (s *State) checkRentalAdds(co CompanyID, d *Device, ch rentalChange) error {
	if !s.HasApprovedContract(co, ContractSoftwareRental) {
		return Errorf(KindRejected, "rental-contract-missing", "software rental needs an approved software-rental contract of company %d", co)
	}
	if d.RMA != RMANone {
		return Errorf(KindRejected, "device-in-rma", "device %s is in RMA", d.MAC)
	}
	after := *d
	after.Licenses = ch.lines
	touched := append([]Line{}, ch.adds...)
	for _, l := range ch.touched {
		touched = append(touched, Line{Item: l.Item})
	}
	return s.checkDeviceFits(&after, touched)
}

// rentalWant validates the requested lines into units per item.
func (s *State) rentalWant(in []Line, today Day) (map[Item]int64, error) {
	if len(in) > MaxRentalLines {
		return nil, Errorf(KindInvalid, "too-many-lines", "at most %d lines", MaxRentalLines)
	}
	want := map[Item]int64{}
	for _, l := range in {
		if l.Quantity < 0 || l.Quantity > MaxRentalUnits {
			return nil, Errorf(KindInvalid, "invalid-quantity", "a quantity is 0..%d", MaxRentalUnits)
		}
		it := l.Item
		if t, ok := s.Catalog.LicenseTypes[it.Type]; ok && t.Versioned() && it.Version == 0 {
			it.Version = s.Catalog.CurrentVersion(today)
		}
		if err := s.Catalog.CheckItem(it); err != nil {
			return nil, err
		}
		if !s.Catalog.LicenseTypes[it.Type].ISCMonth.IsPositive() {
			return nil, Errorf(KindRejected, "not-rentable", "%s licenses cannot be rented (no iSC price in the catalog)", it.Type)
		}
		want[it] += l.Quantity
		if want[it] > MaxRentalUnits {
			return nil, Errorf(KindInvalid, "invalid-quantity", "a quantity is 0..%d", MaxRentalUnits)
		}
	}
	for it, q := range want {
		if q == 0 {
			delete(want, it)
		}
	}
	return want, nil
}

// rentalDiff compares the device's rented lines with want.
func (s *State) rentalDiff(dm *DevicesDomain, d *Device, want map[Item]int64) rentalChange {
	have := map[Item]int64{}
	for _, l := range d.Licenses {
		if l.Origin == OriginRental {
			have[l.Item] += l.Quantity
		}
	}
	ch := rentalChange{monthly: decimal.Zero, newPrice: map[Item]decimal.Decimal{}}
	take := map[Item]int64{}
	for _, it := range sortedItems(have, want) {
		switch diff := want[it] - have[it]; {
		case diff > 0:
			price := s.Catalog.LicenseTypes[it.Type].ISCMonth
			ch.adds = append(ch.adds, Line{Item: it, Quantity: diff})
			ch.newPrice[it] = price
			ch.monthly = ch.monthly.Add(price.Mul(decimal.NewFromInt(diff)))
			ch.touched = append(ch.touched, Line{Item: it, Quantity: diff})
		case diff < 0:
			take[it] = -diff
			ch.touched = append(ch.touched, Line{Item: it, Quantity: diff})
		}
	}
	// Removals take from the newest lines first.
	ch.lines = append([]LicenseLine{}, d.Licenses...)
	for i := len(ch.lines) - 1; i >= 0; i-- {
		l := &ch.lines[i]
		n := min(take[l.Item], l.Quantity)
		if l.Origin != OriginRental || n == 0 {
			continue
		}
		take[l.Item] -= n
		ch.removed = append(ch.removed, LicenseLine{ID: l.ID, Item: l.Item, Quantity: n, BindDate: l.BindDate, Origin: OriginRental})
		ch.monthly = ch.monthly.Sub(dm.Prices[l.ID].Mul(decimal.NewFromInt(n)))
		l.Quantity -= n
	}
	kept := ch.lines[:0]
	for _, l := range ch.lines {
		if l.Quantity > 0 {
			kept = append(kept, l)
		}
	}
	ch.lines = kept
	return ch
}

// sortedItems lists the items of two maps once, by type and version.
func sortedItems(a, b map[Item]int64) []Item {
	b2 := Balance{}
	for it := range a {
		b2[it] = 1
	}
	for it := range b {
		b2[it] = 1
	}
	out := make([]Item, 0, len(b2))
	for _, l := range b2.Lines() {
		out = append(out, l.Item)
	}
	return out
}

// rentItems lists the device's rental after the change per item, with the
// newest line's price and the item's monthly cost.
func rentItems(dm *DevicesDomain, ch rentalChange, bound []RentedLine) []RentItem {
	type acc struct {
		q       int64
		monthly decimal.Decimal
		price   decimal.Decimal
		newest  int64
	}
	per := map[Item]*acc{}
	add := func(it Item, id, q int64, price decimal.Decimal) {
		a := per[it]
		if a == nil {
			a = &acc{monthly: decimal.Zero}
			per[it] = a
		}
		a.q += q
		a.monthly = a.monthly.Add(price.Mul(decimal.NewFromInt(q)))
		if id > a.newest {
			a.newest, a.price = id, price
		}
	}
	for _, l := range ch.lines {
		if l.Origin == OriginRental {
			add(l.Item, l.ID, l.Quantity, dm.Prices[l.ID])
		}
	}
	for _, l := range bound {
		add(l.Item, l.ID, l.Quantity, decimal.RequireFromString(l.ISCMonth))
	}
	out := []RentItem{}
	for it, a := range per {
		out = append(out, RentItem{Item: it, Quantity: a.q, ISCMonth: a.price.String(), Monthly: a.monthly.String()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Version < out[j].Version
	})
	return out
}

func sumMonthly(items []RentItem) decimal.Decimal {
	sum := decimal.Zero
	for _, it := range items {
		sum = sum.Add(decimal.RequireFromString(it.Monthly))
	}
	return sum
}
