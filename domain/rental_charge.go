package domain

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// rentalSim follows a domain's rental through the events one command
// decides, before they are applied: the deciders charge, bind and note on
// it, and every event carries what it leaves (RentalSnapshot).
type rentalSim struct {
	ref     DomainRef
	balance int64 // the project's whole iSC
	acct    RentalAccount
	monthly decimal.Decimal
}

// rentalSimOf starts a simulation from the state.
func (s *State) rentalSimOf(dm *DevicesDomain) *rentalSim {
	return &rentalSim{ref: s.domainRef(dm), balance: s.Projects[dm.Project].Balance[ISCItem], acct: dm.Account,
		monthly: s.MonthlyCost(dm)}
}

func (s *State) domainRef(dm *DevicesDomain) DomainRef {
	return DomainRef{Domain: dm.Name, Company: s.CompanyOfDomain(dm), Project: dm.Project}
}

// MonthlyCost is the domain's iSC per month: every rented line of its
// devices at the price it was rented for.
func (s *State) MonthlyCost(dm *DevicesDomain) decimal.Decimal {
	sum := decimal.Zero
	for mac := range dm.Devices {
		if s.RentedBy[mac] != dm.Name {
			continue
		}
		for _, l := range s.Devices[mac].Licenses {
			if p, ok := dm.Prices[l.ID]; ok && l.Origin == OriginRental {
				sum = sum.Add(p.Mul(decimal.NewFromInt(l.Quantity)))
			}
		}
	}
	return sum
}

// available is the iSC the rental can still spend: the project's whole
// iSC (never below zero) plus the prepaid part.
func (r *rentalSim) available() decimal.Decimal {
	return decimal.NewFromInt(max(r.balance, 0)).Add(r.acct.Prepaid)
}

// End is the rental end date: the last day the balance covers at the
// monthly cost, the day before the lapse of a lapsed rental, none (zero)
// while nothing is rented.
func (a RentalAccount) End(monthly, available decimal.Decimal) Day {
	switch {
	case !monthly.IsPositive():
		return 0
	case a.Lapsed != 0:
		return a.Lapsed - 1
	}
	return CoveredThrough(monthly, available, a.ChargedThrough+1)
}

func (r *rentalSim) snapshot() RentalSnapshot {
	avail := r.available()
	return RentalSnapshot{Monthly: r.monthly.String(), Available: avail.String(), End: r.acct.End(r.monthly, avail),
		Lapsed: r.acct.Lapsed}
}

// charge accrues amount for the days from..to, debits the whole iSC the
// prepaid part does not cover, and returns the event.
func (r *rentalSim) charge(from, to Day, amount decimal.Decimal, lapsed Day, resumed bool) RentalCharged {
	prepaid := r.acct.Prepaid.Sub(amount)
	var debit int64
	if prepaid.IsNegative() {
		debit = prepaid.Neg().Ceil().IntPart()
	}
	r.acct.charge(amount, debit)
	r.balance -= debit
	if to >= from {
		r.acct.ChargedThrough = max(r.acct.ChargedThrough, to)
	}
	r.acct.Lapsed = lapsed
	return RentalCharged{DomainRef: r.ref, From: from, To: to, Amount: amount.String(), Debit: debit, Lapsed: lapsed,
		Resumed: resumed, RentalSnapshot: r.snapshot()}
}

// settle charges the days not yet charged through today at the monthly
// cost of the licenses rented now; every change of the licenses settles
// first, so each day is charged at the cost it had. A day the balance does
// not cover lapses the rental; a lapsed rental resumes on a day it covers
// (the days in between are not charged: the licenses were not valid).
func (r *rentalSim) settle(today Day) (RentalCharged, bool) {
	m := r.monthly
	if !m.IsPositive() {
		return RentalCharged{}, false
	}
	if r.acct.Lapsed != 0 || r.acct.ChargedThrough == 0 {
		return r.resume(today)
	}
	if r.acct.ChargedThrough >= today {
		return RentalCharged{}, false
	}
	from, avail, total := r.acct.ChargedThrough+1, r.available(), decimal.Zero
	for d := from; d <= today; d++ {
		c := DayCost(m, d)
		if avail.Sub(total).LessThan(c) {
			return r.charge(from, d-1, total, d, false), true
		}
		total = total.Add(c)
	}
	return r.charge(from, today, total, 0, false), true
}

// resume charges today for a lapsed (or not yet charged) rental if the
// balance covers it.
func (r *rentalSim) resume(today Day) (RentalCharged, bool) {
	c := DayCost(r.monthly, today)
	if !r.monthly.IsPositive() || r.available().LessThan(c) || r.acct.Lapsed > today {
		return RentalCharged{}, false
	}
	return r.charge(today, today, c, 0, r.acct.Lapsed != 0), true
}

// afterChange charges today for the licenses a change added: the full day
// when today was not charged yet (nothing was rented, or the rental had
// lapsed), else the added monthly cost's share of today. Removals are not
// refunded: today was charged for what was held when it began.
func (r *rentalSim) afterChange(before decimal.Decimal, today Day) (RentalCharged, bool) {
	switch {
	case !r.monthly.IsPositive():
		return RentalCharged{}, false
	case r.acct.Lapsed != 0 || r.acct.ChargedThrough < today:
		return r.resume(today)
	case r.monthly.GreaterThan(before):
		return r.charge(today, today, DayCost(r.monthly.Sub(before), today), 0, false), true
	}
	return RentalCharged{}, false
}

// ChargeRentals is the scheduler's daily command: every domain renting
// licenses is charged through Day (zero: today), once per domain and day;
// a later run the same day, or a run for a day already charged, writes
// nothing. Refusals: vendor-only (the scheduler runs as vendor staff),
// charge-day-in-future.
type ChargeRentals struct {
	Day Day
}

// CommandType implements Command.
func (ChargeRentals) CommandType() string { return "ChargeRentals" }

func (c ChargeRentals) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	day, err := schedulerDay(by, c.Day, now, "charge-day-in-future")
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, name := range sortedNames(s.Domains) {
		if e, ok := s.rentalSimOf(s.Domains[name]).settle(day); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// schedulerDay is the day a scheduler command runs for: day, or today
// when zero. Refusals: vendor-only (the scheduler runs as vendor staff),
// then the code given (day-in-future) for a day after today.
func schedulerDay(by Principal, day Day, now time.Time, future string) (Day, error) {
	if !by.Vendor {
		return 0, ErrVendorOnly
	}
	if day.IsZero() {
		day = DayOf(now)
	}
	if day > DayOf(now) {
		return 0, Errorf(KindInvalid, future, "the day is today or a past day, not %s", day)
	}
	return day, nil
}

// sortedNames returns a map's string keys in order.
func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
