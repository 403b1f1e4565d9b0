package domain_test

import (
	"errors"
	"strings"
	"testing"

	. "github.com/innolic/ledger/domain"
)

const testCert = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmEwCgYIKoZIzj0E
-----END CERTIFICATE-----`

const testGUID = "0123abcd-0123-4567-89ab-0123456789ab"

func TestProjectEditDeciders(t *testing.T) {
	base := orgWorld(RightLicenses)
	props := ProjectProperties{UpdateURL: "https://update.example.com/init", TrustedCertificate: testCert,
		TrustValue: "1234567890abcdef", DevicesAppGUID: testGUID, CCMails: []string{"buy@example.com"}}
	runCases(t, []decideCase{
		{name: "rename", given: base, by: bob, when: RenameProject{Project: 3, Name: " Hotel Berlin "},
			then: []Event{ProjectRenamed{Project: 3, Company: 1, Name: "Hotel Berlin"}}},
		{name: "rename DEFAULT", given: base, by: alice, when: RenameProject{Project: 1, Name: "Head office"},
			then: []Event{ProjectRenamed{Project: 1, Company: 1, Name: "Head office"}}},
		{name: "changing only the case of the name", given: base, by: alice, when: RenameProject{Project: 3, Name: "HOTEL"},
			then: []Event{ProjectRenamed{Project: 3, Company: 1, Name: "HOTEL"}}},
		{name: "names unique per company, case-insensitively", given: base, by: alice, when: RenameProject{Project: 3, Name: "default"}, wantErr: "project-name-taken"},
		{name: "another company's name is no conflict", given: base, by: carol, when: RenameProject{Project: 2, Name: "Hotel"},
			then: []Event{ProjectRenamed{Project: 2, Company: 2, Name: "Hotel"}}},
		{name: "a viewer renames nothing", given: orgWorld(RightViewer), by: bob, when: RenameProject{Project: 3, Name: "X"}, wantErr: "no-right"},
		{name: "a stranger renames nothing", given: base, by: carol, when: RenameProject{Project: 3, Name: "X"}, wantErr: "not-member"},
		{name: "a grantee does not edit the project", given: granted(), by: carol, when: RenameProject{Project: 3, Name: "X"}, wantErr: "external-project-restricted"},
		{name: "unknown project", given: base, by: alice, when: RenameProject{Project: 9, Name: "X"}, wantErr: "project-not-found"},
		{name: "describe", given: base, by: alice, when: DescribeProject{Project: 3, Description: " the hotel "},
			then: []Event{ProjectDescribed{Project: 3, Company: 1, Description: "the hotel"}}},
		{name: "description length", given: base, by: alice, when: DescribeProject{Project: 3, Description: strings.Repeat("x", MaxDescription+1)}, wantErr: "invalid-description"},
		{name: "a grantee does not describe", given: granted(), by: carol, when: DescribeProject{Project: 3}, wantErr: "external-project-restricted"},
		{name: "properties", given: base, by: alice, when: SetProjectProperties{Project: 3, ProjectProperties: props},
			then: []Event{ProjectPropertiesSet{Project: 3, Company: 1, ProjectProperties: props}}},
		{name: "empty properties clear them", given: base, by: alice, when: SetProjectProperties{Project: 3},
			then: []Event{ProjectPropertiesSet{Project: 3, Company: 1}}},
		{name: "update URL must be http(s)", given: base, by: alice,
			when: SetProjectProperties{Project: 3, ProjectProperties: ProjectProperties{UpdateURL: "ftp://x"}}, wantErr: "invalid-update-url"},
		{name: "certificate must be PEM", given: base, by: alice,
			when: SetProjectProperties{Project: 3, ProjectProperties: ProjectProperties{TrustedCertificate: "hello"}}, wantErr: "invalid-certificate"},
		{name: "trust value without query characters", given: base, by: alice,
			when: SetProjectProperties{Project: 3, ProjectProperties: ProjectProperties{TrustValue: "a&b"}}, wantErr: "invalid-trust-value"},
		{name: "GUID form", given: base, by: alice,
			when: SetProjectProperties{Project: 3, ProjectProperties: ProjectProperties{DevicesAppGUID: "nope"}}, wantErr: "invalid-guid"},
		{name: "GUID links one project", given: append(orgWorld(RightLicenses), ProjectPropertiesSet{Project: 2, Company: 2,
			ProjectProperties: ProjectProperties{DevicesAppGUID: testGUID}}), by: alice,
			when: SetProjectProperties{Project: 3, ProjectProperties: ProjectProperties{DevicesAppGUID: testGUID}}, wantErr: "guid-taken"},
		{name: "CC mails are addresses", given: base, by: alice,
			when: SetProjectProperties{Project: 3, ProjectProperties: ProjectProperties{CCMails: []string{"x"}}}, wantErr: "invalid-cc-mails"},
		{name: "a grantee does not set properties", given: granted(), by: carol, when: SetProjectProperties{Project: 3}, wantErr: "external-project-restricted"},
	})
}

func TestProjectRightDeciders(t *testing.T) {
	runCases(t, []decideCase{
		{name: "grant a project right to a company by id", given: orgWorld(RightLicenses), by: bob, when: GrantProjectRight{Project: 3, Grantee: 2},
			then: []Event{ProjectRightGranted{Project: 3, Company: 1, Grantee: 2}}},
		{name: "not to the own company", given: orgWorld(RightLicenses), by: alice, when: GrantProjectRight{Project: 3, Grantee: 1}, wantErr: "grant-to-own-company"},
		{name: "not twice", given: granted(), by: alice, when: GrantProjectRight{Project: 3, Grantee: 2}, wantErr: "already-granted"},
		{name: "unknown company", given: orgWorld(RightLicenses), by: alice, when: GrantProjectRight{Project: 3, Grantee: 9}, wantErr: "company-not-found"},
		{name: "a viewer grants nothing", given: orgWorld(RightViewer), by: bob, when: GrantProjectRight{Project: 3, Grantee: 2}, wantErr: "no-right"},
		{name: "a grantee grants nothing", given: granted(), by: carol, when: GrantProjectRight{Project: 3, Grantee: 2}, wantErr: "external-project-restricted"},
		{name: "the owner revokes", given: granted(), by: alice, when: RevokeProjectRight{Project: 3, Grantee: 2},
			then: []Event{ProjectRightRevoked{Project: 3, Company: 1, Grantee: 2}}},
		{name: "revoking what was not granted", given: orgWorld(RightViewer), by: alice, when: RevokeProjectRight{Project: 3, Grantee: 2}, wantErr: "project-right-not-found"},
		{name: "a grantee does not revoke", given: granted(), by: carol, when: RevokeProjectRight{Project: 3, Grantee: 2}, wantErr: "external-project-restricted"},
		{name: "the grantee unsubscribes", given: granted(), by: carol, when: UnsubscribeProject{Project: 3, Company: 2},
			then: []Event{ProjectUnsubscribed{Project: 3, Company: 1, Grantee: 2}}},
		{name: "only members of the grantee unsubscribe it", given: granted(), by: alice, when: UnsubscribeProject{Project: 3, Company: 2}, wantErr: "not-member"},
		{name: "unsubscribing what was not granted", given: orgWorld(RightViewer), by: carol, when: UnsubscribeProject{Project: 3, Company: 2}, wantErr: "project-right-not-found"},
	})
}

func TestExternalProjectRestrictions(t *testing.T) {
	st := stateOf(t, granted(MemberAdded{Company: 2, Person: 3, Right: RightViewer})...)
	for _, tc := range []struct {
		name      string
		by        Principal
		project   ProjectID
		use, edit string // expected codes, "" for allowed
	}{
		{"owner administrator", alice, 3, "", ""},
		{"grantee administrator uses, does not edit", carol, 3, "", "external-project-restricted"},
		{"viewer of owner and grantee", bob, 3, "no-right", "no-right"},
		{"grantee on a project not granted", carol, 1, "not-member", "not-member"},
		{"vendor staff", vendor, 3, "", ""},
		{"unknown project", alice, 9, "project-not-found", "project-not-found"},
	} {
		for _, check := range []struct {
			what string
			err  error
			want string
		}{{"CanUseProject", st.CanUseProject(tc.by, tc.project), tc.use}, {"CanEditProject", st.CanEditProject(tc.by, tc.project), tc.edit}} {
			var de *Error
			if check.want == "" && check.err != nil || check.want != "" && (!errors.As(check.err, &de) || de.Code != check.want) {
				t.Errorf("%s: %s = %v, want %q", tc.name, check.what, check.err, check.want)
			}
		}
	}
	if st.CanReadProject(carol, 3) != nil || st.CanReadProject(carol, 1) == nil || st.CanReadProject(bob, 3) != nil {
		t.Error("CanReadProject: owner's and grantee's readers only")
	}
	if st.CanShareBalance(3, 1) != true || st.CanShareBalance(3, 2) {
		t.Error("balance sharing must be limited to own projects of one company")
	}
	if got := st.ExternalProjectsOf(2); len(got) != 1 || got[0] != 3 {
		t.Errorf("ExternalProjectsOf(2) = %v", got)
	}
}

func TestProjectJoinDeciders(t *testing.T) {
	port := Item{"PBX-Port", 13}
	withBalance := orgWorld(RightLicenses, KeyRedeemed{Code: "KEY-00001", Project: 3, Company: 1, Lines: []Line{{Item: port, Quantity: 20}}})
	runCases(t, []decideCase{
		{name: "join Hotel into DEFAULT", given: withBalance, by: bob, when: JoinProject{Project: 3, Into: 1},
			then: []Event{ProjectJoined{Project: 3, Into: 1, Company: 1, Balance: []Line{{Item: port, Quantity: 20}}}}},
		{name: "not while granting external rights", given: granted(), by: alice, when: JoinProject{Project: 3, Into: 1}, wantErr: "project-has-external-rights"},
		{name: "not into itself", given: withBalance, by: alice, when: JoinProject{Project: 3, Into: 3}, wantErr: "same-project"},
		{name: "not across companies", given: withBalance, by: vendor, when: JoinProject{Project: 3, Into: 2}, wantErr: "different-company"},
		{name: "unknown target", given: withBalance, by: alice, when: JoinProject{Project: 3, Into: 9}, wantErr: "project-not-found"},
		{name: "a viewer joins nothing", given: orgWorld(RightViewer), by: bob, when: JoinProject{Project: 3, Into: 1}, wantErr: "no-right"},
	})
	st := stateOf(t, withBalance...)
	st.Projects[3].AutoSSA = true
	wantRefused(t, st, alice, JoinProject{Project: 3, Into: 1}, "project-auto-ssa")
	// Others may join into an (automatic) SSA project: the SSA engine prices
	// the joined licenses (none here; see TestSSAOnArrival).
	st.Projects[3].AutoSSA, st.Projects[1].AutoSSA, st.Projects[1].SSAEnd = false, true, "2027-12-31"
	if evs, err := Decide(st, alice, JoinProject{Project: 3, Into: 1}, now); err != nil || len(evs) != 1 {
		t.Fatalf("join into an SSA project: %v, %v", evs, err)
	}
	st.Projects[1].AutoSSA, st.Projects[1].SSAEnd = false, ""
	decideAndApply(t, st, alice, JoinProject{Project: 3, Into: 1})
	if _, ok := st.Projects[3]; ok || st.Projects[1].Balance[port] != 20 || st.Keys["KEY-00001"].RedeemedInto != 1 {
		t.Fatalf("after the join: project 3 present %v, DEFAULT balance %v, key into %d", ok, st.Projects[1].Balance, st.Keys["KEY-00001"].RedeemedInto)
	}
	if _, ok := st.Companies[1].Projects[3]; ok {
		t.Fatal("the joined project is still listed by its company")
	}
}

func TestProjectMoveDeciders(t *testing.T) {
	runCases(t, []decideCase{
		{name: "administrator moves a project to a company by id; its rights are deleted", given: granted(
			CompanyCreated{Company: 3, Name: "Third", Creator: 4}), by: alice, when: MoveProject{Project: 3, To: 3},
			then: []Event{ProjectMoved{Project: 3, From: 1, To: 3, RevokedGrants: []CompanyID{2}}}},
		{name: "move without rights", given: orgWorld(RightViewer), by: alice, when: MoveProject{Project: 3, To: 2},
			then: []Event{ProjectMoved{Project: 3, From: 1, To: 2}}},
		{name: "administrator only", given: orgWorld(RightLicenses), by: bob, when: MoveProject{Project: 3, To: 2}, wantErr: "not-administrator"},
		{name: "a locked member moves nothing", given: orgWorld(RightLocked), by: bob, when: MoveProject{Project: 3, To: 2}, wantErr: "person-locked"},
		{name: "unknown target company", given: orgWorld(RightViewer), by: alice, when: MoveProject{Project: 3, To: 9}, wantErr: "company-not-found"},
		{name: "not to its own company", given: orgWorld(RightViewer), by: alice, when: MoveProject{Project: 3, To: 1}, wantErr: "same-company"},
		{name: "the name must be free in the target", given: orgWorld(RightViewer), by: alice, when: MoveProject{Project: 1, To: 2}, wantErr: "project-name-taken"},
	})
	st := stateOf(t, orgWorld(RightViewer)...)
	st.Projects[3].Balance[Item{"PBX-Port", 13}] = -1
	wantRefused(t, st, alice, MoveProject{Project: 3, To: 2}, "negative-balance")
}

func TestProjectMoveChangesOwner(t *testing.T) {
	st := stateOf(t, granted()...)
	decideAndApply(t, st, alice, MoveProject{Project: 3, To: 2})
	p := st.Projects[3]
	if p.Company != 2 || len(p.Grants) != 0 {
		t.Fatalf("moved project: %+v", p)
	}
	if _, ok := st.Companies[1].Projects[3]; ok {
		t.Fatal("the old company still lists the project")
	}
	if err := st.CanEditProject(carol, 3); err != nil {
		t.Fatalf("the new owner cannot edit: %v", err)
	}
	wantRefused(t, st, alice, RenameProject{Project: 3, Name: "Mine"}, "not-member")
}

func TestProjectDeleteDeciders(t *testing.T) {
	port := Item{"PBX-Port", 13}
	runCases(t, []decideCase{
		{name: "delete an empty project", given: orgWorld(RightLicenses), by: bob, when: DeleteProject{Project: 3},
			then: []Event{ProjectDeleted{Project: 3, Company: 1}}},
		{name: "not with project rights", given: granted(), by: alice, when: DeleteProject{Project: 3}, wantErr: "project-has-external-rights"},
		{name: "not with a redeemed activation key", given: orgWorld(RightViewer,
			KeyRedeemed{Code: "KEY-00001", Project: 3, Company: 1, Lines: []Line{{Item: port, Quantity: 20}}}),
			by: alice, when: DeleteProject{Project: 3}, wantErr: "project-not-empty"},
		{name: "not with an own key created from it", given: orgWorld(RightViewer,
			KeyIssued{Code: "OWN-00001", FromProject: 3, Lines: []Line{{Item: port, Quantity: 1}}}),
			by: alice, when: DeleteProject{Project: 3}, wantErr: "project-not-empty"},
		{name: "a grantee deletes nothing", given: granted(), by: carol, when: DeleteProject{Project: 3}, wantErr: "external-project-restricted"},
		{name: "a viewer deletes nothing", given: orgWorld(RightViewer), by: bob, when: DeleteProject{Project: 3}, wantErr: "no-right"},
	})
	st := stateOf(t, orgWorld(RightViewer)...)
	st.Projects[3].Balance[port] = 2
	wantRefused(t, st, alice, DeleteProject{Project: 3}, "project-not-empty")
	delete(st.Projects[3].Balance, port)
	st.Devices["00-90-33-01-02-03"] = &Device{MAC: "00-90-33-01-02-03", In: map[CompanyID]*Placement{1: {Project: 3}}}
	wantRefused(t, st, alice, DeleteProject{Project: 3}, "project-not-empty")
	delete(st.Devices, "00-90-33-01-02-03")
	decideAndApply(t, st, alice, DeleteProject{Project: 3})
	if _, ok := st.Projects[3]; ok {
		t.Fatal("deleted project still present")
	}
	decideAndApply(t, st, alice, CreateProject{Company: 1, Name: "Hotel"}) // its name is free again
}

func TestSpecialProjectNames(t *testing.T) {
	if !IsFreedRMAProject("Freed_RMA_licenses") || IsFreedRMAProject("freed_rma_licenses") || IsFreedRMAProject("DEFAULT") {
		t.Error("IsFreedRMAProject")
	}
	for name, want := range map[string]string{"$example.com$": "example.com", "$a$": "a", "$$": "", "$x": "", "x$": "", "$a$b$": "", "DEFAULT": ""} {
		got, ok := RentalDomainOf(name)
		if got != want || ok != (want != "") {
			t.Errorf("RentalDomainOf(%q) = %q, %v", name, got, ok)
		}
	}
}

// TestProjectJoinAndDeleteKeepDevicesAndFreeLicenses: a join takes the
// joined project's devices and free pool along; a project with either is
// not deleted.
func TestProjectJoinAndDeleteKeepDevicesAndFreeLicenses(t *testing.T) {
	const mac = MAC("00-90-33-01-02-03")
	free := LicenseLine{ID: 1, Item: Item{"PBX-Port", 13}, Quantity: 2, BindDate: "2020-01-01", Origin: OriginPurchased}
	st := stateOf(t, orgWorld(RightViewer)...)
	st.Free[3] = []LicenseLine{free}
	wantRefused(t, st, alice, DeleteProject{Project: 3}, "project-not-empty")
	st.Devices[mac] = &Device{MAC: mac, In: map[CompanyID]*Placement{1: {Project: 3}}}
	decideAndApply(t, st, alice, JoinProject{Project: 3, Into: 1})
	if st.Devices[mac].In[1].Project != 1 || len(st.Free[1]) != 1 || len(st.Free[3]) != 0 {
		t.Fatalf("after the join: device in %d, free pools %v", st.Devices[mac].In[1].Project, st.Free)
	}
}

// TestProjectMoveAndCompanyJoinMoveDevicePlacements: device placements are
// per company, so they follow a project to its new company.
func TestProjectMoveAndCompanyJoinMoveDevicePlacements(t *testing.T) {
	const mac, other = MAC("00-90-33-01-02-03"), MAC("00-90-33-01-02-04")
	st := stateOf(t, orgWorld(RightViewer, MemberAdded{Company: 2, Person: 2, Right: RightAdministrator})...)
	st.Devices[mac] = &Device{MAC: mac, In: map[CompanyID]*Placement{1: {Project: 3}}}
	st.Devices[other] = &Device{MAC: other, In: map[CompanyID]*Placement{1: {Project: 3}, 2: {Project: 2}}}
	wantRefused(t, st, alice, MoveProject{Project: 3, To: 2}, "device-in-target-company")
	delete(st.Devices, other)
	decideAndApply(t, st, alice, MoveProject{Project: 3, To: 2})
	if pl, ok := st.Devices[mac].In[2]; !ok || pl.Project != 3 || len(st.Devices[mac].In) != 1 {
		t.Fatalf("placements after the move: %v", st.Devices[mac].In)
	}
	decideAndApply(t, st, alice, JoinCompany{Company: 1, Absorbed: 2})
	if pl, ok := st.Devices[mac].In[1]; !ok || pl.Project != 3 || len(st.Devices[mac].In) != 1 {
		t.Fatalf("placements after the company join: %v", st.Devices[mac].In)
	}
}
