package domain_test

import (
	"errors"
	"testing"

	. "github.com/innolic/ledger/domain"
)

// orgWorld extends world: carol's company 2 with its DEFAULT (project 2),
// and project Hotel (3) of company 1.
func orgWorld(bobRight Right, more ...Event) []Event {
	evs := append(world(bobRight),
		CompanyCreated{Company: 2, Name: "Carol GmbH", Creator: 4},
		MemberAdded{Company: 2, Person: 4, Right: RightAdministrator},
		ProjectCreated{Project: 2, Company: 2, Name: DefaultProjectName},
		ProjectCreated{Project: 3, Company: 1, Name: "Hotel"},
	)
	return append(evs, more...)
}

// granted is orgWorld with Hotel granted to company 2.
func granted(more ...Event) []Event {
	return orgWorld(RightViewer, append([]Event{ProjectRightGranted{Project: 3, Company: 1, Grantee: 2}}, more...)...)
}

// wantRefused asserts that cmd is refused on st with code and no events.
func wantRefused(t *testing.T, st *State, by Principal, cmd Command, code string) {
	t.Helper()
	evs, err := Decide(st, by, cmd, now)
	var de *Error
	if !errors.As(err, &de) || de.Code != code {
		t.Fatalf("%T: error = %v, want code %q", cmd, err, code)
	}
	if len(evs) != 0 {
		t.Fatalf("%T refused but returned events %v", cmd, evs)
	}
}

func TestPersonUpdateDeciders(t *testing.T) {
	base := orgWorld(RightViewer)
	runCases(t, []decideCase{
		{name: "a person changes name and email", given: base, by: alice,
			when: UpdatePerson{Person: 2, Name: " Alice A ", Email: " alice@new.example "},
			then: []Event{PersonUpdated{Person: 2, Name: "Alice A", Email: "alice@new.example"}}},
		{name: "changing only the case of one's own email", given: base, by: alice,
			when: UpdatePerson{Person: 2, Name: "Alice", Email: "ALICE@example.com"},
			then: []Event{PersonUpdated{Person: 2, Name: "Alice", Email: "ALICE@example.com"}}},
		{name: "vendor staff change anyone", given: base, by: vendor, when: UpdatePerson{Person: 3, Name: "Bobby", Email: "bob@example.com"},
			then: []Event{PersonUpdated{Person: 3, Name: "Bobby", Email: "bob@example.com"}}},
		{name: "email taken by another person, case-insensitively", given: base, by: alice,
			when: UpdatePerson{Person: 2, Name: "A", Email: "BOB@example.com"}, wantErr: "email-taken"},
		{name: "not someone else's record", given: base, by: bob, when: UpdatePerson{Person: 2, Name: "A", Email: "a@b.cd"}, wantErr: "not-own-person"},
		{name: "email must be an address", given: base, by: alice, when: UpdatePerson{Person: 2, Name: "A", Email: "nope"}, wantErr: "invalid-email"},
		{name: "name required", given: base, by: alice, when: UpdatePerson{Person: 2, Name: " ", Email: "a@b.cd"}, wantErr: "invalid-name"},
		{name: "unknown person", given: base, by: vendor, when: UpdatePerson{Person: 99, Name: "A", Email: "a@b.cd"}, wantErr: "person-not-found"},
		{name: "a person opts out of SSA mails", given: base, by: alice, when: SetSSAMail{Person: 2, Receive: false},
			then: []Event{SSAMailSet{Person: 2, Receive: false}}},
		{name: "an administrator sets a member's SSA mail flag", given: base, by: alice, when: SetSSAMail{Person: 3, Receive: true},
			then: []Event{SSAMailSet{Person: 3, Receive: true}}},
		{name: "not a stranger's SSA mail flag", given: base, by: carol, when: SetSSAMail{Person: 2}, wantErr: "not-own-person"},
		{name: "not as a mere member", given: base, by: bob, when: SetSSAMail{Person: 2}, wantErr: "not-own-person"},
	})
}

func TestPersonUpdateKeepsEmailsUnique(t *testing.T) {
	st := stateOf(t, orgWorld(RightViewer)...)
	decideAndApply(t, st, alice, UpdatePerson{Person: 2, Name: "Alice", Email: "alice@new.example"})
	decideAndApply(t, st, alice, SetSSAMail{Person: 2, Receive: false})
	if !st.Persons[2].NoSSAMail {
		t.Fatal("SSA mail opt-out not recorded")
	}
	wantRefused(t, st, vendor, RegisterPerson{Email: "Alice@New.example", Name: "X"}, "email-taken")
	decideAndApply(t, st, vendor, RegisterPerson{Email: "alice@example.com", Name: "The old address is free"})
}

func TestCompanyMembershipDeciders(t *testing.T) {
	base := orgWorld(RightViewer)
	runCases(t, []decideCase{
		{name: "vendor links a customer id", given: base, by: vendor, when: LinkCustomerID{Company: 1, CustomerID: " 12345 "},
			then: []Event{CustomerIDLinked{Company: 1, CustomerID: "12345"}}},
		{name: "only vendor staff link customer ids", given: base, by: alice, when: LinkCustomerID{Company: 1, CustomerID: "12345"}, wantErr: "vendor-only"},
		{name: "a customer id has 5 digits", given: base, by: vendor, when: LinkCustomerID{Company: 1, CustomerID: "1234a"}, wantErr: "invalid-customer-id"},
		{name: "a customer id names one company", given: append(orgWorld(RightViewer), CustomerIDLinked{Company: 2, CustomerID: "12345"}),
			by: vendor, when: LinkCustomerID{Company: 1, CustomerID: "12345"}, wantErr: "customer-id-taken"},
		{name: "customer id of an unknown company", given: base, by: vendor, when: LinkCustomerID{Company: 9, CustomerID: "12345"}, wantErr: "company-not-found"},
		{name: "a person may be in several companies", given: base, by: carol, when: AddMember{Company: 2, Person: 2, Right: RightViewer},
			then: []Event{MemberAdded{Company: 2, Person: 2, Right: RightViewer}}},
		{name: "administrator removes a member", given: base, by: alice, when: RemoveMember{Company: 1, Person: 3},
			then: []Event{MemberRemoved{Company: 1, Person: 3}}},
		{name: "only administrators remove members", given: base, by: bob, when: RemoveMember{Company: 1, Person: 2}, wantErr: "not-administrator"},
		{name: "a locked member removes nobody", given: orgWorld(RightLocked), by: bob, when: RemoveMember{Company: 1, Person: 2}, wantErr: "person-locked"},
		{name: "never the last administrator", given: base, by: alice, when: RemoveMember{Company: 1, Person: 2}, wantErr: "last-administrator"},
		{name: "an administrator leaves when another remains", given: orgWorld(RightAdministrator), by: alice, when: RemoveMember{Company: 1, Person: 2},
			then: []Event{MemberRemoved{Company: 1, Person: 2}}},
		{name: "removing a non-member", given: base, by: alice, when: RemoveMember{Company: 1, Person: 4}, wantErr: "member-not-found"},
	})
}

func TestCompanyJoinDeciders(t *testing.T) {
	aliceAdminOf2 := orgWorld(RightViewer, MemberAdded{Company: 2, Person: 2, Right: RightAdministrator})
	runCases(t, []decideCase{
		{name: "an administrator of both companies joins one into the other; taken names get the company id",
			given: aliceAdminOf2, by: alice, when: JoinCompany{Company: 1, Absorbed: 2},
			then: []Event{CompanyJoined{Company: 1, Absorbed: 2, AbsorbedName: "Carol GmbH",
				Projects: []JoinedProject{{Project: 2, Name: "DEFAULT (2)"}},
				Members:  []JoinedMember{{Person: 4, Membership: Membership{Right: RightAdministrator}}}}}},
		{name: "administrator of the target only", given: orgWorld(RightViewer), by: alice, when: JoinCompany{Company: 1, Absorbed: 2}, wantErr: "not-member"},
		{name: "administrator of the absorbed company only", given: orgWorld(RightViewer), by: carol, when: JoinCompany{Company: 1, Absorbed: 2}, wantErr: "not-member"},
		{name: "a viewer joins nothing", given: aliceAdminOf2, by: bob, when: JoinCompany{Company: 1, Absorbed: 2}, wantErr: "not-administrator"},
		{name: "not into itself", given: aliceAdminOf2, by: alice, when: JoinCompany{Company: 1, Absorbed: 1}, wantErr: "same-company"},
		{name: "unknown company", given: aliceAdminOf2, by: alice, when: JoinCompany{Company: 1, Absorbed: 9}, wantErr: "company-not-found"},
	})
}

func TestCompanyJoinMovesEverythingIn(t *testing.T) {
	port := Item{"PBX-Port", 13}
	st := stateOf(t, orgWorld(RightViewer,
		MemberAdded{Company: 2, Person: 2, Right: RightAdministrator},
		MemberAdded{Company: 2, Person: 3, Right: RightAdministrator}, // bob: viewer in 1 stays viewer
		KeyRedeemed{Code: "KEY-00001", Project: 2, Company: 2, Lines: []Line{{Item: port, Quantity: 20}}},
		ProjectRightGranted{Project: 3, Company: 1, Grantee: 2}, // 2's right on 1's project disappears
		CompanyCreated{Company: 3, Name: "Third", Creator: 4},
		MemberAdded{Company: 3, Person: 4, Right: RightAdministrator},
		ProjectCreated{Project: 4, Company: 3, Name: "Shared"},
		ProjectRightGranted{Project: 4, Company: 3, Grantee: 2}, // 2's right on 3's project goes to 1
		ContractConcluded{Contract: 1, Company: 2, Kind: ContractMyAppsCloud, By: 4},
	)...)
	decideAndApply(t, st, alice, JoinCompany{Company: 1, Absorbed: 2})
	if _, ok := st.Companies[2]; ok {
		t.Fatal("the joined company still exists")
	}
	if into, ok := st.JoinedInto(2); !ok || into != 1 {
		t.Fatalf("JoinedInto(2) = %d, %v", into, ok)
	}
	p := st.Projects[2]
	if p.Company != 1 || p.Name != "DEFAULT (2)" || p.Balance[port] != 20 {
		t.Fatalf("project 2 after the join: %+v", p)
	}
	if st.Companies[1].Members[4].Right != RightAdministrator || st.Companies[1].Members[3].Right != RightViewer {
		t.Fatalf("members after the join: %v", st.Companies[1].Members)
	}
	if len(st.Projects[3].Grants) != 0 {
		t.Fatalf("own project keeps a right for the company itself: %v", st.Projects[3].Grants)
	}
	if _, ok := st.Projects[4].Grants[1]; !ok || len(st.Projects[4].Grants) != 1 {
		t.Fatalf("external right not taken over: %v", st.Projects[4].Grants)
	}
	if st.Contracts[1].Company != 1 {
		t.Fatal("contract not taken over")
	}
	if err := st.CanRead(carol, 1); err != nil {
		t.Fatalf("carol cannot read the joined company: %v", err)
	}
}

func TestContractDeciders(t *testing.T) {
	conclude := ContractConcluded{Contract: 1, Company: 1, Kind: ContractSoftwareRental, By: 2}
	concluded := orgWorld(RightContracts, conclude)
	approved := orgWorld(RightContracts, conclude, ContractApproved{Contract: 1, Company: 1})
	cancelled := orgWorld(RightContracts, conclude, ContractCancelled{Contract: 1, Company: 1})
	runCases(t, []decideCase{
		{name: "administrator concludes", given: orgWorld(RightViewer), by: alice, when: ConcludeContract{Company: 1, Kind: ContractMyAppsCloud},
			then: []Event{ContractConcluded{Contract: 1, Company: 1, Kind: ContractMyAppsCloud, By: 2}}},
		{name: "Contracts right concludes", given: orgWorld(RightContracts), by: bob, when: ConcludeContract{Company: 1, Kind: ContractSoftwareRental},
			then: []Event{ContractConcluded{Contract: 1, Company: 1, Kind: ContractSoftwareRental, By: 3}}},
		{name: "Licenses right does not", given: orgWorld(RightLicenses), by: bob, when: ConcludeContract{Company: 1, Kind: ContractMyAppsCloud}, wantErr: "no-right"},
		{name: "locked member does not", given: orgWorld(RightLocked), by: bob, when: ConcludeContract{Company: 1, Kind: ContractMyAppsCloud}, wantErr: "person-locked"},
		{name: "unknown kind", given: orgWorld(RightViewer), by: alice, when: ConcludeContract{Company: 1, Kind: "lease"}, wantErr: "invalid-contract-kind"},
		{name: "one valid contract per kind", given: concluded, by: alice, when: ConcludeContract{Company: 1, Kind: ContractSoftwareRental}, wantErr: "contract-exists"},
		{name: "again after a cancellation", given: cancelled, by: alice, when: ConcludeContract{Company: 1, Kind: ContractSoftwareRental},
			then: []Event{ContractConcluded{Contract: 2, Company: 1, Kind: ContractSoftwareRental, By: 2}}},
		{name: "vendor approves an open contract", given: concluded, by: vendor, when: ApproveContract{Contract: 1},
			then: []Event{ContractApproved{Contract: 1, Company: 1}}},
		{name: "only the vendor approves", given: concluded, by: alice, when: ApproveContract{Contract: 1}, wantErr: "vendor-only"},
		{name: "approved once", given: approved, by: vendor, when: ApproveContract{Contract: 1}, wantErr: "contract-not-open"},
		{name: "unknown contract", given: concluded, by: vendor, when: ApproveContract{Contract: 7}, wantErr: "contract-not-found"},
		{name: "vendor cancels an open contract", given: concluded, by: vendor, when: CancelContract{Contract: 1},
			then: []Event{ContractCancelled{Contract: 1, Company: 1}}},
		{name: "vendor cancels an approved contract", given: approved, by: vendor, when: CancelContract{Contract: 1},
			then: []Event{ContractCancelled{Contract: 1, Company: 1}}},
		{name: "only the vendor cancels", given: concluded, by: alice, when: CancelContract{Contract: 1}, wantErr: "vendor-only"},
		{name: "cancelled once", given: cancelled, by: vendor, when: CancelContract{Contract: 1}, wantErr: "contract-cancelled"},
	})
	if st := stateOf(t, approved...); !st.HasApprovedContract(1, ContractSoftwareRental) || st.HasApprovedContract(1, ContractMyAppsCloud) {
		t.Fatal("HasApprovedContract disagrees with the contracts")
	}
}
