package domain_test

import (
	"testing"

	. "github.com/innolic/ledger/domain"
)

const mac6010 MAC = "00-90-33-00-00-04" // an IP6010 in DEFAULT, without licenses

var (
	gvl      = Item{Type: "GVL-Purchase"}
	retLines = []LicenseLine{
		bound(1, pbx13, 1), bound(2, vm13, 1), bound(3, sb13, 1),
		{ID: 4, Item: port13, Quantity: 10, BindDate: "2025-05-05", SSAEnd: "2027-01-01", ExternalKey: "K-1", Origin: OriginPurchased},
		bound(5, pri13, 2), bound(6, gvl, 1),
		{ID: 7, Item: port13, Quantity: 5, BindDate: today, Origin: OriginRental},
	}
)

// returnWorld: the IP6000 in DEFAULT holds retLines; an IP6010 is in
// DEFAULT without licenses.
func returnWorld() []Event {
	return append(bindWorld(),
		DeviceRegistered{MAC: mac6010, Type: "IP6010", OrderNumber: "SO-3", Delivered: "2026-10-01"},
		DeviceAdded{MAC: mac6010, Company: 1, Project: 1},
		LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: retLines},
	)
}

func TestReturnLicensesDeciders(t *testing.T) {
	base := returnWorld()
	inHouse := append(returnWorld(), LicensesBound{MAC: mac6000, Company: 1, Project: 1,
		Lines: []LicenseLine{bound(8, Item{"In-House", 13}, 1)}})
	va := append(returnWorld(), DeviceRegistered{MAC: macVA, Type: "IPVA", Owner: 1}, DeviceAdded{MAC: macVA, Company: 1, Project: 1})
	ret := func(mac string) ReturnLicenses {
		return ReturnLicenses{Company: 1, MAC: mac, Firmware: 13, Certificate: true}
	}
	runCases(t, []decideCase{
		{name: "purchased PBX licenses go to the free pool with their dates and keys", given: base, by: bob, when: ret("000001"),
			then: []Event{LicensesReturned{MAC: mac6000, Company: 1, Project: 1, Lines: retLines[:4],
				Confirmation: "INV-009033000001-1", Date: today}}},
		{name: "firmware V8 or later", given: base, by: bob, when: ReturnLicenses{Company: 1, MAC: "000001", Firmware: 7, Certificate: true}, wantErr: "firmware-too-old"},
		{name: "a device certificate", given: base, by: bob, when: ReturnLicenses{Company: 1, MAC: "000001", Firmware: 8}, wantErr: "no-device-certificate"},
		{name: "not an IPVA", given: va, by: bob, when: ret(string(macVA)), wantErr: "virtual-device"},
		{name: "no in-house licenses", given: inHouse, by: bob, when: ret("000001"), wantErr: "in-house-licenses"},
		{name: "nothing to return", given: base, by: bob, when: ret("000004"), wantErr: "nothing-to-return"},
		{name: "a stranger returns nothing", given: base, by: carol, when: ret("000001"), wantErr: "not-member"},
		{name: "only devices of the company", given: base, by: bob, when: ret("000003"), wantErr: "device-not-in-company"},
	})
}

func TestFreePoolAndMoveDeciders(t *testing.T) {
	returned := append(returnWorld(), LicensesReturned{MAC: mac6000, Company: 1, Project: 1, Lines: retLines[:4], Confirmation: "INV-009033000001-1", Date: today})
	received := append(returnWorld(), RMARequestedEvent{MAC: mac6000, Company: 1}, RMAReceivedEvent{MAC: mac6000})
	targetLicensed := append(returnWorld(), LicensesBound{MAC: mac6010, Company: 1, Project: 1, Lines: []LicenseLine{bound(9, pri13, 1)}})
	// Warranty stays, and so do rental licenses: they stay bound until the
	// Devices App removes them and never reach a free pool.
	moved := retLines[:5]
	runCases(t, []decideCase{
		{name: "bind from the free pool keeps dates and keys", given: returned, by: bob, when: BindFreeLicenses{Project: 1, MAC: "000004", IDs: []int64{4, 1, 2, 3}},
			then: []Event{FreeLicensesBound{MAC: mac6010, Company: 1, Project: 1, Lines: []LicenseLine{retLines[3], retLines[0], retLines[1], retLines[2]}}}},
		{name: "consistency check on the free pool", given: returned, by: bob, when: BindFreeLicenses{Project: 1, MAC: "000004", IDs: []int64{1}}, wantErr: "voicemail-standby-mismatch"},
		{name: "only lines of the pool", given: returned, by: bob, when: BindFreeLicenses{Project: 1, MAC: "000004", IDs: []int64{5}}, wantErr: "free-license-not-found"},
		{name: "a line once", given: returned, by: bob, when: BindFreeLicenses{Project: 1, MAC: "000004", IDs: []int64{4, 4}}, wantErr: "free-license-not-found"},
		{name: "lines required", given: returned, by: bob, when: BindFreeLicenses{Project: 1, MAC: "000004"}, wantErr: "invalid-lines"},
		{name: "an administrator moves licenses; warranty stays", given: returnWorld(), by: alice, when: MoveLicenses{Company: 1, From: "000001", To: "000004"},
			then: []Event{LicensesMoved{From: mac6000, To: mac6010, Company: 1, Lines: moved}}},
		{name: "the Licenses right moves licenses of a received RMA device", given: received, by: bob, when: MoveLicenses{Company: 1, From: "000001", To: "000004"},
			then: []Event{LicensesMoved{From: mac6000, To: mac6010, Company: 1, Lines: moved}}},
		{name: "otherwise not", given: returnWorld(), by: bob, when: MoveLicenses{Company: 1, From: "000001", To: "000004"}, wantErr: "move-needs-rma"},
		{name: "the target has no licenses", given: targetLicensed, by: alice, when: MoveLicenses{Company: 1, From: "000001", To: "000004"}, wantErr: "target-has-licenses"},
		{name: "not onto itself", given: returnWorld(), by: alice, when: MoveLicenses{Company: 1, From: "000001", To: "00:90:33:00:00:01"}, wantErr: "same-device"},
		{name: "the target type must fit (no Relay-PRI on an IP0010)", given: append(returnWorld(), DeviceMoved{MAC: mac0010, Company: 1, From: 3, To: 1}), by: alice,
			when: MoveLicenses{Company: 1, From: "000001", To: "000002"}, wantErr: "license-not-for-device"},
		{name: "nothing to move", given: returnWorld(), by: alice, when: MoveLicenses{Company: 1, From: "000004", To: "000002"}, wantErr: "nothing-to-move"},
		{name: "reshipping frees the licenses into Freed_RMA_licenses", given: received, by: vendor, when: ReshipRMA{MAC: "000001"},
			then: []Event{ProjectCreated{Project: 4, Company: 1, Name: FreedRMAProjectName},
				RMAReshipped{MAC: mac6000, Company: 1, Project: 4, Lines: moved}}},
		{name: "reshipping needs a received RMA device", given: returnWorld(), by: vendor, when: ReshipRMA{MAC: "000001"}, wantErr: "rma-not-received"},
		{name: "vendor only", given: received, by: alice, when: ReshipRMA{MAC: "000001"}, wantErr: "vendor-only"},
	})
}

func TestMovedSourceBecomesRMAAndPoolEmpties(t *testing.T) {
	st := stateOf(t, returnWorld()...)
	decideAndApply(t, st, alice, MoveLicenses{Company: 1, From: "000001", To: "000004"})
	if d := st.Devices[mac6000]; d.RMA != RMARequested || len(d.Licenses) != 2 || d.Licenses[1].Origin != OriginRental {
		t.Fatalf("source after move: RMA %q, lines %v", d.RMA, d.Licenses)
	}
	st = stateOf(t, returnWorld()...)
	decideAndApply(t, st, bob, ReturnLicenses{Company: 1, MAC: "000001", Firmware: 13, Certificate: true})
	if len(st.Free[1]) != 4 || len(st.Devices[mac6000].Licenses) != 3 || st.Devices[mac6000].Invalidations[0].Confirmation != "INV-009033000001-1" {
		t.Fatalf("after return: pool %v, device %v", st.Free[1], st.Devices[mac6000])
	}
	decideAndApply(t, st, bob, BindFreeLicenses{Project: 1, MAC: "000004", IDs: []int64{1, 2, 3, 4}})
	if len(st.Free) != 0 || len(st.Devices[mac6010].Licenses) != 4 {
		t.Fatalf("after binding the pool: pool %v", st.Free)
	}
}

// TestReshipAfterCompanyJoin: an RMA device requested by a company that was
// then joined into another is reshipped to the joining company.
func TestReshipAfterCompanyJoin(t *testing.T) {
	st := stateOf(t, append(returnWorld(), RMARequestedEvent{MAC: mac6000, Company: 1}, RMAReceivedEvent{MAC: mac6000},
		MemberAdded{Company: 2, Person: 2, Right: RightAdministrator})...)
	decideAndApply(t, st, alice, JoinCompany{Company: 2, Absorbed: 1})
	for _, e := range decideAndApply(t, st, vendor, ReshipRMA{MAC: "000001"}) {
		if r, ok := e.(RMAReshipped); ok && r.Company != 2 {
			t.Fatalf("reshipped to company %d, want the joining company 2", r.Company)
		}
	}
}
