package domain_test

import (
	"testing"

	. "github.com/innolic/ledger/domain"
)

var (
	port13 = Item{"PBX-Port", 13}
	pbx13  = Item{"PBX-PBX", 13}
)

// keyWorld: alice's DEFAULT (1) holds 20 PBX-Port13; project 3 (Hotel) is
// hers too; OWN-00001 (5 PBX-Port13) was created from project 1.
func keyWorld() []Event {
	return append(devWorld(RightViewer),
		KeyRedeemed{Code: "KEY-00001", Project: 1, Company: 1, Lines: []Line{{Item: port13, Quantity: 20}}},
		ProjectCreated{Project: 3, Company: 1, Name: "Hotel"},
		KeyIssued{Code: "OWN-00001", FromProject: 1, Lines: []Line{{Item: port13, Quantity: 5}}, Comment: "c"},
	)
}

func TestOwnKeyDeciders(t *testing.T) {
	base := keyWorld()
	redeemed := append(keyWorld(), KeyRedeemed{Code: "OWN-00001", Project: 2, Company: 2, Lines: []Line{{Item: port13, Quantity: 5}}})
	deleted := append(keyWorld(), KeyDeleted{Code: "OWN-00001", Project: 1, Lines: []Line{{Item: port13, Quantity: 5}}})
	s := func(v string) *string { return &v }
	runCases(t, []decideCase{
		{name: "an own key from the balance", given: base, by: alice,
			when: CreateOwnKey{Project: 1, Code: "OWN-00002", Lines: []Line{{Item: port13, Quantity: 15}}, Comment: " for carol ", OrderNumber: "PO-1", OrderReference: "C-7"},
			then: []Event{KeyIssued{Code: "OWN-00002", FromProject: 1, Lines: []Line{{Item: port13, Quantity: 15}}, Comment: "for carol", OrderNumber: "PO-1", OrderReference: "C-7"}}},
		{name: "not more than the balance", given: base, by: alice, when: CreateOwnKey{Project: 1, Code: "OWN-00002", Lines: []Line{{Item: port13, Quantity: 16}}}, wantErr: "balance-insufficient"},
		{name: "a viewer creates no keys", given: base, by: bob, when: CreateOwnKey{Project: 1, Code: "OWN-00002", Lines: []Line{{Item: port13, Quantity: 1}}}, wantErr: "no-right"},
		{name: "not from another company's project", given: base, by: carol, when: CreateOwnKey{Project: 1, Code: "OWN-00002", Lines: []Line{{Item: port13, Quantity: 1}}}, wantErr: "not-member"},
		{name: "codes are unique", given: base, by: alice, when: CreateOwnKey{Project: 1, Code: "KEY-00001", Lines: []Line{{Item: port13, Quantity: 1}}}, wantErr: "key-exists"},
		{name: "lines required", given: base, by: alice, when: CreateOwnKey{Project: 1, Code: "OWN-00002"}, wantErr: "invalid-lines"},

		{name: "update: every added item must be in the balance", given: base, by: alice,
			when:    UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: 2}, {Item: pbx13, Quantity: 0 + 1}}, Comment: s("new")},
			wantErr: "balance-insufficient"},
		{name: "update: remove 2 units", given: base, by: alice, when: UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: -2}}, OrderNumber: s("PO-2")},
			then: []Event{KeyUpdated{Code: "OWN-00001", Project: 1, Delta: []Line{{Item: port13, Quantity: -2}}, Comment: "c", OrderNumber: "PO-2"}}},
		{name: "update: add units from the balance", given: base, by: alice, when: UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: 15}}},
			then: []Event{KeyUpdated{Code: "OWN-00001", Project: 1, Delta: []Line{{Item: port13, Quantity: 15}}, Comment: "c"}}},
		{name: "update: not more than the balance", given: base, by: alice, when: UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: 16}}}, wantErr: "balance-insufficient"},
		{name: "update: not below zero", given: base, by: alice, when: UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: -6}}}, wantErr: "key-quantity-negative"},
		{name: "update: not to empty", given: base, by: alice, when: UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: -5}}}, wantErr: "key-empty"},
		{name: "update: zero is no change", given: base, by: alice, when: UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: 0}}}, wantErr: "invalid-quantity"},
		{name: "update: only while not redeemed", given: redeemed, by: alice, when: UpdateKey{Code: "OWN-00001", Comment: s("x")}, wantErr: "key-already-redeemed"},
		{name: "update: vendor keys are not own keys", given: base, by: alice, when: UpdateKey{Code: "KEY-00001", Comment: s("x")}, wantErr: "not-own-key"},
		{name: "update: a viewer", given: base, by: bob, when: UpdateKey{Code: "OWN-00001", Comment: s("x")}, wantErr: "no-right"},
		{name: "update: a deleted key is gone", given: deleted, by: alice, when: UpdateKey{Code: "OWN-00001", Comment: s("x")}, wantErr: "key-not-found"},

		{name: "delete refunds the source project by default", given: base, by: alice, when: DeleteKey{Code: "OWN-00001"},
			then: []Event{KeyDeleted{Code: "OWN-00001", Project: 1, Lines: []Line{{Item: port13, Quantity: 5}}}}},
		{name: "delete refunds the project the caller names", given: base, by: alice, when: DeleteKey{Code: "OWN-00001", RefundTo: 3},
			then: []Event{KeyDeleted{Code: "OWN-00001", Project: 3, Lines: []Line{{Item: port13, Quantity: 5}}}}},
		{name: "delete: not into another company", given: base, by: alice, when: DeleteKey{Code: "OWN-00001", RefundTo: 2}, wantErr: "project-not-in-company"},
		{name: "delete: unknown refund project", given: base, by: alice, when: DeleteKey{Code: "OWN-00001", RefundTo: 9}, wantErr: "project-not-found"},
		{name: "delete: only while not redeemed", given: redeemed, by: alice, when: DeleteKey{Code: "OWN-00001"}, wantErr: "key-already-redeemed"},
		{name: "delete: once", given: deleted, by: alice, when: DeleteKey{Code: "OWN-00001"}, wantErr: "key-not-found"},
		{name: "a deleted key cannot be redeemed", given: deleted, by: carol, when: RedeemKey{Code: "OWN-00001", Project: 2}, wantErr: "key-not-found"},
	})
}

func TestOwnKeyMovesUnits(t *testing.T) {
	st := stateOf(t, keyWorld()...)
	if got := st.Projects[1].Balance[port13]; got != 15 {
		t.Fatalf("after creating a key of 5, balance = %d, want 15", got)
	}
	decideAndApply(t, st, alice, UpdateKey{Code: "OWN-00001", Delta: []Line{{Item: port13, Quantity: -2}}})
	if got, key := st.Projects[1].Balance[port13], st.Keys["OWN-00001"].Lines; got != 17 || key[0].Quantity != 3 {
		t.Fatalf("after -2: balance %d, key %v", got, key)
	}
	decideAndApply(t, st, alice, DeleteKey{Code: "OWN-00001", RefundTo: 3})
	if a, b := st.Projects[1].Balance[port13], st.Projects[3].Balance[port13]; a != 17 || b != 3 {
		t.Fatalf("after delete into Hotel: DEFAULT %d, Hotel %d", a, b)
	}
}
