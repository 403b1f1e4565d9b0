package domain_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	. "github.com/innolic/ledger/domain"
)

var (
	gvlWithin = Item{Type: "GVL-Within-Warranty"}
	float7    = Item{"PBX-Floating", 7}
)

// extrasWorld: bindWorld plus GVL units in DEFAULT and a fresh IP6010
// delivered within the last 6 weeks.
func extrasWorld() []Event {
	gv := []Line{{Item: gvl, Quantity: 5}, {Item: gvlWithin, Quantity: 5}, {Item: float7, Quantity: 1}}
	return append(bindWorld(),
		KeyIssued{Code: "KEY-00004", Lines: gv},
		KeyRedeemed{Code: "KEY-00004", Project: 1, Company: 1, Lines: gv},
		DeviceRegistered{MAC: mac6010, Type: "IP6010", OrderNumber: "SO-3", Delivered: "2026-10-20"},
		DeviceAdded{MAC: mac6010, Company: 1, Project: 1},
		DeviceAdded{MAC: mac112, Company: 1, Project: 1},
	)
}

func TestWarrantyAndFloatingDeciders(t *testing.T) {
	base := extrasWorld()
	threeYears := append(extrasWorld(), LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{bound(1, gvlWithin, 3)}})
	v7 := append(extrasWorld(), LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{bound(1, Item{"PBX-Port", 7}, 2)}})
	withFloat := append(extrasWorld(), LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{bound(1, float7, 1)}})
	draw := func(it Item, q int64) []Draw { return []Draw{{Project: 1, Lines: []Line{{Item: it, Quantity: q}}}} }
	runCases(t, []decideCase{
		{name: "GVL-Purchase within 6 weeks of delivery", given: base, by: bob, when: ExtendWarranty{Project: 1, MAC: "000004", Years: 2},
			then: []Event{LicensesBound{MAC: mac6010, Company: 1, Project: 1, Draws: draw(gvl, 2), Lines: []LicenseLine{bound(1, gvl, 2)}}}},
		{name: "GVL-Within-Warranty later", given: base, by: bob, when: ExtendWarranty{Project: 1, MAC: "000001", Years: 1},
			then: []Event{LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: draw(gvlWithin, 1), Lines: []LicenseLine{bound(1, gvlWithin, 1)}}}},
		{name: "phones take warranty extensions", given: base, by: bob, when: ExtendWarranty{Project: 1, MAC: "000003", Years: 4},
			then: []Event{LicensesBound{MAC: mac112, Company: 1, Project: 1, Draws: draw(gvlWithin, 4), Lines: []LicenseLine{bound(1, gvlWithin, 4)}}}},
		{name: "at most 4 years in all", given: threeYears, by: bob, when: ExtendWarranty{Project: 1, MAC: "000001", Years: 2}, wantErr: "warranty-maximum-exceeded"},
		{name: "1 to 4 years", given: base, by: bob, when: ExtendWarranty{Project: 1, MAC: "000001", Years: 5}, wantErr: "invalid-years"},
		{name: "from the balance", given: base, by: bob, when: ExtendWarranty{Project: 3, MAC: "000002", Years: 1}, wantErr: "balance-insufficient"},
		{name: "a floating license", given: base, by: bob, when: AddFloating{Project: 1, MAC: "000001"},
			then: []Event{LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: draw(float7, 1), Lines: []LicenseLine{bound(1, float7, 1)}}}},
		{name: "not with V7 PBX licenses", given: v7, by: bob, when: AddFloating{Project: 1, MAC: "000001"}, wantErr: "floating-exclusive"},
		{name: "one floating license", given: withFloat, by: dave, when: AddFloating{Project: 1, MAC: "000001", OnCredit: true}, wantErr: "device-maximum-exceeded"},
		{name: "not on a phone", given: base, by: bob, when: AddFloating{Project: 1, MAC: "000003"}, wantErr: "license-not-for-device"},
		{name: "remove the floating license", given: withFloat, by: bob, when: RemoveFloating{Company: 1, MAC: "000001"},
			then: []Event{FloatingRemoved{MAC: mac6000, Company: 1, Line: bound(1, float7, 1)}}},
		{name: "remove without one", given: base, by: bob, when: RemoveFloating{Company: 1, MAC: "000001"}, wantErr: "no-floating-license"},
	})
}

func TestWarrantyEnd(t *testing.T) {
	st := stateOf(t, extrasWorld()...)
	if got := st.Devices[mac6010].WarrantyEnd(); got != "2028-10-20" {
		t.Fatalf("standard warranty end = %s", got)
	}
	decideAndApply(t, st, bob, ExtendWarranty{Project: 1, MAC: "000004", Years: 3})
	if got := st.Devices[mac6010].WarrantyEnd(); got != "2031-10-20" {
		t.Fatalf("extended warranty end = %s", got)
	}
}

func TestTestAndAppDevDeciders(t *testing.T) {
	base := extrasWorld()
	used := append(extrasWorld(), TestLicenseIssued{MAC: mac6000, Company: 1, Version: 13, ValidUntil: "2026-12-01"})
	prefixed := append(extrasWorld(), ManufacturerPrefixSet{Company: 1, Prefix: "innovaphone"})
	three := append(append([]Event{}, prefixed...),
		DeviceRegistered{MAC: "00-90-33-00-00-10", Type: "IP811", OrderNumber: "SO-4", Delivered: "2026-01-01"},
		DeviceAdded{MAC: "00-90-33-00-00-10", Company: 1, Project: 1},
		AppDevLicenseIssued{MAC: mac6000, Company: 1, Names: []string{"App(innovaphone-a)15"}},
		AppDevLicenseIssued{MAC: mac6010, Company: 1, Names: []string{"App(innovaphone-a)15"}},
		AppDevLicenseIssued{MAC: mac0010, Company: 1, Names: []string{"App(innovaphone-a)15"}})
	runCases(t, []decideCase{
		{name: "a V13 test license is valid 3 months", given: base, by: bob, when: IssueTestLicense{Company: 1, MAC: "000001", Version: 13, PBXCount: 10},
			then: []Event{TestLicenseIssued{MAC: mac6000, Company: 1, Version: 13, PBXCount: 10, ValidUntil: "2027-02-22"}}},
		{name: "once per device, ever", given: used, by: bob, when: IssueTestLicense{Company: 1, MAC: "000001", Version: 14}, wantErr: "test-license-used"},
		{name: "before V11 without that limit", given: used, by: bob, when: IssueTestLicense{Company: 1, MAC: "000001", Version: 10, Slave: true},
			then: []Event{TestLicenseIssued{MAC: mac6000, Company: 1, Version: 10, Slave: true}}},
		{name: "not V5", given: base, by: bob, when: IssueTestLicense{Company: 1, MAC: "000001", Version: 5}, wantErr: "test-not-v5"},
		{name: "a version that exists", given: base, by: bob, when: IssueTestLicense{Company: 1, MAC: "000001", Version: 3}, wantErr: "invalid-version"},
		{name: "a PBX device", given: base, by: bob, when: IssueTestLicense{Company: 1, MAC: "000003", Version: 13}, wantErr: "license-not-for-device"},
		{name: "a slave has no PBX count", given: base, by: bob, when: IssueTestLicense{Company: 1, MAC: "000001", Version: 13, Slave: true, PBXCount: 3}, wantErr: "invalid-quantity"},
		{name: "the vendor deposits a prefix", given: base, by: vendor, when: SetManufacturerPrefix{Company: 1, Prefix: " innovaphone "},
			then: []Event{ManufacturerPrefixSet{Company: 1, Prefix: "innovaphone"}}},
		{name: "only the vendor", given: base, by: alice, when: SetManufacturerPrefix{Company: 1, Prefix: "innovaphone"}, wantErr: "vendor-only"},
		{name: "a valid prefix", given: base, by: vendor, when: SetManufacturerPrefix{Company: 1, Prefix: "Inno Phone"}, wantErr: "invalid-prefix"},
		{name: "an app-development license", given: prefixed, by: bob, when: IssueAppDevLicense{Company: 1, MAC: "000001", Names: []string{"Service(innovaphone-app2)15", "App(innovaphone-app1)15"}},
			then: []Event{AppDevLicenseIssued{MAC: mac6000, Company: 1, Names: []string{"App(innovaphone-app1)15", "Service(innovaphone-app2)15"}}}},
		{name: "needs the prefix", given: base, by: bob, when: IssueAppDevLicense{Company: 1, MAC: "000001", Names: []string{"App(innovaphone-app1)15"}}, wantErr: "no-manufacturer-prefix"},
		{name: "names carry the company's prefix", given: prefixed, by: bob, when: IssueAppDevLicense{Company: 1, MAC: "000001", Names: []string{"App(other-app1)15"}}, wantErr: "invalid-app-license-name"},
		{name: "at most three devices", given: three, by: bob, when: IssueAppDevLicense{Company: 1, MAC: "000010", Names: []string{"App(innovaphone-a)15"}}, wantErr: "app-dev-device-limit"},
		{name: "again for one of the three", given: three, by: bob, when: IssueAppDevLicense{Company: 1, MAC: "000002", Names: []string{"App(innovaphone-b)15"}},
			then: []Event{AppDevLicenseIssued{MAC: mac0010, Company: 1, Names: []string{"App(innovaphone-b)15"}}}},
	})
}

func TestDownloadEntitlement(t *testing.T) {
	st := stateOf(t, append(extrasWorld(),
		LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{
			{ID: 1, Item: Item{"PBX-Port", 8}, Quantity: 5, BindDate: "2010-01-01", SSAEnd: "2016-08-01", Origin: OriginPurchased},
			{ID: 2, Item: Item{"Relay-PRI", 9}, Quantity: 1, BindDate: "2012-01-01", Origin: OriginPurchased}}},
		LicensesBound{MAC: mac6010, Company: 1, Project: 1, Lines: []LicenseLine{bound(3, Item{"PBX-Port", 5}, 1)}},
	)...)
	// PBX-Port8 under SSA until 2016-08-01 reaches V12 (released 2016-07-11); downgrade to V6.
	if got, want := st.DownloadVersions(st.Devices[mac6000], now), []int{6, 7, 8, 9, 10, 11, 12}; !reflect.DeepEqual(got, want) {
		t.Fatalf("versions = %v, want %v", got, want)
	}
	if got := st.DownloadVersions(st.Devices[mac6010], now); !reflect.DeepEqual(got, []int{5}) {
		t.Fatalf("a V5 device: %v", got)
	}
	// Not yet released versions are not offered.
	if got := st.DownloadVersions(st.Devices[mac6000], time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)); got[len(got)-1] != 11 {
		t.Fatalf("versions in 2016 = %v", got)
	}
	evs := decideAndApply(t, st, bob, RecordDownload{Company: 1, MAC: "000001", Version: 7, Encrypted: true})
	if !reflect.DeepEqual(evs, []Event{LicensesDownloaded{MAC: mac6000, Company: 1, Version: 7, LocksReturn: true}}) {
		t.Fatalf("V7 download = %#v", evs)
	}
	if !st.Devices[mac6000].ReturnLocked {
		t.Fatal("returning not locked")
	}
	if _, err := Decide(st, bob, ReturnLicenses{Company: 1, MAC: "000001", Firmware: 13, Certificate: true}, now); !errors.Is(err, &Error{Code: "returning-locked"}) {
		t.Fatalf("a locked device returns: %v", err)
	}
	evs = decideAndApply(t, st, bob, RecordDownload{Company: 1, MAC: "000004", Version: 5, NoDowngradeBootcode: true})
	if evs[0].(LicensesDownloaded).LocksReturn {
		t.Fatal("the no-downgrade bootcode keeps returning open")
	}
	if _, err := Decide(st, bob, RecordDownload{Company: 1, MAC: "000001", Version: 13, Encrypted: true}, now); !errors.Is(err, &Error{Code: "version-not-entitled"}) {
		t.Fatalf("V13 download without SSA entitlement: %v", err)
	}
}
