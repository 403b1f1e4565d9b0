package domain_test

import (
	"encoding/json"
	"reflect"
	"testing"

	. "github.com/innolic/ledger/domain"
)

var sscItem = Item{Type: "SSC"}

// ssaWorld is devWorld with licenses on the IP6000 in alice's project 1
// (today is 2026-11-22): line 1, 20 PBX-Port16 bound today; line 2, one
// PBX-PBX15 bound 2025-06-01 whose SSA ended 2026-06-01; line 3, four
// Relay-PRI16 (gateway, no SSC value, no SSA); and sscBalance SSC in
// project 1's balance.
func ssaWorld(bobRight Right, sscBalance int64) []Event {
	evs := append(devWorld(bobRight),
		LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{
			{ID: 1, Item: Item{"PBX-Port", 16}, Quantity: 20, BindDate: "2026-11-22", Origin: OriginPurchased},
			{ID: 2, Item: Item{"PBX-PBX", 15}, Quantity: 1, BindDate: "2025-06-01", SSAEnd: "2026-06-01", Origin: OriginPurchased},
			{ID: 3, Item: Item{"Relay-PRI", 16}, Quantity: 4, BindDate: "2026-11-22", Origin: OriginPurchased}}})
	if sscBalance > 0 {
		lines := []Line{{Item: sscItem, Quantity: sscBalance}}
		evs = append(evs, KeyIssued{Code: "KEY-SSC01", Lines: lines}, KeyRedeemed{Code: "KEY-SSC01", Project: 1, Company: 1, Lines: lines})
	}
	return evs
}

// The priced lines of ssaWorld for the end 2027-11-22, calculated today.
var (
	port16Year = SSALine{Project: 1, MAC: mac6000, Line: 1, SSCLineQuote: SSCLineQuote{Item: Item{"PBX-Port", 16}, Units: 20,
		Bound: d("2026-11-22"), Value: "54", Start: d("2026-11-22"), DaysOnce: 365, Multiplicator: "1.0000", SSC: "1080",
		NewEnd: d("2027-11-22"), Status: SSCExtended}}
	// V15 is older than V16 (released 2026-04-28), but the old SSA end
	// 2026-06-01 is later: from it to today (174 days) counts twice.
	pbx15Year = SSALine{Project: 1, MAC: mac6000, Line: 2, SSCLineQuote: SSCLineQuote{Item: Item{"PBX-PBX", 15}, Units: 1,
		Bound: d("2025-06-01"), OldEnd: d("2026-06-01"), Value: "27", Start: d("2026-06-01"), DaysTwice: 174, DaysOnce: 365,
		Multiplicator: "1.9534", SSC: "52.7418", NewEnd: d("2027-11-22"), Status: SSCExtended}}
)

func optedOut(l SSALine) SSALine {
	l.DaysTwice, l.DaysOnce, l.Multiplicator, l.SSC, l.NewEnd, l.Status = 0, 0, "0.0000", "0", 0, SSCOptOut
	return l
}

func i64(n int64) *int64 { return &n }

func TestExtendProjectSSA(t *testing.T) {
	end := d("2027-11-22")
	both := []SSALine{port16Year, pbx15Year}
	onlyPort := []SSALine{port16Year, optedOut(pbx15Year)}
	withCredit := append(ssaWorld(RightLicenses, 500), RightsChanged{Company: 1, Person: 2, Right: RightAdministrator, BuyOnCredit: true})
	auto := append(ssaWorld(RightLicenses, 0), AutoSSAActivated{Project: 1, Company: 1, Date: d("2026-01-01")})
	runCases(t, []decideCase{
		{name: "the balance pays: every SSA line gets the end, the total (1132.7418 rounded up) is debited",
			given: ssaWorld(RightLicenses, 2000), by: bob, when: ExtendProjectSSA{Project: 1, End: end, Expected: i64(1133)},
			then: []Event{ProjectSSAExtended{Project: 1, Company: 1, Person: 3, End: end, CalcDate: d("2026-11-22"),
				Lines: both, Exact: "1132.7418", Total: 1133, Payment: PayBalance}}},
		{name: "opt-out: the line keeps its end and costs nothing",
			given: ssaWorld(RightLicenses, 2000), by: alice, when: ExtendProjectSSA{Project: 1, End: end, OptOut: []int64{2}},
			then: []Event{ProjectSSAExtended{Project: 1, Company: 1, Person: 2, End: end, CalcDate: d("2026-11-22"),
				Lines: onlyPort, Exact: "1080", Total: 1080, Payment: PayBalance}}},
		{name: "a maximum amount finds the latest end that fits (1080 SSC buy exactly one year of 20 ports)",
			given: ssaWorld(RightLicenses, 2000), by: alice, when: ExtendProjectSSA{Project: 1, MaxSSC: i64(1080), OptOut: []int64{2}},
			then: []Event{ProjectSSAExtended{Project: 1, Company: 1, Person: 2, End: end, CalcDate: d("2026-11-22"), MaxSSC: i64(1080),
				Lines: onlyPort, Exact: "1080", Total: 1080, Payment: PayBalance}}},
		{name: "on credit: the shortfall is bought with the order number, then all is debited",
			given: withCredit, by: alice, when: ExtendProjectSSA{Project: 1, End: end, OnCredit: true, CreditOrder: " PO-7 "},
			then: []Event{
				CreditPurchased{Company: 1, Project: 1, Person: 2, Lines: []Line{{Item: sscItem, Quantity: 633}}, OrderNumber: "PO-7", Date: "2026-11-22"},
				ProjectSSAExtended{Project: 1, Company: 1, Person: 2, End: end, CalcDate: d("2026-11-22"),
					Lines: both, Exact: "1132.7418", Total: 1133, Payment: PayCredit, OrderNumber: "PO-7"}}},
		{name: "automatic SSA: the SSC are invoiced, not debited",
			given: auto, by: alice, when: ExtendProjectSSA{Project: 1, End: end},
			then: []Event{
				ProjectSSAExtended{Project: 1, Company: 1, Person: 2, End: end, CalcDate: d("2026-11-22"),
					Lines: both, Exact: "1132.7418", Total: 1133, Payment: PayInvoice},
				SSCInvoiced{Project: 1, Company: 1, Cause: "extend", Date: d("2026-11-22"), SSC: 1133, Exact: "1132.7418"}}},
		{name: "a past date within a year only corrects the project date",
			given: append(ssaWorld(RightLicenses, 0), ProjectSSACorrected{Project: 1, Company: 1, End: d("2026-05-01")}),
			by:    alice, when: ExtendProjectSSA{Project: 1, End: d("2026-01-10")},
			then: []Event{ProjectSSACorrected{Project: 1, Company: 1, Person: 2, Previous: d("2026-05-01"), End: d("2026-01-10")}}},
		{name: "a date more than a year ago is refused", given: ssaWorld(RightLicenses, 2000), by: alice,
			when: ExtendProjectSSA{Project: 1, End: d("2025-11-21")}, wantErr: "ssa-end-too-old"},
		{name: "the balance lacks SSC and no credit was asked", given: ssaWorld(RightLicenses, 500), by: alice,
			when: ExtendProjectSSA{Project: 1, End: end}, wantErr: "balance-insufficient"},
		{name: "credit asked without the buy-on-credit right", given: ssaWorld(RightLicenses, 500), by: bob,
			when: ExtendProjectSSA{Project: 1, End: end, OnCredit: true}, wantErr: "no-credit-right"},
		{name: "the total changed since the quote", given: ssaWorld(RightLicenses, 2000), by: alice,
			when: ExtendProjectSSA{Project: 1, End: end, Expected: i64(1080)}, wantErr: "ssc-total-changed"},
		{name: "an opt-out id that is no SSA line of the project", given: ssaWorld(RightLicenses, 2000), by: alice,
			when: ExtendProjectSSA{Project: 1, End: end, OptOut: []int64{3}}, wantErr: "license-line-not-in-project"},
		{name: "an end date and a maximum amount at once", given: ssaWorld(RightLicenses, 2000), by: alice,
			when: ExtendProjectSSA{Project: 1, End: end, MaxSSC: i64(5)}, wantErr: "invalid-ssa-request"},
		{name: "neither an end date nor a maximum amount", given: ssaWorld(RightLicenses, 2000), by: alice,
			when: ExtendProjectSSA{Project: 1}, wantErr: "invalid-ssa-request"},
		{name: "more than ten years ahead", given: ssaWorld(RightLicenses, 2000), by: alice,
			when: ExtendProjectSSA{Project: 1, End: d("2036-11-23")}, wantErr: "ssa-end-too-far"},
		{name: "an amount below what is owed anyway", given: ssaWorld(RightLicenses, 2000), by: alice,
			when: ExtendProjectSSA{Project: 1, MaxSSC: i64(10)}, wantErr: "ssc-amount-too-small"},
		{name: "a viewer cannot extend", given: ssaWorld(RightViewer, 2000), by: bob,
			when: ExtendProjectSSA{Project: 1, End: end}, wantErr: "no-right"},
		{name: "a stranger cannot extend", given: ssaWorld(RightViewer, 2000), by: carol,
			when: ExtendProjectSSA{Project: 1, End: end}, wantErr: "not-member"},
		{name: "unknown project", given: ssaWorld(RightViewer, 2000), by: alice,
			when: ExtendProjectSSA{Project: 9, End: end}, wantErr: "project-not-found"},
	})
}

// Confirming sets the project date and every extended line's end, debits
// the balance, and a second extension pays only the difference.
func TestExtensionAppliesAndThenPaysTheDifference(t *testing.T) {
	st := stateOf(t, ssaWorld(RightLicenses, 3000)...)
	decideAndApply(t, st, alice, ExtendProjectSSA{Project: 1, End: d("2027-11-22")})
	if st.Projects[1].SSAEnd != "2027-11-22" || st.Projects[1].Balance[sscItem] != 3000-1133 {
		t.Fatalf("project end %q balance %d", st.Projects[1].SSAEnd, st.Projects[1].Balance[sscItem])
	}
	ls := st.Devices[mac6000].Licenses
	if ls[0].SSAEnd != "2027-11-22" || ls[1].SSAEnd != "2027-11-22" || ls[2].SSAEnd != "" {
		t.Fatalf("line ends %q %q %q", ls[0].SSAEnd, ls[1].SSAEnd, ls[2].SSAEnd)
	}
	evs := decideAndApply(t, st, alice, ExtendProjectSSA{Project: 1, End: d("2028-11-21")})
	ext := evs[0].(ProjectSSAExtended)
	// 2027-11-22 .. 2028-11-21 is 365 days (2028 is a leap year): one more
	// year at 20 x 54 + 1 x 27.
	if ext.Total != 1107 || ext.Previous != d("2027-11-22") || ext.Lines[0].Start != d("2027-11-22") || ext.Lines[0].DaysTwice != 0 {
		t.Fatalf("second extension: %+v", ext)
	}
}

func TestQuoteSSA(t *testing.T) {
	st := stateOf(t, ssaWorld(RightViewer, 500)...)
	q, err := st.QuoteSSA(bob, SSAQuoteRequest{Project: 1, End: d("2027-11-22")}, now)
	if err != nil {
		t.Fatal(err)
	}
	if q.Total != 1133 || q.Balance != 500 || q.Shortfall != 633 || !q.Confirmable || len(q.Lines) != 2 {
		t.Fatalf("quote %+v", q)
	}
	// Licenses to be bound later and another calculation date: a preview.
	q, err = st.QuoteSSA(bob, SSAQuoteRequest{Project: 1, End: d("2027-11-22"), CalcDate: d("2027-05-22"),
		Extra: []Line{{Item: Item{"PBX-Port", 16}, Quantity: 10}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	extra := q.Lines[2]
	if q.Confirmable || extra.Line != 0 || extra.Start != d("2027-05-22") || extra.DaysOnce != 184 || extra.Multiplicator != "0.5041" {
		t.Fatalf("preview %+v", q)
	}
	// All projects of the company at once: a preview only.
	q, err = st.QuoteSSA(bob, SSAQuoteRequest{Company: 1, End: d("2027-11-22")}, now)
	if err != nil || q.Confirmable || q.Total != 1133 {
		t.Fatalf("company preview %+v, %v", q, err)
	}
	for _, tc := range []struct {
		by   Principal
		req  SSAQuoteRequest
		code string
	}{
		{carol, SSAQuoteRequest{Project: 1, End: d("2027-11-22")}, "not-member"},
		{bob, SSAQuoteRequest{End: d("2027-11-22")}, "invalid-ssa-request"},
		{bob, SSAQuoteRequest{Project: 1, End: d("2027-11-22"), Extra: []Line{{Item: Item{"Relay-PRI", 16}, Quantity: 1}}}, "no-ssc-value"},
		{bob, SSAQuoteRequest{Project: 1, End: d("2027-11-22"), Extra: []Line{{Item: Item{"PBX-Port", 99}, Quantity: 1}}}, "invalid-version"},
	} {
		if _, err := st.QuoteSSA(tc.by, tc.req, now); !hasCode(err, tc.code) {
			t.Errorf("%+v: err = %v, want %s", tc.req, err, tc.code)
		}
	}
}

func hasCode(err error, code string) bool {
	de, ok := err.(*Error)
	return ok && de.Code == code
}

// ssaSampleEvents has one value of every SSA event type (for the shared
// sampleEvents list, and the round trip below).
func ssaSampleEvents() []Event {
	return []Event{
		ProjectSSAExtended{Project: 1, Company: 1, Person: 2, Previous: d("2026-01-01"), End: d("2027-11-22"), CalcDate: d("2026-11-22"),
			MaxSSC: i64(2000), Lines: []SSALine{port16Year, pbx15Year}, Exact: "1132.7418", Total: 1133, Payment: PayCredit, OrderNumber: "PO-1"},
		ProjectSSACorrected{Project: 1, Company: 1, Person: 2, Previous: d("2027-01-01"), End: d("2026-06-01")},
		AutoSSARequested{Project: 1, Company: 1, Person: 2, Date: d("2026-11-22"), Callback: true, Comment: "x"},
		AutoSSAActivated{Project: 1, Company: 1, Date: d("2026-11-22")},
		AutoSSAEnded{Project: 1, Company: 1, Declined: true, Reason: "r"},
		LinesSSAExtended{Project: 1, Company: 1, Person: 3, Cause: "move", End: d("2027-11-22"), CalcDate: d("2026-11-22"),
			Lines: []SSALine{hotelLine}, Exact: "301.077", Total: 302, Payment: PayInvoice},
		SSCInvoiced{Project: 1, Company: 1, Cause: "move", Date: d("2026-11-22"), SSC: 302, Exact: "301.077"},
		SSAMailSettingsSet{Project: 1, Company: 1, SSAMailSettings: SSAMailSettings{NoMails: true, ResellerMail: "r@s.example",
			EndUsers: []string{"a@b.example"}, Text: "t"}},
		EndUserTextSet{Company: 1, Text: "t"},
		SSAReminderDue{Key: "ssa/1/2027-01-10/person/2/week-0", Kind: ReminderPerson, Project: 1, Company: 1, End: d("2027-01-10"),
			Day: d("2026-11-22"), DaysLeft: 49, Person: 2, To: "alice@example.com", Subject: "s", Body: "b"},
		SSAReminderSent{Key: "ssa/1/2027-01-10/person/2/week-0", Project: 1, Company: 1, Day: d("2026-11-22")},
		DeviceSSARemindersSet{Company: 1, DeviceSSASettings: DeviceSSASettings{On: true, Mails: []string{"a@b.example"}}},
	}
}

// Every SSA event survives the wire: encoded, decoded by its stable name,
// it is the same value (dates as YYYY-MM-DD, amounts as decimal strings).
func TestSSAEventsRoundTrip(t *testing.T) {
	for _, e := range ssaSampleEvents() {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeEvent(e.EventType(), b)
		if err != nil {
			t.Fatalf("%s: %v", e.EventType(), err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("%s round trip:\n got %#v\nwant %#v\n%s", e.EventType(), got, e, b)
		}
		if len(e.EventTags()) < 1 {
			t.Errorf("%s: tags %v", e.EventType(), e.EventTags())
		}
	}
}
