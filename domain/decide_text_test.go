package domain_test

import (
	"strings"
	"testing"

	. "github.com/innolic/ledger/domain"
)

// TestFreeTextIsRefused: every decider that stores free text refuses NUL,
// the other C0 and C1 control characters and invalid UTF-8, and caps the
// length, whoever calls it (the HTTP API checks first; importers, the
// scheduler and tests call the deciders directly). A NUL stored in a
// description once stopped the Postgres projector for good.
func TestFreeTextIsRefused(t *testing.T) {
	keys, bind, extras := keyWorld(), bindWorld(), extrasWorld()
	devs := devWorld(RightLicenses)
	ssa := ssaWorld(RightLicenses, 2000)
	pending := append(ssaWorld(RightLicenses, 0), AutoSSARequested{Project: 1, Company: 1, Person: 2, Date: MustDay("2026-11-01")})
	s := func(v string) *string { return &v }
	nul, c1, del, bad := "a\x00b", "a\u0085b", "a\x7fb", "a\xffb"
	runCases(t, []decideCase{
		{name: "NUL in a new project's description", given: world(RightViewer), by: alice,
			when: CreateProject{Company: 1, Name: "Hotel", Description: nul}, wantErr: "invalid-text"},
		{name: "a new project's description is capped", given: world(RightViewer), by: alice,
			when: CreateProject{Company: 1, Name: "Hotel", Description: strings.Repeat("x", MaxDescription+1)}, wantErr: "invalid-description"},
		{name: "tab and newline are fine in a description", given: world(RightViewer), by: alice,
			when: CreateProject{Company: 1, Name: "Hotel", Description: "floor 1\n\tfloor 2"},
			then: []Event{ProjectCreated{Project: 2, Company: 1, Name: "Hotel", Description: "floor 1\n\tfloor 2"}}},
		{name: "NUL in a description", given: world(RightViewer), by: alice,
			when: DescribeProject{Project: 1, Description: nul}, wantErr: "invalid-text"},
		{name: "a C1 control character in a description", given: world(RightViewer), by: alice,
			when: DescribeProject{Project: 1, Description: c1}, wantErr: "invalid-text"},
		{name: "carriage return in a description", given: world(RightViewer), by: alice,
			when: DescribeProject{Project: 1, Description: "a\rb"}, wantErr: "invalid-text"},
		{name: "invalid UTF-8 in a description", given: world(RightViewer), by: alice,
			when: DescribeProject{Project: 1, Description: bad}, wantErr: "invalid-text"},
		{name: "DEL in a project name keeps the name's code", given: world(RightViewer), by: alice,
			when: RenameProject{Project: 1, Name: del}, wantErr: "invalid-name"},
		{name: "NUL in a trust value", given: world(RightViewer), by: alice,
			when: SetProjectProperties{Project: 1, ProjectProperties: ProjectProperties{TrustValue: nul}}, wantErr: "invalid-text"},
		{name: "invalid UTF-8 in an update URL", given: world(RightViewer), by: alice,
			when: SetProjectProperties{Project: 1, ProjectProperties: ProjectProperties{UpdateURL: "https://x.example/" + bad}}, wantErr: "invalid-text"},
		{name: "NUL in a device comment", given: devs, by: bob,
			when: ChangeDevice{Company: 1, MAC: string(mac6000), Name: "PBX", Comment: nul}, wantErr: "invalid-text"},
		{name: "a newline in a device name", given: devs, by: bob,
			when: ChangeDevice{Company: 1, MAC: string(mac6000), Name: "P\nBX"}, wantErr: "invalid-name"},
		{name: "a device name is capped", given: devs, by: bob,
			when: ChangeDevice{Company: 1, MAC: string(mac6000), Name: strings.Repeat("x", MaxDeviceName+1)}, wantErr: "invalid-name"},
		{name: "a C1 control character in an RMA reason", given: devs, by: bob,
			when: RequestRMA{Company: 1, MAC: string(mac6000), Reason: c1}, wantErr: "invalid-text"},
		{name: "NUL in an interface.php device description", given: devs, by: bob,
			when: InterfaceAddDevice{Project: 1, Serial: string(mac0010), Description: nul}, wantErr: "invalid-text"},
		{name: "NUL in a registry order number", given: world(RightViewer), by: vendor,
			when:    RegisterDevices{OrderNumber: "SO\x00", Delivered: "2026-10-01", Devices: []RegistryEntry{{MAC: "00-90-33-00-01-01", Type: "IP6000"}}},
			wantErr: "invalid-text"},
		{name: "NUL in a vendor key's comment", given: world(RightViewer), by: vendor,
			when: IssueKey{Code: "KEY-00009", Lines: []Line{{Item: port13, Quantity: 1}}, Comment: nul}, wantErr: "invalid-text"},
		{name: "a newline in a vendor key's order number", given: world(RightViewer), by: vendor,
			when: IssueKey{Code: "KEY-00009", Lines: []Line{{Item: port13, Quantity: 1}}, OrderNumber: "SO\n1"}, wantErr: "invalid-text"},
		{name: "an order reference is capped", given: world(RightViewer), by: vendor,
			when:    IssueKey{Code: "KEY-00009", Lines: []Line{{Item: port13, Quantity: 1}}, OrderReference: strings.Repeat("x", MaxOrderNumber+1)},
			wantErr: "invalid-text"},
		{name: "invalid UTF-8 in a redemption comment", given: world(RightViewer), by: alice,
			when: RedeemKey{Code: "KEY-00001", Project: 1, Comment: bad}, wantErr: "invalid-text"},
		{name: "NUL in an own key's order number", given: keys, by: alice,
			when: CreateOwnKey{Project: 1, Code: "OWN-00002", Lines: []Line{{Item: port13, Quantity: 1}}, OrderNumber: nul}, wantErr: "invalid-text"},
		{name: "NUL in an own key's new comment", given: keys, by: alice,
			when: UpdateKey{Code: "OWN-00001", Comment: s(nul)}, wantErr: "invalid-text"},
		{name: "NUL in a credit order of a binding", given: bind, by: dave,
			when: BindLicenses{Project: 1, MAC: string(mac6000), Version: 13, Lines: []Line{{Item: Item{Type: "PBX-Port"}, Quantity: 1}},
				CreditOrder: nul}, wantErr: "invalid-text"},
		{name: "a C1 control character in a warranty credit order", given: extras, by: dave,
			when: ExtendWarranty{Project: 1, MAC: string(mac6010), Years: 1, CreditOrder: c1}, wantErr: "invalid-text"},
		{name: "NUL in an SSA credit order", given: ssa, by: bob,
			when: ExtendProjectSSA{Project: 1, End: MustDay("2027-11-22"), CreditOrder: nul}, wantErr: "invalid-text"},
		{name: "NUL in an automatic SSA request's comment", given: ssa, by: bob,
			when: RequestAutoSSA{Project: 1, Comment: nul}, wantErr: "invalid-text"},
		{name: "NUL in the reason of an automatic SSA end", given: pending, by: vendor,
			when: EndAutoSSA{Project: 1, Reason: nul}, wantErr: "invalid-text"},
		{name: "NUL in a project's end-user mail text", given: world(RightViewer), by: alice,
			when: SetSSAMailSettings{Project: 1, SSAMailSettings: SSAMailSettings{Text: nul}}, wantErr: "invalid-text"},
		{name: "NUL in a company's end-user mail text", given: world(RightViewer), by: alice,
			when: SetEndUserText{Company: 1, Text: nul}, wantErr: "invalid-text"},
		{name: "NUL in a token label", given: world(RightViewer), by: alice,
			when: IssueToken{Person: 2, TokenID: "t2", TokenHash: hash64, Label: nul}, wantErr: "invalid-text"},
	})
}

func TestIsTextRune(t *testing.T) {
	for _, tc := range []struct {
		r             rune
		single, multi bool
	}{
		{'a', true, true}, {'ü', true, true}, {'€', true, true}, {0xFFFD, true, true},
		{'\t', false, true}, {'\n', false, true}, {'\r', false, false}, {0, false, false},
		{0x1F, false, false}, {0x7F, false, false}, {0x80, false, false}, {0x9F, false, false}, {0xA0, true, true},
	} {
		if got := IsTextRune(tc.r, SingleLine); got != tc.single {
			t.Errorf("IsTextRune(%U, single line) = %v", tc.r, got)
		}
		if got := IsTextRune(tc.r, MultiLine); got != tc.multi {
			t.Errorf("IsTextRune(%U, multi-line) = %v", tc.r, got)
		}
	}
}
