package domain_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	. "github.com/innolic/ledger/domain"
)

// rentalStep is one command of a rental story and what the domain's
// rental must be after it.
type rentalStep struct {
	what      string
	at        string // the command's day (noon UTC)
	by        Principal
	cmd       Command
	charged   string // iSC accrued by the step's charges, "" when none
	available string
	monthly   string
	end       string // the rental end date, "" for none
	lapsed    string
}

// runRentalStory runs the steps on a state, checking after each one the
// domain's account against the step and the last RentalSnapshot written.
func runRentalStory(t *testing.T, st *State, domain string, steps []rentalStep) {
	t.Helper()
	for _, s := range steps {
		at, _ := time.Parse(time.DateOnly, s.at)
		evs, err := Decide(st, s.by, s.cmd, at.Add(12*time.Hour))
		if err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		charged := decimal.Zero
		var snap *RentalSnapshot
		for _, e := range evs {
			if err := st.Evolve(e); err != nil {
				t.Fatalf("%s: %T: %v", s.what, e, err)
			}
			switch e := e.(type) {
			case RentalCharged:
				charged = charged.Add(decimal.RequireFromString(e.Amount))
				snap = &e.RentalSnapshot
			case RentalLicensesBound:
				snap = &e.RentalSnapshot
			case RentalLicensesRemoved:
				snap = &e.RentalSnapshot
			case RentalBalanceChanged:
				snap = &e.RentalSnapshot
			}
		}
		got := ""
		if !charged.IsZero() {
			got = charged.String()
		}
		if got != s.charged {
			t.Errorf("%s: charged %q, want %q", s.what, got, s.charged)
		}
		dm := st.Domains[domain]
		avail := decimal.NewFromInt(st.Projects[dm.Project].Balance[ISCItem]).Add(dm.Account.Prepaid)
		monthly := st.MonthlyCost(dm)
		end := dm.Account.End(monthly, avail)
		if avail.String() != s.available || monthly.String() != s.monthly || end.String() != s.end || dm.Account.Lapsed.String() != s.lapsed {
			t.Errorf("%s: available %s, monthly %s, end %q, lapsed %q; want %s, %s, %q, %q", s.what, avail, monthly, end,
				dm.Account.Lapsed, s.available, s.monthly, s.end, s.lapsed)
		}
		if snap != nil && (snap.Available != s.available || snap.Monthly != s.monthly || snap.End.String() != s.end) {
			t.Errorf("%s: the events say available %s, monthly %s, end %s", s.what, snap.Available, snap.Monthly, snap.End)
		}
		// The account never holds a debt: the whole iSC debited cover
		// what accrued, by less than one iSC.
		if dm.Account.Prepaid.IsNegative() || !dm.Account.Prepaid.LessThan(decimal.NewFromInt(1)) {
			t.Errorf("%s: prepaid %s outside [0, 1)", s.what, dm.Account.Prepaid)
		}
	}
}

// rentalStoryWorld: company 1 with an approved software-rental contract,
// instance 1 with domain pbx.example.com linked to its rental project 3,
// the IP6000 in DEFAULT and registered in the domain, and open vendor
// keys of iSC.
func rentalStoryWorld(keys map[string]int64) []Event {
	evs := append(devWorld(RightLicenses),
		ContractConcluded{Contract: 1, Company: 1, Kind: ContractSoftwareRental, By: 2},
		ContractApproved{Contract: 1, Company: 1},
		DevicesInstanceCreated{Instance: 1, Company: 1, Name: "apps.example.com", Password: testDigest},
		ProjectCreated{Project: 3, Company: 1, Name: "$pbx.example.com$"},
		DomainCreated{DomainRef: pbxRef, Instance: 1, Password: testDigest, By: 2},
		DomainDeviceAdded{DomainRef: pbxRef, MAC: mac6000, Type: "IP6000"},
	)
	for _, code := range sortedCodes(keys) {
		evs = append(evs, KeyIssued{Code: code, Lines: []Line{{Item: ISCItem, Quantity: keys[code]}}})
	}
	return evs
}

func ports(n int64) []Line { return []Line{{Item: port13, Quantity: n}} }

// TestRentalEndDateGolden follows one domain's rental through a balance
// top-up, a license change, month boundaries of 28, 30 and 31 days, a
// lapse and its resumption, and (second story) a leap day. The numbers are
// worked out by hand in the comments: day k of an n-day month costs
// round4(M·k/n) − round4(M·(k−1)/n), M the monthly cost, so a whole month
// costs exactly M; the end date is the last day the available iSC (whole
// iSC of the project plus the prepaid fraction) covers.
func TestRentalEndDateGolden(t *testing.T) {
	st := stateOf(t, rentalStoryWorld(map[string]int64{"ISC-40": 40, "ISC-100": 100, "ISC-70": 70})...)
	runRentalStory(t, st, "pbx.example.com", []rentalStep{
		{what: "40 iSC redeemed through the Devices App", at: "2027-01-29", by: bob,
			cmd: RedeemDomainKey{Domain: "pbx.example.com", Code: "ISC-40"}, available: "40", monthly: "0"},
		// 31 PBX-Port at 1 iSC: M = 31. January has 31 days, so every
		// January day costs 31·k/31 − 31·(k−1)/31 = 1. Today (Jan 30): 1,
		// one whole iSC debited, 39 left.
		// End: Jan 31 costs 1 (38 left); February (28 days) costs exactly
		// M = 31 (7 left); March days cost 1 each: 7 days, so March 7.
		{what: "31 PBX-Port rented on January 30", at: "2027-01-30", by: bob,
			cmd:     RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(31)},
			charged: "1", available: "39", monthly: "31", end: "2027-03-07"},
		// The scheduler charges Jan 31 (1) and Feb 1..15: round4(31·15/28)
		// = round4(16.607142…) = 16.6071. Together 17.6071; 39 − 17.6071 =
		// 21.3929 (18 whole iSC debited, 0.3929 prepaid). The end stays:
		// the rest of February costs 31 − 16.6071 = 14.3929 (7 left),
		// March 1..7 cost 7.
		{what: "charged through February 15", at: "2027-02-15", by: vendor, cmd: ChargeRentals{},
			charged: "17.6071", available: "21.3929", monthly: "31", end: "2027-03-07"},
		{what: "a second run the same day charges nothing", at: "2027-02-15", by: vendor, cmd: ChargeRentals{},
			available: "21.3929", monthly: "31", end: "2027-03-07"},
		// Top-up of 100: 121.3929. Rest of February 14.3929 (107 left),
		// March, April and May cost 31 each (14 left), June (30 days):
		// round4(31·13/30) = 13.4333 ≤ 14 < round4(31·14/30) = 14.4667,
		// so June 13.
		{what: "100 iSC redeemed into the project", at: "2027-02-15", by: alice,
			cmd: RedeemKey{Code: "ISC-100", Project: 3}, available: "121.3929", monthly: "31", end: "2027-06-13"},
		// April 10: first the days due at M = 31: Feb 16..28 14.3929,
		// March 31, April 1..10 round4(31·10/30) = 10.3333: 55.7262, so
		// 65.6667 left, which covers a month at the new M = 61. Then the
		// 30 added ports' share of today: 30·10/30 − 30·9/30 = 1. 64.6667
		// left. End at M = 61: the rest of April costs 61 −
		// round4(61·10/30) = 61 − 20.3333 = 40.6667 (24 left); May (31
		// days): round4(61·12/31) = 23.6129 ≤ 24 < round4(61·13/31) =
		// 25.5806, so May 12.
		{what: "30 more PBX-Port on April 10", at: "2027-04-10", by: bob,
			cmd:     RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(61)},
			charged: "56.7262", available: "64.6667", monthly: "61", end: "2027-05-12"},
		// May 13: April 11..30 (40.6667) and May 1..12 (23.6129) are
		// covered, 0.3871 left; May 13 costs 25.5806 − 23.6129 = 1.9677:
		// the rental lapses on May 13, the end date stays May 12.
		{what: "the balance runs out", at: "2027-05-13", by: vendor, cmd: ChargeRentals{},
			charged: "64.2796", available: "0.3871", monthly: "61", end: "2027-05-12", lapsed: "2027-05-13"},
		// May 20, 70 iSC: the rental resumes today, May 13..19 are not
		// charged (the licenses were not valid). May 20 costs
		// round4(61·20/31) − round4(61·19/31) = 39.3548 − 37.3871 =
		// 1.9677; 70.3871 − 1.9677 = 68.4194 left. The rest of May costs
		// 61 − 39.3548 = 21.6452 (46.7742 left); June (30 days):
		// round4(61·23/30) = 46.7667 ≤ 46.7742 < round4(61·24/30) = 48.8,
		// so June 23.
		{what: "a top-up resumes the lapsed rental", at: "2027-05-20", by: bob,
			cmd:     RedeemDomainKey{Domain: "pbx.example.com", Code: "ISC-70"},
			charged: "1.9677", available: "68.4194", monthly: "61", end: "2027-06-23"},
	})
}

// TestRentalEndDateLeapDay: February 2028 has 29 days; its days cost
// unequal shares that add up to the monthly cost exactly.
func TestRentalEndDateLeapDay(t *testing.T) {
	st := stateOf(t, rentalStoryWorld(map[string]int64{"ISC-5": 5})...)
	runRentalStory(t, st, "pbx.example.com", []rentalStep{
		{what: "5 iSC", at: "2028-02-20", by: bob, cmd: RedeemDomainKey{Domain: "pbx.example.com", Code: "ISC-5"},
			available: "5", monthly: "0"},
		// M = 3. Feb 27: round4(3·27/29) − round4(3·26/29) = 2.7931 −
		// 2.6897 = 0.1034; 4.8966 left. The rest of February costs 3 −
		// 2.7931 = 0.2069 (4.6897 left), March 3 (1.6897 left), April (30
		// days) 0.1 a day: 16 days, so April 16.
		{what: "3 PBX-Port on February 27, 2028", at: "2028-02-27", by: bob,
			cmd:     RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(3)},
			charged: "0.1034", available: "4.8966", monthly: "3", end: "2028-04-16"},
		// Feb 28: round4(3·28/29) = 2.8966, 2.8966 − 2.7931 = 0.1035; the
		// leap day: 3 − 2.8966 = 0.1034; March 1: round4(3/31) = 0.0968.
		// 0.3037 in all, 4.5929 left; the end does not move.
		{what: "charged over the leap day", at: "2028-03-01", by: vendor, cmd: ChargeRentals{},
			charged: "0.3037", available: "4.5929", monthly: "3", end: "2028-04-16"},
	})
}

func TestDayCostsAddUpToTheMonth(t *testing.T) {
	for _, m := range []string{"0.25", "1", "3", "10", "31", "61", "99.9999", "1234.5"} {
		monthly := decimal.RequireFromString(m)
		for _, month := range []string{"2027-01-01", "2027-02-01", "2028-02-01", "2027-04-01"} {
			first := MustDay(month)
			next := DayOf(first.Time().AddDate(0, 1, 0))
			if got := CostOfDays(monthly, first, next-1); !got.Equal(monthly) {
				t.Errorf("the month from %s at %s costs %s", month, m, got)
			}
		}
	}
}

// TestCoveredThroughIsTheLastCoveredDay checks CoveredThrough against
// counting days one by one, for many balances.
func TestCoveredThroughIsTheLastCoveredDay(t *testing.T) {
	monthly := decimal.RequireFromString("61")
	from := MustDay("2027-01-17")
	for a := int64(0); a < 400; a += 7 {
		avail := decimal.NewFromInt(a).Add(decimal.RequireFromString("0.3871"))
		want, spent := from-1, decimal.Zero
		for d := from; ; d++ {
			spent = spent.Add(DayCost(monthly, d))
			if spent.GreaterThan(avail) {
				break
			}
			want = d
		}
		if got := CoveredThrough(monthly, avail, from); got != want {
			t.Errorf("%s iSC from %s: %s, want %s", avail, from, got, want)
		}
	}
}
