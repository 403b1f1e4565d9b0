package domain_test

import (
	"testing"

	. "github.com/innolic/ledger/domain"
)

// MACs of the license scenarios.
const (
	mac6000 MAC = "00-90-33-00-00-01" // IP6000 of order SO-1
	mac0010 MAC = "00-90-33-00-00-02" // IP0010 of order SO-1
	mac112  MAC = "00-90-33-00-00-03" // IP112 of order SO-2
	macVA   MAC = "00-50-56-00-00-01" // an IPVA
)

// devWorld is world plus registered devices, carol's company 2 with
// project 2, and the IP6000 in alice's DEFAULT project.
func devWorld(bobRight Right) []Event {
	return append(world(bobRight),
		DeviceRegistered{MAC: mac6000, Type: "IP6000", OrderNumber: "SO-1", Delivered: "2026-10-01"},
		DeviceRegistered{MAC: mac0010, Type: "IP0010", OrderNumber: "SO-1", Delivered: "2026-10-01"},
		DeviceRegistered{MAC: mac112, Type: "IP112", OrderNumber: "SO-2", Delivered: "2026-01-15"},
		CompanyCreated{Company: 2, Name: "Carol GmbH", Creator: 4},
		MemberAdded{Company: 2, Person: 4, Right: RightAdministrator},
		ProjectCreated{Project: 2, Company: 2, Name: DefaultProjectName},
		DeviceAdded{MAC: mac6000, Company: 1, Project: 1},
	)
}

func TestParseMAC(t *testing.T) {
	for _, in := range []string{"00-90-33-01-02-03", "00:90:33:01:02:03", "009033010203", "010203", " 00-90-33-01-02-03 ", "00:90:33:01:02:03"} {
		if m, err := ParseMAC(in); err != nil || m != "00-90-33-01-02-03" {
			t.Errorf("ParseMAC(%q) = %q, %v", in, m, err)
		}
	}
	if m, _ := ParseMAC("00-0C-29-AB-CD-EF"); m != "00-0c-29-ab-cd-ef" {
		t.Errorf("upper case: %q", m)
	}
	for _, in := range []string{"", "0102", "00-90-33-01-02", "00-90:33-01-02-03", "0090330102zz", "00--90-33-01-02-0", "0090-33010203"} {
		if _, err := ParseMAC(in); err == nil {
			t.Errorf("ParseMAC(%q) accepted", in)
		}
	}
	r, err := ExpandMACRange("00-90-33-08-20-fe", "009033082101")
	if err != nil || len(r) != 4 || r[1] != "00-90-33-08-20-ff" || r[2] != "00-90-33-08-21-00" {
		t.Errorf("range = %v, %v", r, err)
	}
	if _, err := ExpandMACRange("00-90-33-08-20-00", "00-90-33-08-22-00"); err == nil {
		t.Error("a range of 513 devices accepted")
	}
	if _, err := ExpandMACRange("00-90-33-08-20-31", "00-90-33-08-20-00"); err == nil {
		t.Error("a backwards range accepted")
	}
}

func TestRegistryDeciders(t *testing.T) {
	base := devWorld(RightViewer)
	order := func(devs ...RegistryEntry) RegisterDevices {
		return RegisterDevices{OrderNumber: " SO-3 ", Delivered: "2026-11-01", Devices: devs}
	}
	runCases(t, []decideCase{
		{name: "the vendor registers the devices of an order", given: base, by: vendor,
			when: order(RegistryEntry{MAC: "0a0b0c", Type: "IP811"}, RegistryEntry{MAC: "00:90:33:0a:0b:0d", Type: "IP112"}),
			then: []Event{DeviceRegistered{MAC: "00-90-33-0a-0b-0c", Type: "IP811", OrderNumber: "SO-3", Delivered: "2026-11-01"},
				DeviceRegistered{MAC: "00-90-33-0a-0b-0d", Type: "IP112", OrderNumber: "SO-3", Delivered: "2026-11-01"}}},
		{name: "vendor only", given: base, by: alice, when: order(RegistryEntry{MAC: "0a0b0c", Type: "IP811"}), wantErr: "vendor-only"},
		{name: "order number required", given: base, by: vendor, when: RegisterDevices{Delivered: "2026-11-01", Devices: []RegistryEntry{{MAC: "0a0b0c", Type: "IP811"}}}, wantErr: "invalid-order-number"},
		{name: "delivery date required", given: base, by: vendor, when: RegisterDevices{OrderNumber: "SO-3", Delivered: "1.11.2026", Devices: []RegistryEntry{{MAC: "0a0b0c", Type: "IP811"}}}, wantErr: "invalid-date"},
		{name: "devices required", given: base, by: vendor, when: order(), wantErr: "invalid-devices"},
		{name: "bad MAC", given: base, by: vendor, when: order(RegistryEntry{MAC: "0a0b", Type: "IP811"}), wantErr: "invalid-mac"},
		{name: "unknown type", given: base, by: vendor, when: order(RegistryEntry{MAC: "0a0b0c", Type: "IP9999"}), wantErr: "unknown-device-type"},
		{name: "IPVA is not registered from orders", given: base, by: vendor, when: order(RegistryEntry{MAC: "0a0b0c", Type: "IPVA"}), wantErr: "device-type-not-hardware"},
		{name: "hardware MACs lie in the vendor range", given: base, by: vendor, when: order(RegistryEntry{MAC: "00-50-56-00-00-09", Type: "IP811"}), wantErr: "mac-not-vendor"},
		{name: "a MAC is registered once", given: base, by: vendor, when: order(RegistryEntry{MAC: string(mac0010), Type: "IP811"}), wantErr: "device-registered"},
		{name: "not twice in one order", given: base, by: vendor, when: order(RegistryEntry{MAC: "0a0b0c", Type: "IP811"}, RegistryEntry{MAC: "0a0b0c", Type: "IP811"}), wantErr: "device-registered"},
	})
}

func TestAddDeviceDeciders(t *testing.T) {
	base := devWorld(RightViewer)
	inCarol := append(devWorld(RightViewer), DeviceAdded{MAC: macVA, Company: 2, Project: 2})
	inCarol = append(inCarol[:len(inCarol)-1], DeviceRegistered{MAC: macVA, Type: "IPVA", Owner: 2}, inCarol[len(inCarol)-1])
	runCases(t, []decideCase{
		{name: "one device by its short form", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"000002"}},
			then: []Event{DeviceAdded{MAC: mac0010, Company: 1, Project: 1}}},
		{name: "a device of another company is added with a warning", given: base, by: carol, when: AddDevices{Project: 2, MACs: []string{"00:90:33:00:00:01"}},
			then: []Event{DeviceAdded{MAC: mac6000, Company: 2, Project: 2, InOtherCompany: true}}},
		{name: "a list is added whole", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"000002", "", "009033000003", "000002"}},
			then: []Event{DeviceAdded{MAC: mac0010, Company: 1, Project: 1}, DeviceAdded{MAC: mac112, Company: 1, Project: 1}}},
		{name: "a range", given: base, by: alice, when: AddDevices{Project: 1, From: "000002", To: "000003"},
			then: []Event{DeviceAdded{MAC: mac0010, Company: 1, Project: 1}, DeviceAdded{MAC: mac112, Company: 1, Project: 1}}},
		{name: "all of an order, skipping devices already in the company", given: base, by: alice, when: AddDevices{Project: 1, OrderNumber: "SO-1"},
			then: []Event{DeviceAdded{MAC: mac0010, Company: 1, Project: 1}}},
		{name: "a virtual MAC creates an IPVA", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"00:50:56:00:00:01"}},
			then: []Event{DeviceRegistered{MAC: macVA, Type: "IPVA", Owner: 1}, DeviceAdded{MAC: macVA, Company: 1, Project: 1}}},
		{name: "a virtual App Platform", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"e2-00-00-00-00-01"}, Type: "App Platform"},
			then: []Event{DeviceRegistered{MAC: "e2-00-00-00-00-01", Type: "App Platform", Owner: 1}, DeviceAdded{MAC: "e2-00-00-00-00-01", Company: 1, Project: 1}}},
		{name: "a virtual MAC is not a hardware type", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"00-50-56-00-00-01"}, Type: "IP6000"}, wantErr: "device-type-mismatch"},
		{name: "IPVA MAC exists in another company", given: inCarol, by: alice, when: AddDevices{Project: 1, MACs: []string{string(macVA)}}, wantErr: "ipva-mac-exists"},
		{name: "already in the company", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"000002", "000001"}}, wantErr: "already-in-company"},
		{name: "an order whose devices are all in the company", given: append(base, DeviceAdded{MAC: mac0010, Company: 1, Project: 1}), by: alice,
			when: AddDevices{Project: 1, OrderNumber: "SO-1"}, wantErr: "already-in-company"},
		{name: "not in the registry", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"0a0a0a"}}, wantErr: "device-not-found"},
		{name: "unknown order", given: base, by: alice, when: AddDevices{Project: 1, OrderNumber: "SO-9"}, wantErr: "order-not-found"},
		{name: "exactly one selection", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"000002"}, OrderNumber: "SO-1"}, wantErr: "invalid-device-selection"},
		{name: "nothing selected", given: base, by: alice, when: AddDevices{Project: 1}, wantErr: "invalid-device-selection"},
		{name: "a range of more than 50", given: base, by: alice, when: AddDevices{Project: 1, From: "000000", To: "000040"}, wantErr: "too-many-devices"},
		{name: "a list of more than 50", given: base, by: alice, when: AddDevices{Project: 1, MACs: fiftyOne()}, wantErr: "too-many-devices"},
		{name: "bad MAC in a list", given: base, by: alice, when: AddDevices{Project: 1, MACs: []string{"000002", "xyz"}}, wantErr: "invalid-mac"},
		{name: "a viewer adds nothing", given: base, by: bob, when: AddDevices{Project: 1, MACs: []string{"000002"}}, wantErr: "no-right"},
		{name: "not into another company's project", given: base, by: alice, when: AddDevices{Project: 2, MACs: []string{"000002"}}, wantErr: "not-member"},
		{name: "unknown project", given: base, by: alice, when: AddDevices{Project: 9, MACs: []string{"000002"}}, wantErr: "project-not-found"},
	})
}

func fiftyOne() []string {
	out := make([]string, 51)
	for i := range out {
		out[i] = "0000" + "0123456789abcdef"[i/16:i/16+1] + "0123456789abcdef"[i%16:i%16+1]
	}
	return out
}

func TestDeviceDeciders(t *testing.T) {
	base := append(devWorld(RightLicenses), ProjectCreated{Project: 3, Company: 1, Name: "Hotel"},
		DeviceAdded{MAC: mac0010, Company: 1, Project: 1})
	rma := append(base, RMARequestedEvent{MAC: mac6000, Company: 1})
	va := append(base, DeviceRegistered{MAC: macVA, Type: "IPVA", Owner: 1}, DeviceAdded{MAC: macVA, Company: 1, Project: 1})
	runCases(t, []decideCase{
		{name: "remove keeps the licenses (no license event)", given: base, by: bob, when: RemoveDevices{Company: 1, MACs: []string{"000001"}},
			then: []Event{DeviceRemoved{MAC: mac6000, Company: 1, Project: 1}}},
		{name: "remove a device not in the company", given: base, by: bob, when: RemoveDevices{Company: 1, MACs: []string{"000003"}}, wantErr: "device-not-in-company"},
		{name: "remove needs the right", given: base, by: carol, when: RemoveDevices{Company: 1, MACs: []string{"000001"}}, wantErr: "not-member"},
		{name: "move several", given: base, by: bob, when: MoveDevices{Company: 1, MACs: []string{"000001", "000002"}, To: 3},
			then: []Event{DeviceMoved{MAC: mac6000, Company: 1, From: 1, To: 3}, DeviceMoved{MAC: mac0010, Company: 1, From: 1, To: 3}}},
		{name: "move into another company's project", given: base, by: bob, when: MoveDevices{Company: 1, MACs: []string{"000001"}, To: 2}, wantErr: "project-not-in-company"},
		{name: "move to where they are", given: base, by: bob, when: MoveDevices{Company: 1, MACs: []string{"000001"}, To: 1}, wantErr: "already-in-project"},
		{name: "move an unknown device", given: base, by: bob, when: MoveDevices{Company: 1, MACs: []string{"000003"}, To: 3}, wantErr: "device-not-in-company"},
		{name: "rename and comment", given: base, by: bob, when: ChangeDevice{Company: 1, MAC: "000001", Name: " Main PBX ", Comment: "rack 2"},
			then: []Event{DeviceChanged{MAC: mac6000, Company: 1, Name: "Main PBX", Comment: "rack 2"}}},
		{name: "a comment keeps the MAC name", given: base, by: bob, when: ChangeDevice{Company: 1, MAC: "000001", Name: string(mac6000), Comment: "x"},
			then: []Event{DeviceChanged{MAC: mac6000, Company: 1, Name: string(mac6000), Comment: "x"}}},
		{name: "a name may not be a MAC", given: base, by: bob, when: ChangeDevice{Company: 1, MAC: "000001", Name: "00:90:33:00:00:02"}, wantErr: "invalid-device-name"},
		{name: "a name may not be an IPEI", given: base, by: bob, when: ChangeDevice{Company: 1, MAC: "000001", Name: "00077 0123456 7"}, wantErr: "invalid-device-name"},
		{name: "a name is required", given: base, by: bob, when: ChangeDevice{Company: 1, MAC: "000001", Name: " "}, wantErr: "invalid-name"},
		{name: "request RMA", given: base, by: bob, when: RequestRMA{Company: 1, MAC: "000001", Reason: " broken "},
			then: []Event{RMARequestedEvent{MAC: mac6000, Company: 1, Reason: "broken"}}},
		{name: "RMA once", given: rma, by: bob, when: RequestRMA{Company: 1, MAC: "000001"}, wantErr: "rma-already-requested"},
		{name: "no RMA for an IPVA", given: va, by: bob, when: RequestRMA{Company: 1, MAC: string(macVA)}, wantErr: "not-hardware"},
		{name: "the vendor receives the device", given: rma, by: vendor, when: ReceiveRMA{MAC: "000001"}, then: []Event{RMAReceivedEvent{MAC: mac6000}}},
		{name: "only the vendor receives", given: rma, by: alice, when: ReceiveRMA{MAC: "000001"}, wantErr: "vendor-only"},
		{name: "receive without a request", given: base, by: vendor, when: ReceiveRMA{MAC: "000001"}, wantErr: "rma-not-requested"},
		{name: "receive an unknown device", given: base, by: vendor, when: ReceiveRMA{MAC: "0a0a0a"}, wantErr: "device-not-found"},
	})
}
