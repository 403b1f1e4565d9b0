package domain_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	. "github.com/innolic/ledger/domain"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// Principals of the scenarios below.
var (
	vendor = Principal{Person: 1, Vendor: true}
	alice  = Principal{Person: 2} // administrator of company 1
	bob    = Principal{Person: 3} // member of company 1 with the right set per case
	carol  = Principal{Person: 4} // member of no company
)

// world is the common history: vendor staff, three persons, company 1 with
// alice as Administrator and project DEFAULT (1), and an unredeemed key.
func world(bobRight Right) []Event {
	return []Event{
		PersonRegistered{Person: 1, Email: "staff@vendor.example", Name: "Staff", Vendor: true},
		PersonRegistered{Person: 2, Email: "alice@example.com", Name: "Alice"},
		PersonRegistered{Person: 3, Email: "bob@example.com", Name: "Bob"},
		PersonRegistered{Person: 4, Email: "carol@example.com", Name: "Carol"},
		CompanyCreated{Company: 1, Name: "Reseller", Creator: 2},
		MemberAdded{Company: 1, Person: 2, Right: RightAdministrator},
		ProjectCreated{Project: 1, Company: 1, Name: DefaultProjectName},
		MemberAdded{Company: 1, Person: 3, Right: bobRight},
		KeyIssued{Code: "KEY-00001", Lines: []Line{{Item: Item{"PBX-Port", 13}, Quantity: 20}}},
	}
}

type decideCase struct {
	name    string
	given   []Event
	by      Principal
	when    Command
	then    []Event
	wantErr string // stable code; empty: success
}

func runCases(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := NewState(catalog.Default())
			for i, e := range tc.given {
				if err := st.Evolve(e); err != nil {
					t.Fatalf("given[%d] %T: %v", i, e, err)
				}
			}
			got, err := Decide(st, tc.by, tc.when, now)
			if tc.wantErr != "" {
				var de *Error
				if !errors.As(err, &de) || de.Code != tc.wantErr {
					t.Fatalf("error = %v, want code %q", err, tc.wantErr)
				}
				if len(got) != 0 {
					t.Fatalf("refused command returned events %v; a refusal writes nothing", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tc.then) {
				t.Fatalf("events\n got %#v\nwant %#v", got, tc.then)
			}
			for _, e := range got {
				if err := st.Evolve(e); err != nil {
					t.Fatalf("decided event %T does not apply: %v", e, err)
				}
			}
		})
	}
}

func TestPersonDeciders(t *testing.T) {
	base := world(RightViewer)
	runCases(t, []decideCase{
		{name: "bootstrap on an empty ledger creates the vendor administrator and its token",
			by: Principal{}, when: Bootstrap{Email: "admin@vendor", Name: "Admin", TokenID: "t1", TokenHash: hash64},
			then: []Event{PersonRegistered{Person: 1, Email: "admin@vendor", Name: "Admin", Vendor: true},
				TokenIssued{Token: "t1", Person: 1, Hash: hash64, Label: "bootstrap"}}},
		{name: "bootstrap is refused once persons exist", given: base, when: Bootstrap{Email: "x@y.z", Name: "X"}, wantErr: "already-initialized"},
		{name: "vendor registers a person", given: base, by: vendor, when: RegisterPerson{Email: "dave@example.com", Name: " Dave "},
			then: []Event{PersonRegistered{Person: 5, Email: "dave@example.com", Name: "Dave"}}},
		{name: "email unique case-insensitively", given: base, by: vendor, when: RegisterPerson{Email: "ALICE@Example.com", Name: "A"}, wantErr: "email-taken"},
		{name: "email must be an address", given: base, by: vendor, when: RegisterPerson{Email: "alice", Name: "A"}, wantErr: "invalid-email"},
		{name: "name required", given: base, by: vendor, when: RegisterPerson{Email: "e@example.com", Name: "  "}, wantErr: "invalid-name"},
		{name: "no control characters in names", given: base, by: vendor, when: RegisterPerson{Email: "e@example.com", Name: "Eve\x00"}, wantErr: "invalid-name"},
		{name: "names are valid UTF-8", given: base, by: vendor, when: RegisterPerson{Email: "e@example.com", Name: "Eve\xff"}, wantErr: "invalid-name"},
		{name: "only vendor staff register persons", given: base, by: alice, when: RegisterPerson{Email: "e@example.com", Name: "E"}, wantErr: "vendor-only"},
		{name: "a person issues a token to themself", given: base, by: alice, when: IssueToken{Person: 2, TokenID: "t2", TokenHash: hash64},
			then: []Event{TokenIssued{Token: "t2", Person: 2, Hash: hash64}}},
		{name: "not to someone else", given: base, by: alice, when: IssueToken{Person: 3, TokenID: "t2", TokenHash: hash64}, wantErr: "not-own-person"},
		{name: "revoking an unknown token", given: base, by: alice, when: RevokeToken{Person: 2, TokenID: "nope"}, wantErr: "token-not-found"},
	})
}

const hash64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestCompanyDeciders(t *testing.T) {
	base := world(RightViewer)
	runCases(t, []decideCase{
		{name: "creating a company makes the creator Administrator and creates DEFAULT",
			given: base, by: carol, when: CreateCompany{Name: "Carol GmbH"},
			then: []Event{CompanyCreated{Company: 2, Name: "Carol GmbH", Creator: 4},
				MemberAdded{Company: 2, Person: 4, Right: RightAdministrator},
				ProjectCreated{Project: 2, Company: 2, Name: "DEFAULT"}}},
		{name: "a second project", given: base, by: alice, when: CreateProject{Company: 1, Name: "Hotel", Description: "site"},
			then: []Event{ProjectCreated{Project: 2, Company: 1, Name: "Hotel", Description: "site"}}},
		{name: "project names are unique per company", given: base, by: alice, when: CreateProject{Company: 1, Name: "default"}, wantErr: "project-name-taken"},
		{name: "a viewer cannot create projects", given: base, by: bob, when: CreateProject{Company: 1, Name: "X"}, wantErr: "no-right"},
		{name: "a stranger cannot create projects", given: base, by: carol, when: CreateProject{Company: 1, Name: "X"}, wantErr: "not-member"},
		{name: "administrator invites", given: base, by: alice, when: AddMember{Company: 1, Person: 4, Right: RightLicenses},
			then: []Event{MemberAdded{Company: 1, Person: 4, Right: RightLicenses}}},
		{name: "only administrators invite", given: base, by: bob, when: AddMember{Company: 1, Person: 4, Right: RightLicenses}, wantErr: "not-administrator"},
		{name: "unknown right", given: base, by: alice, when: AddMember{Company: 1, Person: 4, Right: "boss"}, wantErr: "invalid-right"},
		{name: "the last administrator stays administrator", given: base, by: alice, when: ChangeRights{Company: 1, Person: 2, Right: RightViewer}, wantErr: "last-administrator"},
		{name: "rights change", given: base, by: alice, when: ChangeRights{Company: 1, Person: 3, Right: RightLocked},
			then: []Event{RightsChanged{Company: 1, Person: 3, Right: RightLocked}}},
	})
}

func TestKeyDeciders(t *testing.T) {
	port13 := Item{"PBX-Port", 13}
	redeemed := append(world(RightLicenses), KeyRedeemed{Code: "KEY-00001", Project: 1, Company: 1,
		Lines: []Line{{Item: port13, Quantity: 20}}})
	runCases(t, []decideCase{
		{name: "vendor issues a key; lines of one item are merged",
			given: world(RightViewer), by: vendor, when: IssueKey{Code: "KEY-00002", OrderNumber: " 4711 ",
				Lines: []Line{{Item: port13, Quantity: 2}, {Item: Item{"PBX-PBX", 13}, Quantity: 1}, {Item: port13, Quantity: 3}}},
			then: []Event{KeyIssued{Code: "KEY-00002", OrderNumber: "4711",
				Lines: []Line{{Item: Item{"PBX-PBX", 13}, Quantity: 1}, {Item: port13, Quantity: 5}}}}},
		{name: "only the vendor issues keys", given: world(RightViewer), by: alice,
			when: IssueKey{Code: "KEY-00002", Lines: []Line{{Item: port13, Quantity: 1}}}, wantErr: "vendor-only"},
		{name: "unknown license type", given: world(RightViewer), by: vendor,
			when: IssueKey{Code: "KEY-00002", Lines: []Line{{Item: Item{"PBX-Nothing", 13}, Quantity: 1}}}, wantErr: "unknown-license-type"},
		{name: "quantity must be positive", given: world(RightViewer), by: vendor,
			when: IssueKey{Code: "KEY-00002", Lines: []Line{{Item: port13, Quantity: 0}}}, wantErr: "invalid-quantity"},
		{name: "a key needs lines", given: world(RightViewer), by: vendor, when: IssueKey{Code: "KEY-00002"}, wantErr: "invalid-lines"},
		{name: "administrator redeems into a project", given: world(RightViewer), by: alice,
			when: RedeemKey{Code: "KEY-00001", Project: 1, Comment: "first"},
			then: []Event{KeyRedeemed{Code: "KEY-00001", Project: 1, Company: 1, Lines: []Line{{Item: port13, Quantity: 20}}, Comment: "first"}}},
		{name: "Licenses right redeems", given: world(RightLicenses), by: bob, when: RedeemKey{Code: "KEY-00001", Project: 1},
			then: []Event{KeyRedeemed{Code: "KEY-00001", Project: 1, Company: 1, Lines: []Line{{Item: port13, Quantity: 20}}}}},
		{name: "a viewer cannot redeem", given: world(RightViewer), by: bob, when: RedeemKey{Code: "KEY-00001", Project: 1}, wantErr: "no-right"},
		{name: "a locked member cannot redeem", given: world(RightLocked), by: bob, when: RedeemKey{Code: "KEY-00001", Project: 1}, wantErr: "person-locked"},
		{name: "a stranger cannot redeem", given: world(RightViewer), by: carol, when: RedeemKey{Code: "KEY-00001", Project: 1}, wantErr: "not-member"},
		{name: "unknown key", given: world(RightViewer), by: alice, when: RedeemKey{Code: "NOPE-NOPE", Project: 1}, wantErr: "key-not-found"},
		{name: "unknown project", given: world(RightViewer), by: alice, when: RedeemKey{Code: "KEY-00001", Project: 9}, wantErr: "project-not-found"},
		{name: "a key is redeemed once, ever", given: redeemed, by: alice, when: RedeemKey{Code: "KEY-00001", Project: 1}, wantErr: "key-already-redeemed"},
	})
}

func TestRedeemAddsToTheProjectBalance(t *testing.T) {
	st := NewState(catalog.Default())
	for _, e := range world(RightViewer) {
		if err := st.Evolve(e); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := Decide(st, alice, RedeemKey{Code: "KEY-00001", Project: 1}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if err := st.Evolve(e); err != nil {
			t.Fatal(err)
		}
	}
	if got := st.Projects[1].Balance[Item{"PBX-Port", 13}]; got != 20 {
		t.Fatalf("balance PBX-Port13 = %d, want 20", got)
	}
}

func TestReadAccess(t *testing.T) {
	for _, tc := range []struct {
		right Right
		by    Principal
		want  string
	}{
		{RightViewer, bob, ""}, {RightLocked, bob, "person-locked"}, {RightViewer, carol, "not-member"}, {RightLocked, vendor, ""},
	} {
		st := NewState(catalog.Default())
		for _, e := range world(tc.right) {
			_ = st.Evolve(e)
		}
		err := st.CanRead(tc.by, 1)
		var de *Error
		if tc.want == "" && err != nil || tc.want != "" && (!errors.As(err, &de) || de.Code != tc.want) {
			t.Errorf("%s as %v: err = %v, want %q", tc.right, tc.by, err, tc.want)
		}
	}
}

// stateOf replays events into a fresh state.
func stateOf(t *testing.T, evs ...Event) *State {
	t.Helper()
	st := NewState(catalog.Default())
	for i, e := range evs {
		if err := st.Evolve(e); err != nil {
			t.Fatalf("event %d %T: %v", i, e, err)
		}
	}
	return st
}

// decideAndApply decides cmd on st and applies the events, failing on a
// refusal.
func decideAndApply(t *testing.T, st *State, by Principal, cmd Command) []Event {
	t.Helper()
	evs, err := Decide(st, by, cmd, now)
	if err != nil {
		t.Fatalf("%T: %v", cmd, err)
	}
	for _, e := range evs {
		if err := st.Evolve(e); err != nil {
			t.Fatalf("%T does not apply: %v", e, err)
		}
	}
	return evs
}
