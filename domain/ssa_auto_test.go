package domain_test

import (
	"reflect"
	"testing"

	. "github.com/innolic/ledger/domain"
)

// extendedWorld is ssaWorld(bobRight, 2000) after project 1's SSA was
// extended to 2027-11-22 (both SSA lines) and paid from the balance.
func extendedWorld(bobRight Right) []Event {
	return append(ssaWorld(bobRight, 2000), ProjectSSAExtended{Project: 1, Company: 1, Person: 2, End: d("2027-11-22"),
		CalcDate: d("2026-11-22"), Lines: []SSALine{port16Year, pbx15Year}, Exact: "1132.7418", Total: 1133, Payment: PayBalance})
}

func TestAutoSSADeciders(t *testing.T) {
	requested := append(extendedWorld(RightLicenses), AutoSSARequested{Project: 1, Company: 1, Person: 2, Date: d("2026-11-20")})
	active := append(extendedWorld(RightLicenses), AutoSSAActivated{Project: 1, Company: 1, Date: d("2026-11-20")})
	partly := append(ssaWorld(RightLicenses, 2000), ProjectSSAExtended{Project: 1, Company: 1, End: d("2027-11-22"),
		CalcDate: d("2026-11-22"), Lines: []SSALine{port16Year, optedOut(pbx15Year)}, Exact: "1080", Total: 1080, Payment: PayBalance})
	runCases(t, []decideCase{
		{name: "a project with all licenses under SSA requests automatic SSA", given: extendedWorld(RightLicenses), by: bob,
			when: RequestAutoSSA{Project: 1, Callback: true, Comment: " call me "},
			then: []Event{AutoSSARequested{Project: 1, Company: 1, Person: 3, Date: d("2026-11-22"), Callback: true, Comment: "call me"}}},
		{name: "not without an SSA end", given: ssaWorld(RightLicenses, 0), by: alice, when: RequestAutoSSA{Project: 1}, wantErr: "project-not-under-ssa"},
		{name: "not with a license left out", given: partly, by: alice, when: RequestAutoSSA{Project: 1}, wantErr: "licenses-not-under-ssa"},
		{name: "not twice", given: requested, by: alice, when: RequestAutoSSA{Project: 1}, wantErr: "auto-ssa-requested"},
		{name: "not when active", given: active, by: alice, when: RequestAutoSSA{Project: 1}, wantErr: "auto-ssa-active"},
		{name: "a viewer cannot request", given: extendedWorld(RightViewer), by: bob, when: RequestAutoSSA{Project: 1}, wantErr: "no-right"},
		{name: "the vendor activates", given: requested, by: vendor, when: ActivateAutoSSA{Project: 1},
			then: []Event{AutoSSAActivated{Project: 1, Company: 1, Date: d("2026-11-22")}}},
		{name: "only the vendor activates", given: requested, by: alice, when: ActivateAutoSSA{Project: 1}, wantErr: "vendor-only"},
		{name: "activation checks the licenses again", given: partly, by: vendor, when: ActivateAutoSSA{Project: 1}, wantErr: "licenses-not-under-ssa"},
		{name: "activation of an active project", given: active, by: vendor, when: ActivateAutoSSA{Project: 1}, wantErr: "auto-ssa-active"},
		{name: "the vendor declines a request", given: requested, by: vendor, when: EndAutoSSA{Project: 1, Reason: "no contract"},
			then: []Event{AutoSSAEnded{Project: 1, Company: 1, Declined: true, Reason: "no contract"}}},
		{name: "the vendor ends the service", given: active, by: vendor, when: EndAutoSSA{Project: 1},
			then: []Event{AutoSSAEnded{Project: 1, Company: 1}}},
		{name: "nothing to end", given: extendedWorld(RightLicenses), by: vendor, when: EndAutoSSA{Project: 1}, wantErr: "auto-ssa-not-active"},
		{name: "only the vendor ends", given: active, by: alice, when: EndAutoSSA{Project: 1}, wantErr: "vendor-only"},
	})
}

// withHotel adds project 3 (Hotel) of company 1 holding the IP0010 with
// five PBX-Port16 bound 2026-11-01 and no SSA (line 4).
func withHotel(evs []Event) []Event {
	return append(evs, ProjectCreated{Project: 3, Company: 1, Name: "Hotel"}, DeviceAdded{MAC: mac0010, Company: 1, Project: 3},
		LicensesBound{MAC: mac0010, Company: 1, Project: 3, Lines: []LicenseLine{
			{ID: 4, Item: Item{"PBX-Port", 16}, Quantity: 5, BindDate: "2026-11-01", Origin: OriginPurchased}}})
}

// hotelLine is line 4 priced for the end 2027-11-22: 21 days twice and
// 365 once, 5 x 54 x 1.1151.
var hotelLine = SSALine{Project: 1, MAC: mac0010, Line: 4, SSCLineQuote: SSCLineQuote{Item: Item{"PBX-Port", 16}, Units: 5,
	Bound: d("2026-11-01"), Value: "54", Start: d("2026-11-01"), DaysTwice: 21, DaysOnce: 365, Multiplicator: "1.1151",
	SSC: "301.077", NewEnd: d("2027-11-22"), Status: SSCExtended}}

func TestSSAOnArrival(t *testing.T) {
	today := d("2026-11-22")
	t.Run("moved into an automatic-SSA project: the project date, invoiced", func(t *testing.T) {
		st := stateOf(t, withHotel(append(extendedWorld(RightLicenses), AutoSSAActivated{Project: 1, Company: 1}))...)
		pre, post, err := st.SSAOnMove(bob, st.Projects[1], []MAC{mac0010}, 0, false, "", today)
		want := []Event{LinesSSAExtended{Project: 1, Company: 1, Person: 3, Cause: "move", End: d("2027-11-22"), CalcDate: today,
			Lines: []SSALine{hotelLine}, Exact: "301.077", Total: 302, Payment: PayInvoice},
			SSCInvoiced{Project: 1, Company: 1, Cause: "move", Date: today, SSC: 302, Exact: "301.077"}}
		if err != nil || len(pre) != 0 || !reflect.DeepEqual(post, want) {
			t.Fatalf("pre %v post %#v err %v", pre, post, err)
		}
		balance := st.Projects[1].Balance[sscItem]
		for _, e := range post {
			if err := st.Evolve(e); err != nil {
				t.Fatal(err)
			}
		}
		if st.Devices[mac0010].Licenses[0].SSAEnd != "2027-11-22" || st.Projects[1].Balance[sscItem] != balance || len(st.Invoices) != 1 {
			t.Fatalf("after: line end %q, balance %d (was %d), invoices %d", st.Devices[mac0010].Licenses[0].SSAEnd,
				st.Projects[1].Balance[sscItem], balance, len(st.Invoices))
		}
	})
	t.Run("under automatic SSA the date cannot be changed", func(t *testing.T) {
		st := stateOf(t, withHotel(append(extendedWorld(RightLicenses), AutoSSAActivated{Project: 1, Company: 1}))...)
		if _, _, err := st.SSAOnMove(bob, st.Projects[1], []MAC{mac0010}, d("2028-01-01"), false, "", today); !hasCode(err, "ssa-end-fixed") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("under automatic SSA no line may opt out; an asked end must not be past", func(t *testing.T) {
		st := stateOf(t, withHotel(append(extendedWorld(RightLicenses), AutoSSAActivated{Project: 1, Company: 1}))...)
		a := Arrival{Cause: "move", Lines: map[MAC][]LicenseLine{mac0010: st.Devices[mac0010].Licenses}, OptOut: []int64{4}}
		if _, _, err := st.SSAOnArrival(bob, st.Projects[1], a, today); !hasCode(err, "auto-ssa-all-licenses") {
			t.Fatalf("opt-out: err = %v", err)
		}
		st = stateOf(t, withHotel(extendedWorld(RightLicenses))...)
		a = Arrival{Cause: "bind", Lines: a.Lines, Asked: today - 1}
		if _, _, err := st.SSAOnArrival(bob, st.Projects[1], a, today); !hasCode(err, "invalid-ssa-end") {
			t.Fatalf("past end: err = %v", err)
		}
	})
	t.Run("moved into an SSA project: charged from its balance", func(t *testing.T) {
		st := stateOf(t, withHotel(extendedWorld(RightLicenses))...)
		_, post, err := st.SSAOnMove(bob, st.Projects[1], []MAC{mac0010}, 0, false, "", today)
		if err != nil || len(post) != 1 || post[0].(LinesSSAExtended).Payment != PayBalance || post[0].(LinesSSAExtended).Total != 302 {
			t.Fatalf("post %#v err %v", post, err)
		}
		if err := st.Evolve(post[0]); err != nil || st.Projects[1].Balance[sscItem] != 2000-1133-302 {
			t.Fatalf("balance %d, %v", st.Projects[1].Balance[sscItem], err)
		}
	})
	t.Run("the balance must cover it", func(t *testing.T) {
		st := stateOf(t, withHotel(append(ssaWorld(RightLicenses, 0), ProjectSSACorrected{Project: 1, Company: 1, End: d("2027-11-22")}))...)
		if _, _, err := st.SSAOnMove(bob, st.Projects[1], []MAC{mac0010}, 0, false, "", today); !hasCode(err, "balance-insufficient") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a project without SSA changes nothing", func(t *testing.T) {
		st := stateOf(t, withHotel(ssaWorld(RightLicenses, 0))...)
		pre, post, err := st.SSAOnMove(bob, st.Projects[1], []MAC{mac0010}, 0, false, "", today)
		if err != nil || len(pre)+len(post) != 0 {
			t.Fatalf("pre %v post %v err %v", pre, post, err)
		}
	})
	t.Run("a join pays from both balances", func(t *testing.T) {
		evs := withHotel(append(ssaWorld(RightLicenses, 0), ProjectSSACorrected{Project: 1, Company: 1, End: d("2027-11-22")}))
		lines := []Line{{Item: sscItem, Quantity: 400}}
		evs = append(evs, KeyIssued{Code: "KEY-SSC02", Lines: lines}, KeyRedeemed{Code: "KEY-SSC02", Project: 3, Company: 1, Lines: lines})
		st := stateOf(t, evs...)
		_, post, err := st.SSAOnJoin(alice, st.Projects[3], st.Projects[1], today)
		if err != nil || len(post) != 1 || post[0].(LinesSSAExtended).Cause != "join" || post[0].(LinesSSAExtended).Payment != PayBalance {
			t.Fatalf("post %#v err %v", post, err)
		}
	})
	t.Run("a fresh binding prices the lines as new, whatever end they carry", func(t *testing.T) {
		st := stateOf(t, extendedWorld(RightLicenses)...)
		fresh := map[MAC][]LicenseLine{mac6000: {{ID: 9, Item: Item{"PBX-Port", 16}, Quantity: 1, BindDate: "2026-11-22",
			SSAEnd: "2027-11-22", Origin: OriginPurchased}}}
		_, post, err := st.SSAOnArrival(bob, st.Projects[1], Arrival{Cause: "bind", Lines: fresh, Fresh: true,
			Available: 2000}, today)
		if err != nil || len(post) != 1 || post[0].(LinesSSAExtended).Total != 54 {
			t.Fatalf("post %#v err %v", post, err)
		}
	})
}

// Bindings and device moves into SSA projects go through SSAOnArrival.
func TestBindAndMoveIntoSSAProjects(t *testing.T) {
	port16 := Item{"PBX-Port", 16}
	ports := []Line{{Item: port16, Quantity: 2}}
	auto := append(extendedWorld(RightLicenses), AutoSSAActivated{Project: 1, Company: 1},
		KeyIssued{Code: "KEY-PORT1", Lines: ports}, KeyRedeemed{Code: "KEY-PORT1", Project: 1, Company: 1, Lines: ports})
	newLine := SSALine{Project: 1, MAC: mac6000, Line: 4, SSCLineQuote: SSCLineQuote{Item: port16, Units: 2, Bound: d("2026-11-22"),
		Value: "54", Start: d("2026-11-22"), DaysOnce: 365, Multiplicator: "1.0000", SSC: "108", NewEnd: d("2027-11-22"), Status: SSCExtended}}
	manual := append(extendedWorld(RightLicenses), KeyIssued{Code: "KEY-PORT1", Lines: ports},
		KeyRedeemed{Code: "KEY-PORT1", Project: 1, Company: 1, Lines: ports})
	uc := LicenseLine{ID: 5, Item: Item{"PBX-UC", 16}, Quantity: 2, BindDate: "2026-05-01", SSAEnd: "2027-01-01", Origin: OriginPurchased}
	freeAuto := append(extendedWorld(RightLicenses), LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{uc}},
		LicensesReturned{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{uc}, Confirmation: "c", Date: "2026-11-22"},
		AutoSSAActivated{Project: 1, Company: 1})
	runCases(t, []decideCase{
		{name: "a binding into an automatic-SSA project gets the project date, its SSC invoiced", given: auto, by: bob,
			when: BindLicenses{Project: 1, MAC: "000001", Version: 16, Lines: []Line{{Item: Item{Type: "PBX-Port"}, Quantity: 2}}},
			then: []Event{
				LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: []Draw{{Project: 1, Lines: ports}},
					Lines: []LicenseLine{{ID: 4, Item: port16, Quantity: 2, BindDate: "2026-11-22", Origin: OriginPurchased}}},
				LinesSSAExtended{Project: 1, Company: 1, Person: 3, Cause: "bind", End: d("2027-11-22"), CalcDate: d("2026-11-22"),
					Lines: []SSALine{newLine}, Exact: "108", Total: 108, Payment: PayInvoice},
				SSCInvoiced{Project: 1, Company: 1, Cause: "bind", Date: d("2026-11-22"), SSC: 108, Exact: "108"}}},
		{name: "under automatic SSA a binding cannot change the date", given: auto, by: bob,
			when:    BindLicenses{Project: 1, MAC: "000001", Version: 16, Lines: []Line{{Item: Item{Type: "PBX-Port"}, Quantity: 2}}, SSAEnd: "2028-01-01"},
			wantErr: "ssa-end-fixed"},
		{name: "a binding into an SSA project without automatic SSA gets SSA only when asked", given: manual, by: bob,
			when: BindLicenses{Project: 1, MAC: "000001", Version: 16, Lines: []Line{{Item: Item{Type: "PBX-Port"}, Quantity: 2}}},
			then: []Event{LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: []Draw{{Project: 1, Lines: ports}},
				Lines: []LicenseLine{{ID: 4, Item: port16, Quantity: 2, BindDate: "2026-11-22", Origin: OriginPurchased}}}}},
		{name: "asked, the new lines are priced and paid from the balance", given: manual, by: bob,
			when: BindLicenses{Project: 1, MAC: "000001", Version: 16, Lines: []Line{{Item: Item{Type: "PBX-Port"}, Quantity: 2}}, SSAEnd: "2027-11-22"},
			then: []Event{
				LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: []Draw{{Project: 1, Lines: ports}},
					Lines: []LicenseLine{{ID: 4, Item: port16, Quantity: 2, BindDate: "2026-11-22", SSAEnd: "2027-11-22", Origin: OriginPurchased}}},
				LinesSSAExtended{Project: 1, Company: 1, Person: 3, Cause: "bind", End: d("2027-11-22"), CalcDate: d("2026-11-22"),
					Lines: []SSALine{newLine}, Exact: "108", Total: 108, Payment: PayBalance}}},
		{name: "free licenses bound into an automatic-SSA project: the difference to its end is invoiced", given: freeAuto, by: bob,
			when: BindFreeLicenses{Project: 1, MAC: "000001", IDs: []int64{5}},
			then: []Event{FreeLicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{uc}},
				LinesSSAExtended{Project: 1, Company: 1, Person: 3, Cause: "bind", End: d("2027-11-22"), CalcDate: d("2026-11-22"),
					Lines: []SSALine{{Project: 1, MAC: mac6000, Line: 5, SSCLineQuote: SSCLineQuote{Item: uc.Item, Units: 2,
						Bound: d("2026-05-01"), OldEnd: d("2027-01-01"), Value: "12", Start: d("2027-01-01"), DaysOnce: 325,
						Multiplicator: "0.8904", SSC: "21.3696", NewEnd: d("2027-11-22"), Status: SSCExtended}}},
					Exact: "21.3696", Total: 22, Payment: PayInvoice},
				SSCInvoiced{Project: 1, Company: 1, Cause: "bind", Date: d("2026-11-22"), SSC: 22, Exact: "21.3696"}}},
		{name: "devices moved into an SSA project: their licenses get its end, paid from its balance",
			given: withHotel(extendedWorld(RightLicenses)), by: bob, when: MoveDevices{Company: 1, MACs: []string{string(mac0010)}, To: 1},
			then: []Event{DeviceMoved{MAC: mac0010, Company: 1, From: 3, To: 1},
				LinesSSAExtended{Project: 1, Company: 1, Person: 3, Cause: "move", End: d("2027-11-22"), CalcDate: d("2026-11-22"),
					Lines: []SSALine{hotelLine}, Exact: "301.077", Total: 302, Payment: PayBalance}}},
		{name: "a move into an SSA project whose balance lacks the SSC is refused",
			given: withHotel(append(ssaWorld(RightLicenses, 0), ProjectSSACorrected{Project: 1, Company: 1, End: d("2027-11-22")})),
			by:    bob, when: MoveDevices{Company: 1, MACs: []string{string(mac0010)}, To: 1}, wantErr: "balance-insufficient"},
	})
}
