package domain_test

import (
	"testing"

	. "github.com/innolic/ledger/domain"
)

var (
	dave    = Principal{Person: 5} // Licenses right with buy on credit in company 1
	vm13    = Item{"PBX-Voicemail", 13}
	sb13    = Item{"PBX-Standby", 13}
	reg13   = Item{"PBX-Registration", 13}
	pri13   = Item{"Relay-PRI", 13}
	today   = "2026-11-22"
	bindKey = []Line{{Item: pbx13, Quantity: 2}, {Item: vm13, Quantity: 2}, {Item: sb13, Quantity: 2},
		{Item: reg13, Quantity: 1}, {Item: port13, Quantity: 20}, {Item: pri13, Quantity: 3}}
)

// bindWorld: DEFAULT (1) holds bindKey, Hotel (3) holds 2 Relay-PRI13; the
// IP6000 is in DEFAULT, the IP0010 in Hotel; dave may buy on credit.
func bindWorld() []Event {
	return append(devWorld(RightLicenses),
		PersonRegistered{Person: 5, Email: "dave@example.com", Name: "Dave"},
		MemberAdded{Company: 1, Person: 5, Right: RightLicenses, BuyOnCredit: true},
		ProjectCreated{Project: 3, Company: 1, Name: "Hotel"},
		KeyIssued{Code: "KEY-00002", Lines: bindKey},
		KeyRedeemed{Code: "KEY-00002", Project: 1, Company: 1, Lines: bindKey},
		KeyIssued{Code: "KEY-00003", Lines: []Line{{Item: pri13, Quantity: 2}}},
		KeyRedeemed{Code: "KEY-00003", Project: 3, Company: 1, Lines: []Line{{Item: pri13, Quantity: 2}}},
		DeviceAdded{MAC: mac0010, Company: 1, Project: 3},
	)
}

func bound(id int64, it Item, q int64) LicenseLine {
	return LicenseLine{ID: id, Item: it, Quantity: q, BindDate: today, Origin: OriginPurchased}
}

func TestBindDeciders(t *testing.T) {
	base := bindWorld()
	pbxSet := []Line{{Item: Item{Type: "PBX-PBX"}, Quantity: 1}, {Item: Item{Type: "PBX-Voicemail"}, Quantity: 1},
		{Item: Item{Type: "PBX-Standby"}, Quantity: 1}, {Item: Item{Type: "PBX-Port"}, Quantity: 10}}
	pri := func(q int64) []Line { return []Line{{Item: Item{Type: "Relay-PRI"}, Quantity: q}} }
	hasPRI := append(bindWorld(), LicensesBound{MAC: mac6000, Company: 1, Project: 1,
		Draws: []Draw{{Project: 1, Lines: []Line{{Item: pri13, Quantity: 3}}}}, Lines: []LicenseLine{bound(1, pri13, 3)}})
	inRMA := append(bindWorld(), RMARequestedEvent{MAC: mac6000, Company: 1})
	floating := append(bindWorld(), LicensesBound{MAC: mac6000, Company: 1, Project: 1,
		Lines: []LicenseLine{bound(1, Item{"PBX-Floating", 7}, 1)}})
	runCases(t, []decideCase{
		{name: "bind a PBX from the project balance", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pbxSet},
			then: []Event{LicensesBound{MAC: mac6000, Company: 1, Project: 1,
				Draws: []Draw{{Project: 1, Lines: []Line{{Item: pbx13, Quantity: 1}, {Item: port13, Quantity: 10}, {Item: sb13, Quantity: 1}, {Item: vm13, Quantity: 1}}}},
				Lines: []LicenseLine{bound(1, pbx13, 1), bound(2, port13, 10), bound(3, sb13, 1), bound(4, vm13, 1)}}}},
		{name: "with an SSA end the project does not give", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(1), SSAEnd: "2027-12-31"},
			then: []Event{LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: []Draw{{Project: 1, Lines: []Line{{Item: pri13, Quantity: 1}}}},
				Lines: []LicenseLine{{ID: 1, Item: pri13, Quantity: 1, BindDate: today, SSAEnd: "2027-12-31", Origin: OriginPurchased}}}}},
		{name: "an SSA end in the past", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(1), SSAEnd: "2026-01-01"}, wantErr: "invalid-ssa-end"},
		{name: "draws from other projects of the company in the order named", given: base, by: bob,
			when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(4), AlsoFrom: []ProjectID{3}},
			then: []Event{LicensesBound{MAC: mac6000, Company: 1, Project: 1,
				Draws: []Draw{{Project: 1, Lines: []Line{{Item: pri13, Quantity: 3}}}, {Project: 3, Lines: []Line{{Item: pri13, Quantity: 1}}}},
				Lines: []LicenseLine{bound(1, pri13, 4)}}}},
		{name: "not from another company's project", given: base, by: bob,
			when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(4), AlsoFrom: []ProjectID{2}}, wantErr: "project-not-in-company"},
		{name: "the shortfall without credit", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(4)}, wantErr: "balance-insufficient"},
		{name: "credit needs the right, not only the checkbox", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(4), OnCredit: true}, wantErr: "balance-insufficient"},
		{name: "the shortfall bought on credit", given: base, by: dave, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(4), OnCredit: true, CreditOrder: " PO-9 "},
			then: []Event{CreditPurchased{Company: 1, Project: 1, Person: 5, MAC: mac6000, Lines: []Line{{Item: pri13, Quantity: 1}}, OrderNumber: "PO-9", Date: today},
				LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: []Draw{{Project: 1, Lines: []Line{{Item: pri13, Quantity: 4}}}},
					Lines: []LicenseLine{bound(1, pri13, 4)}}}},
		{name: "at most 4 Relay-PRI on an IP6000", given: hasPRI, by: dave, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(2), OnCredit: true}, wantErr: "device-maximum-exceeded"},
		{name: "no Relay-PRI on an IP0010", given: base, by: bob, when: BindLicenses{Project: 3, MAC: "000002", Version: 13, Lines: pri(1)}, wantErr: "license-not-for-device"},
		{name: "Voicemail must equal PBX-PBX", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pbxSet[:2]}, wantErr: "voicemail-standby-mismatch"},
		{name: "Registration at most PBX-PBX", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13,
			Lines: append(pbxSet[:3:3], Line{Item: Item{Type: "PBX-Registration"}, Quantity: 2})}, wantErr: "registration-exceeds-pbx"},
		{name: "V7 PBX licenses exclude a floating license", given: floating, by: dave, when: BindLicenses{Project: 1, MAC: "000001", Version: 7, Lines: pbxSet[3:], OnCredit: true}, wantErr: "floating-exclusive"},
		{name: "only PBX and gateway licenses", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 0, Lines: []Line{{Item: Item{Type: "GVL-Purchase"}, Quantity: 1}}}, wantErr: "not-bindable"},
		{name: "a version the type has", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 4, Lines: pri(1)}, wantErr: "invalid-version"},
		{name: "the device must be in the project", given: base, by: bob, when: BindLicenses{Project: 3, MAC: "000001", Version: 13, Lines: pri(1)}, wantErr: "device-not-in-project"},
		{name: "the device must be in the company", given: base, by: bob, when: BindLicenses{Project: 1, MAC: "000003", Version: 13, Lines: pri(1)}, wantErr: "device-not-in-company"},
		{name: "not to an RMA device", given: inRMA, by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(1)}, wantErr: "device-in-rma"},
		{name: "a viewer binds nothing", given: devWorld(RightViewer), by: bob, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(1)}, wantErr: "no-right"},
		{name: "a stranger binds nothing", given: base, by: carol, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: pri(1)}, wantErr: "not-member"},
	})
}

func TestCreditTakesTheBalanceBelowZero(t *testing.T) {
	st := stateOf(t, bindWorld()...)
	decideAndApply(t, st, dave, BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: []Line{{Item: Item{Type: "Relay-PRI"}, Quantity: 4}}, OnCredit: true})
	if got := st.Projects[1].Balance[pri13]; got != -1 {
		t.Fatalf("DEFAULT Relay-PRI13 = %d, want -1 after buying 1 on credit", got)
	}
	if len(st.Credits) != 1 || st.Credits[0].Lines[0].Quantity != 1 {
		t.Fatalf("credits = %v", st.Credits)
	}
	if got := st.Devices[mac6000].Licenses; len(got) != 1 || got[0].Quantity != 4 {
		t.Fatalf("device lines = %v", got)
	}
}

// TestExternalProjectGrants: a company granted rights on another company's
// project adds devices and binds licenses there, but creates no keys from
// its balance and draws nothing across companies.
func TestExternalProjectGrants(t *testing.T) {
	granted := append(bindWorld(), ProjectRightGranted{Project: 1, Company: 1, Grantee: 2})
	runCases(t, []decideCase{
		{name: "a grantee adds a device to the external project", given: granted, by: carol, when: AddDevices{Project: 1, MACs: []string{"000003"}},
			then: []Event{DeviceAdded{MAC: mac112, Company: 1, Project: 1}}},
		{name: "a grantee binds licenses there", given: granted, by: carol, when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: []Line{{Item: Item{Type: "Relay-PRI"}, Quantity: 1}}},
			then: []Event{LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: []Draw{{Project: 1, Lines: []Line{{Item: pri13, Quantity: 1}}}},
				Lines: []LicenseLine{bound(1, pri13, 1)}}}},
		{name: "a grantee creates no key from the balance", given: granted, by: carol,
			when: CreateOwnKey{Project: 1, Code: "OWN-00009", Lines: []Line{{Item: port13, Quantity: 1}}}, wantErr: "external-project-restricted"},
		{name: "a grantee draws nothing from its own projects", given: granted, by: carol,
			when: BindLicenses{Project: 1, MAC: "000001", Version: 13, Lines: []Line{{Item: Item{Type: "Relay-PRI"}, Quantity: 4}}, AlsoFrom: []ProjectID{2}}, wantErr: "project-not-in-company"},
		{name: "a grantee removes no devices", given: granted, by: carol, when: RemoveDevices{Company: 1, MACs: []string{"000001"}}, wantErr: "not-member"},
	})
}
