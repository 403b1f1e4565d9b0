package domain_test

import (
	"sort"
	"testing"

	. "github.com/innolic/ledger/domain"
)

var (
	testDigest  = PasswordDigest("apps.example.com", "secret")
	otherDigest = PasswordDigest("apps.example.com", "other")
	pbxDigest   = PasswordDigest("pbx.example.com", "secret")
	pbxRef      = DomainRef{Domain: "pbx.example.com", Company: 1, Project: 3}
)

func sortedCodes(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// rentalWorld: rentalStoryWorld with 100 iSC redeemed into the rental
// project 3 and the IP0010 and IP112 registered in the domain too; bob
// has the right given.
func rentalWorld(bobRight Right) []Event {
	evs := rentalStoryWorld(map[string]int64{"ISC-100": 100})
	evs = append(evs, KeyRedeemed{Code: "ISC-100", Project: 3, Company: 1, Lines: []Line{{Item: ISCItem, Quantity: 100}}},
		DomainDeviceAdded{DomainRef: pbxRef, MAC: mac0010, Type: "IP0010"},
		DomainDeviceAdded{DomainRef: pbxRef, MAC: mac112, Type: "IP112"})
	if bobRight != RightLicenses {
		evs = append(evs, RightsChanged{Company: 1, Person: 3, Right: bobRight})
	}
	return evs
}

func snap(monthly, available, end string) RentalSnapshot {
	return RentalSnapshot{Monthly: monthly, Available: available, End: MustDay(end)}
}

func rented(id int64, it Item, q int64, price string) RentedLine {
	return RentedLine{LicenseLine: LicenseLine{ID: id, Item: it, Quantity: q, BindDate: today, Origin: OriginRental}, ISCMonth: price}
}

func TestDevicesInstanceDeciders(t *testing.T) {
	base := devWorld(RightLicenses)
	withInstance := append(devWorld(RightLicenses), DevicesInstanceCreated{Instance: 1, Company: 1, Name: "apps.example.com", Password: testDigest})
	runCases(t, []decideCase{
		{name: "an administrator registers the instance, its name lower case", given: base, by: alice,
			when: CreateDevicesInstance{Company: 1, Name: " Apps.Example.COM ", Password: "secret"},
			then: []Event{DevicesInstanceCreated{Instance: 1, Company: 1, Name: "apps.example.com", Password: testDigest}}},
		{name: "only administrators", given: base, by: bob, when: CreateDevicesInstance{Company: 1, Name: "a.example", Password: "secret"}, wantErr: "not-administrator"},
		{name: "a DNS name", given: base, by: alice, when: CreateDevicesInstance{Company: 1, Name: "a b", Password: "secret"}, wantErr: "invalid-domain-name"},
		{name: "a password", given: base, by: alice, when: CreateDevicesInstance{Company: 1, Name: "a.example", Password: ""}, wantErr: "invalid-password"},
		{name: "names are unique", given: withInstance, by: alice, when: CreateDevicesInstance{Company: 1, Name: "APPS.example.com", Password: "secret"}, wantErr: "instance-name-taken"},
		{name: "a new instance password", given: withInstance, by: alice, when: SetInstancePassword{Instance: 1, Password: "other"},
			then: []Event{InstancePasswordSet{Instance: 1, Company: 1, Password: otherDigest}}},
		{name: "an unknown instance", given: withInstance, by: alice, when: SetInstancePassword{Instance: 9, Password: "other"}, wantErr: "instance-not-found"},
	})
}

func TestDomainDeciders(t *testing.T) {
	inst := append(devWorld(RightLicenses), DevicesInstanceCreated{Instance: 1, Company: 1, Name: "apps.example.com", Password: testDigest})
	guid := append(append([]Event{}, inst...), ProjectCreated{Project: 3, Company: 1, Name: "Cloud"},
		ProjectPropertiesSet{Project: 3, Company: 1, ProjectProperties: ProjectProperties{DevicesAppGUID: "0123abcd-guid"}})
	base := rentalWorld(RightLicenses)
	rentedWorld := append(rentalWorld(RightLicenses), RentalLicensesBound{DomainRef: pbxRef, MAC: mac6000,
		Lines: []RentedLine{rented(1, port13, 10, "1")}})
	create := func(name string) CreateDomain {
		return CreateDomain{Instance: 1, Name: name, Password: "secret"}
	}
	runCases(t, []decideCase{
		{name: "a new domain creates its rental project $domain$", given: inst, by: bob,
			when: CreateDomain{Instance: 1, Name: "PBX.example.com", Password: "secret", DomainSettings: DomainSettings{
				Recipients: []string{" ops@example.com "}, InvoiceReference: "INV 7", MailLanguage: "de"}},
			then: []Event{ProjectCreated{Project: 3, Company: 1, Name: "$pbx.example.com$", Description: "Devices App rental project"},
				DomainCreated{DomainRef: pbxRef, Instance: 1, Password: pbxDigest, By: 3, DomainSettings: DomainSettings{
					Recipients: []string{"ops@example.com"}, InvoiceReference: "INV 7", MailLanguage: "de"}}}},
		{name: "an existing $domain$ project is linked", given: append(append([]Event{}, inst...), ProjectCreated{Project: 3, Company: 1, Name: "$pbx.example.com$"}),
			by: bob, when: create("pbx.example.com"), then: []Event{DomainCreated{DomainRef: pbxRef, Instance: 1, Password: pbxDigest, By: 3}}},
		{name: "or the project with the GUID link", given: guid, by: bob, when: CreateDomain{Instance: 1, Name: "pbx.example.com", Password: "secret", GUID: "0123ABCD-guid"},
			then: []Event{DomainCreated{DomainRef: pbxRef, Instance: 1, Password: pbxDigest, By: 3}}},
		{name: "an unknown GUID", given: guid, by: bob, when: CreateDomain{Instance: 1, Name: "pbx.example.com", Password: "secret", GUID: "nope"}, wantErr: "guid-not-found"},
		{name: "one domain, one project", given: base, by: bob, when: CreateDomain{Instance: 1, Name: "other.example.com", Password: "secret", GUID: "x"}, wantErr: "guid-not-found"},
		{name: "a project linked to another domain", given: append(rentalWorld(RightLicenses), ProjectCreated{Project: 4, Company: 1, Name: "$b.example$"},
			DomainLinked{DomainRef: DomainRef{Domain: "pbx.example.com", Company: 1, Project: 4}, From: 3},
			ProjectRenamed{Project: 3, Company: 1, Name: "$c.example$"}), by: bob, when: create("b.example"), wantErr: "project-linked"},
		{name: "domain names are unique", given: base, by: bob, when: create("PBX.EXAMPLE.COM"), wantErr: "domain-name-taken"},
		{name: "viewers do not create domains", given: rentalWorld(RightViewer), by: bob, when: create("x.example"), wantErr: "no-right"},
		{name: "strangers neither", given: base, by: carol, when: create("x.example"), wantErr: "not-member"},
		{name: "an unknown instance", given: base, by: bob, when: CreateDomain{Instance: 7, Name: "x.example", Password: "secret"}, wantErr: "instance-not-found"},
		{name: "a domain name", given: base, by: bob, when: create("-x.example"), wantErr: "invalid-domain-name"},
		{name: "a password", given: base, by: bob, when: CreateDomain{Instance: 1, Name: "x.example"}, wantErr: "invalid-password"},
		{name: "recipients are addresses", given: base, by: bob, when: SetDomainSettings{Domain: "pbx.example.com", DomainSettings: DomainSettings{Recipients: []string{"nope"}}}, wantErr: "invalid-email"},
		{name: "the invoice reference is text", given: base, by: bob, when: SetDomainSettings{Domain: "pbx.example.com", DomainSettings: DomainSettings{InvoiceReference: "a\x07b"}}, wantErr: "invalid-text"},
		{name: "mails in en or de", given: base, by: bob, when: SetDomainSettings{Domain: "pbx.example.com", DomainSettings: DomainSettings{MailLanguage: "fr"}}, wantErr: "invalid-mail-language"},
		{name: "grants name other domains of the instance", given: base, by: bob, when: SetDomainSettings{Domain: "pbx.example.com", DomainSettings: DomainSettings{Grants: []string{"pbx.example.com"}}}, wantErr: "domain-not-found"},
		{name: "settings are replaced", given: base, by: bob, when: SetDomainSettings{Domain: "PBX.example.com", DomainSettings: DomainSettings{Recipients: []string{"a@example.com"}}},
			then: []Event{DomainSettingsSet{DomainRef: pbxRef, DomainSettings: DomainSettings{Recipients: []string{"a@example.com"}}, By: 3}}},
		{name: "an unknown domain", given: base, by: bob, when: SetDomainSettings{Domain: "nope.example"}, wantErr: "domain-not-found"},
		{name: "a new domain password", given: base, by: bob, when: SetDomainPassword{Domain: "pbx.example.com", Password: "other"},
			then: []Event{DomainPasswordSet{DomainRef: pbxRef, Password: PasswordDigest("pbx.example.com", "other")}}},
		{name: "a bad domain password", given: base, by: bob, when: SetDomainPassword{Domain: "pbx.example.com"}, wantErr: "invalid-password"},
		{name: "relinking by GUID", given: append(rentalWorld(RightLicenses), ProjectPropertiesSet{Project: 1, Company: 1, ProjectProperties: ProjectProperties{DevicesAppGUID: "g-1"}}),
			by: bob, when: LinkDomain{Domain: "pbx.example.com", GUID: "g-1"},
			then: []Event{DomainLinked{DomainRef: DomainRef{Domain: "pbx.example.com", Company: 1, Project: 1}, From: 3}}},
		{name: "linked already", given: base, by: bob, when: LinkDomain{Domain: "pbx.example.com"}, wantErr: "already-linked"},
		{name: "not while licenses are rented", given: rentedWorld, by: bob, when: LinkDomain{Domain: "pbx.example.com", GUID: "g-1"}, wantErr: "domain-has-rentals"},
		{name: "a linked project is not joined", given: base, by: alice, when: JoinProject{Project: 3, Into: 1}, wantErr: "project-linked-to-domain"},
		{name: "nor moved", given: append(rentalWorld(RightLicenses), MemberAdded{Company: 2, Person: 2, Right: RightAdministrator}), by: alice,
			when: MoveProject{Project: 3, To: 2}, wantErr: "project-linked-to-domain"},
		{name: "nor deleted", given: base, by: alice, when: DeleteProject{Project: 3}, wantErr: "project-linked-to-domain"},
	})
}

func TestDomainDeviceDeciders(t *testing.T) {
	base := rentalWorld(RightLicenses)
	second := append(rentalWorld(RightLicenses), ProjectCreated{Project: 4, Company: 1, Name: "$b.example$"},
		DomainCreated{DomainRef: DomainRef{Domain: "b.example", Company: 1, Project: 4}, Instance: 1, Password: testDigest})
	otherInstance := append(append([]Event{}, second...), DevicesInstanceCreated{Instance: 2, Company: 1, Name: "two.example", Password: testDigest},
		ProjectCreated{Project: 5, Company: 1, Name: "$c.example$"},
		DomainCreated{DomainRef: DomainRef{Domain: "c.example", Company: 1, Project: 5}, Instance: 2, Password: testDigest})
	rentedWorld := append(rentalWorld(RightLicenses), RentalLicensesBound{DomainRef: pbxRef, MAC: mac6000,
		Lines: []RentedLine{rented(1, port13, 10, "1")}})
	runCases(t, []decideCase{
		{name: "a registered device joins a domain with its type", given: second, by: bob, when: AddDomainDevice{Domain: "b.example", MAC: "00-90-33-00-00-09"}, wantErr: "device-not-found"},
		{name: "a device is in one domain per instance", given: second, by: bob, when: AddDomainDevice{Domain: "b.example", MAC: "000001"}, wantErr: "device-in-other-domain"},
		{name: "never moved silently, but another instance may have it", given: otherInstance, by: bob, when: AddDomainDevice{Domain: "c.example", MAC: "000001"},
			then: []Event{DomainDeviceAdded{DomainRef: DomainRef{Domain: "c.example", Company: 1, Project: 5}, MAC: mac6000, Type: "IP6000"}}},
		{name: "once", given: base, by: bob, when: AddDomainDevice{Domain: "pbx.example.com", MAC: "000001"}, wantErr: "device-already-in-domain"},
		{name: "the registry's type", given: second, by: bob, when: AddDomainDevice{Domain: "b.example", MAC: "00-90-33-00-00-01", Type: "IP811"}, wantErr: "device-in-other-domain"},
		{name: "a type that does not match", given: otherInstance, by: bob, when: AddDomainDevice{Domain: "c.example", MAC: "000001", Type: "IP811"}, wantErr: "device-type-mismatch"},
		{name: "an App Platform in a virtual range is created", given: base, by: bob, when: AddDomainDevice{Domain: "pbx.example.com", MAC: "00-50-56-00-00-07", Type: "App Platform"},
			then: []Event{DeviceRegistered{MAC: "00-50-56-00-00-07", Type: "App Platform", Owner: 1},
				DomainDeviceAdded{DomainRef: pbxRef, MAC: "00-50-56-00-00-07", Type: "App Platform"}}},
		{name: "a virtual MAC of another company", given: append(rentalWorld(RightLicenses), DeviceRegistered{MAC: macVA, Type: "IPVA", Owner: 2}, DeviceAdded{MAC: macVA, Company: 2, Project: 2}),
			by: bob, when: AddDomainDevice{Domain: "pbx.example.com", MAC: string(macVA)}, wantErr: "ipva-mac-exists"},
		{name: "a bad MAC", given: base, by: bob, when: AddDomainDevice{Domain: "pbx.example.com", MAC: "zz"}, wantErr: "invalid-mac"},
		{name: "a device leaves the domain", given: base, by: bob, when: RemoveDomainDevice{Domain: "pbx.example.com", MAC: "000002"},
			then: []Event{DomainDeviceRemoved{DomainRef: pbxRef, MAC: mac0010}}},
		{name: "not while it rents", given: rentedWorld, by: bob, when: RemoveDomainDevice{Domain: "pbx.example.com", MAC: "000001"}, wantErr: "device-has-rental-licenses"},
		{name: "only a device of the domain", given: second, by: bob, when: RemoveDomainDevice{Domain: "b.example", MAC: "000001"}, wantErr: "device-not-in-domain"},
	})
}

func TestRentLicensesDeciders(t *testing.T) {
	base := rentalWorld(RightLicenses)
	joined := append(rentalWorld(RightLicenses), RentalProjectJoined{DomainRef: pbxRef, MAC: mac6000},
		RentalLicensesBound{DomainRef: pbxRef, MAC: mac6000, Lines: []RentedLine{rented(1, port13, 10, "1"), rented(2, port13, 5, "1")}},
		RentalCharged{DomainRef: pbxRef, From: MustDay(today), To: MustDay(today), Amount: "0.5", Debit: 1})
	cancelled := append(append([]Event{}, joined...), ContractCancelled{Contract: 1, Company: 1})
	day := MustDay(today)
	runCases(t, []decideCase{
		// November has 30 days: 10 PBX-Port (1 iSC each) cost
		// round4(10·22/30) − round4(10·21/30) = 7.3333 − 7 = 0.3333 today.
		// 100 − 0.3333 = 99.6667; the end: the rest of November 2.6667,
		// nine months of 10, then 7 iSC for September 2027: 21 days.
		{name: "a PBX in another project joins the rental project too", given: base, by: bob,
			when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(10)},
			then: []Event{RentalProjectJoined{DomainRef: pbxRef, MAC: mac6000},
				RentalLicensesBound{DomainRef: pbxRef, MAC: mac6000, By: 3, Lines: []RentedLine{rented(1, port13, 10, "1")},
					RentalSnapshot: snap("10", "99.6667", "2027-09-21")},
				RentalCharged{DomainRef: pbxRef, From: day, To: day, Amount: "0.3333", Debit: 1, RentalSnapshot: snap("10", "99.6667", "2027-09-21")}}},
		// 3 a month: 0.1 a November day; 99.9 left. The rest of November
		// 0.8 (99.1 left), 33 months of 3 (0.1 left), September 1, 2029.
		{name: "a PBX in no project of the company is placed in the rental project; the version defaults to the current one", given: base, by: bob,
			when: RentLicenses{Domain: "pbx.example.com", MAC: "000002", Licenses: []Line{{Item: Item{Type: "PBX-Port"}, Quantity: 3}}},
			then: []Event{DeviceAdded{MAC: mac0010, Company: 1, Project: 3},
				RentalLicensesBound{DomainRef: pbxRef, MAC: mac0010, By: 3, Lines: []RentedLine{rented(1, Item{"PBX-Port", 16}, 3, "1")},
					RentalSnapshot: snap("3", "99.9", "2029-09-01")},
				RentalCharged{DomainRef: pbxRef, From: day, To: day, Amount: "0.1", Debit: 1, RentalSnapshot: snap("3", "99.9", "2029-09-01")}}},
		// Reducing 15 to 12 takes 3 off the newest line; today was
		// charged already and is not refunded: monthly 12, 99.5 left. The
		// rest of November costs 12 − round4(12·22/30) = 3.2 (96.3 left),
		// eight months of 12 (0.3 left), less than August 1 (0.3871):
		// July 31.
		{name: "fewer licenses come off the newest line, without a refund", given: joined, by: bob,
			when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(12)},
			then: []Event{RentalLicensesRemoved{DomainRef: pbxRef, MAC: mac6000, By: 3, Lines: []LicenseLine{{ID: 2, Item: port13, Quantity: 3, BindDate: today, Origin: OriginRental}},
				RentalSnapshot: snap("12", "99.5", "2027-07-31")}}},
		{name: "removing every rented license needs no contract and leaves the rental project", given: cancelled, by: bob,
			when: RentLicenses{Domain: "pbx.example.com", MAC: "000001"},
			then: []Event{RentalLicensesRemoved{DomainRef: pbxRef, MAC: mac6000, By: 3, Lines: []LicenseLine{
				{ID: 2, Item: port13, Quantity: 5, BindDate: today, Origin: OriginRental}, {ID: 1, Item: port13, Quantity: 10, BindDate: today, Origin: OriginRental}},
				RentalSnapshot: RentalSnapshot{Monthly: "0", Available: "99.5"}},
				RentalProjectLeft{DomainRef: pbxRef, MAC: mac6000}}},
		{name: "renting needs an approved rental contract", given: cancelled, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(20)}, wantErr: "rental-contract-missing"},
		{name: "the balance must cover a month at the new cost", given: base, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(101)}, wantErr: "isc-insufficient"},
		{name: "gateway licenses are not rented", given: base, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: []Line{{Item: pri13, Quantity: 1}}}, wantErr: "not-rentable"},
		{name: "unknown types", given: base, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: []Line{{Item: Item{"Nope", 1}, Quantity: 1}}}, wantErr: "unknown-license-type"},
		{name: "no negative quantities", given: base, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(-1)}, wantErr: "invalid-quantity"},
		{name: "nothing changes", given: joined, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(15)}, wantErr: "rental-unchanged"},
		{name: "a phone holds no PBX licenses", given: base, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000003", Licenses: ports(1)}, wantErr: "license-not-for-device"},
		{name: "the device type's maximum counts purchased and rented licenses", given: base, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000002", Licenses: ports(26)}, wantErr: "device-maximum-exceeded"},
		{name: "a device in RMA gets no rentals", given: append(rentalWorld(RightLicenses), RMARequestedEvent{MAC: mac6000, Company: 1}), by: bob,
			when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(1)}, wantErr: "device-in-rma"},
		{name: "only devices of the domain", given: base, by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000009", Licenses: ports(1)}, wantErr: "device-not-in-domain"},
		{name: "viewers do not rent", given: rentalWorld(RightViewer), by: bob, when: RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(1)}, wantErr: "no-right"},
		{name: "an unknown domain", given: base, by: bob, when: RentLicenses{Domain: "x.example", MAC: "000001", Licenses: ports(1)}, wantErr: "domain-not-found"},
		{name: "charging is for the scheduler", given: joined, by: alice, when: ChargeRentals{}, wantErr: "vendor-only"},
		{name: "not for a day to come", given: joined, by: vendor, when: ChargeRentals{Day: day + 1}, wantErr: "charge-day-in-future"},
		{name: "a day charged once", given: joined, by: vendor, when: ChargeRentals{Day: day}},
		// Removing a device from its normal project leaves it in the
		// rental project; one in its rental project only keeps it.
		{name: "a device removed from its project stays in the rental project", given: joined, by: bob,
			when: RemoveDevices{Company: 1, MACs: []string{"000001"}}, then: []Event{DeviceMoved{MAC: mac6000, Company: 1, From: 1, To: 3}}},
		{name: "a device in its rental project only is not removed while it rents", given: append(append([]Event{}, joined...), DeviceMoved{MAC: mac6000, Company: 1, From: 1, To: 3}),
			by: bob, when: RemoveDevices{Company: 1, MACs: []string{"000001"}}, wantErr: "device-has-rental-licenses"},
		{name: "moved out of the rental project, it stays there too", given: append(append([]Event{}, joined...), DeviceMoved{MAC: mac6000, Company: 1, From: 1, To: 3}),
			by: bob, when: MoveDevices{Company: 1, MACs: []string{"000001"}, To: 1},
			then: []Event{DeviceMoved{MAC: mac6000, Company: 1, From: 3, To: 1}, RentalProjectJoined{DomainRef: pbxRef, MAC: mac6000}}},
		{name: "a project with a device also in a rental project is not moved", given: append(append([]Event{}, joined...),
			MemberAdded{Company: 2, Person: 2, Right: RightAdministrator}, ProjectRenamed{Project: 1, Company: 1, Name: "Main"}),
			by: alice, when: MoveProject{Project: 1, To: 2}, wantErr: "project-devices-rented"},
	})
}

// TestRentalTopUpSettlesFirst: a key redeemed into the rental project is
// preceded by the charge of the days due at the old balance and followed
// by the note of the new end date.
func TestRentalTopUpSettlesFirst(t *testing.T) {
	st := stateOf(t, append(rentalWorld(RightLicenses), KeyIssued{Code: "ISC-9", Lines: []Line{{Item: ISCItem, Quantity: 9}}})...)
	decideAndApply(t, st, bob, RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(30)})
	later := now.AddDate(0, 0, 3)
	evs, err := Decide(st, bob, RedeemDomainKey{Domain: "pbx.example.com", Code: "ISC-9"}, later)
	if err != nil {
		t.Fatal(err)
	}
	// November 23..25 at 30 a month: 1 a day.
	want := []string{"RentalCharged", "ActivationKeyRedeemed", "RentalBalanceChanged"}
	if len(evs) != 3 || evs[0].EventType() != want[0] || evs[1].EventType() != want[1] || evs[2].EventType() != want[2] {
		t.Fatalf("events %v, want types %v", evs, want)
	}
	if c := evs[0].(RentalCharged); c.Amount != "3" || c.From != MustDay("2026-11-23") || c.To != MustDay("2026-11-25") {
		t.Fatalf("settle %+v", c)
	}
	if n := evs[2].(RentalBalanceChanged); n.Delta != 9 || n.Available != "105" || n.Code != "ISC-9" {
		t.Fatalf("note %+v", n)
	}
}

// TestRentalInvalidationReturnsOnlyPurchased: a device with purchased and
// rented PBX licenses returns only the purchased ones to the free pool.
func TestRentalInvalidationReturnsOnlyPurchased(t *testing.T) {
	st := stateOf(t, append(rentalWorld(RightLicenses),
		LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{{ID: 1, Item: port13, Quantity: 4, BindDate: today, Origin: OriginPurchased}}})...)
	decideAndApply(t, st, bob, RentLicenses{Domain: "pbx.example.com", MAC: "000001", Licenses: ports(10)})
	evs := decideAndApply(t, st, bob, ReturnLicenses{Company: 1, MAC: "000001", Firmware: 13, Certificate: true})
	ret := evs[0].(LicensesReturned)
	if len(ret.Lines) != 1 || ret.Lines[0].Origin != OriginPurchased || len(st.Free[1]) != 1 {
		t.Fatalf("returned %v, pool %v", ret.Lines, st.Free[1])
	}
	if d := st.Devices[mac6000]; len(d.Licenses) != 1 || d.Licenses[0].Origin != OriginRental {
		t.Fatalf("the device keeps %v", d.Licenses)
	}
}

func TestRentalEventsRoundTripAndPostingsBalance(t *testing.T) {
	for _, e := range []Event{
		DevicesInstanceCreated{Instance: 1, Company: 1, Name: "a.example", Password: testDigest},
		InstancePasswordSet{Instance: 1, Company: 1, Password: testDigest},
		DomainCreated{DomainRef: pbxRef, Instance: 1, Password: testDigest, DomainSettings: DomainSettings{Recipients: []string{"a@b.example"}}, By: 2},
		DomainSettingsSet{DomainRef: pbxRef, By: 2}, DomainPasswordSet{DomainRef: pbxRef, Password: testDigest},
		DomainLinked{DomainRef: pbxRef, From: 2}, DomainDeviceAdded{DomainRef: pbxRef, MAC: mac6000, Type: "IP6000"},
		DomainDeviceRemoved{DomainRef: pbxRef, MAC: mac6000}, RentalProjectJoined{DomainRef: pbxRef, MAC: mac6000},
		RentalProjectLeft{DomainRef: pbxRef, MAC: mac6000},
		RentalLicensesBound{DomainRef: pbxRef, MAC: mac6000, Lines: []RentedLine{rented(1, port13, 10, "1")}, RentalSnapshot: snap("10", "9.5", "2026-12-20")},
		RentalLicensesRemoved{DomainRef: pbxRef, MAC: mac6000, Lines: []LicenseLine{{ID: 1, Item: port13, Quantity: 3, Origin: OriginRental}}},
		RentalCharged{DomainRef: pbxRef, From: 1, To: 2, Amount: "0.6667", Debit: 1},
		RentalBalanceChanged{DomainRef: pbxRef, Delta: 5, Cause: "ActivationKeyRedeemed", Code: "K"},
		RentalReminderDue{Domain: "pbx.example.com", SSAReminderDue: SSAReminderDue{Key: "rental/x", Kind: ReminderRental, Project: 3, Company: 1}},
	} {
		checkRoundTrip(t, e)
	}
}
