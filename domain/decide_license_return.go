package domain

import (
	"fmt"
	"strings"
	"time"
)

// CategoryInHouse marks in-house licenses: bound by the vendor for its own
// use, they block returning a device's licenses.
const CategoryInHouse Category = "in-house"

// MinReturnFirmware is the firmware version from which licenses can be
// invalidated (returned).
const MinReturnFirmware = 8

// ReturnLicenses is the invalidation of a device's licenses, from the
// document the device produced (its firmware version and whether it holds
// a device certificate). The purchased PBX licenses go to the free pool of
// the device's project with bind date, SSA end and external key; gateway
// licenses, warranty extensions and rental, test and app licenses stay.
// Refusals in order: the caller's right, invalid-mac,
// device-not-in-company, virtual-device, firmware-too-old,
// no-device-certificate, in-house-licenses, returning-locked,
// nothing-to-return.
type ReturnLicenses struct {
	Company     CompanyID
	MAC         string
	Firmware    int
	Certificate bool
}

// CommandType implements Command.
func (ReturnLicenses) CommandType() string { return "ReturnLicenses" }

func (c ReturnLicenses) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	d, pl, err := s.companyDevice(by, c.Company, c.MAC)
	if err != nil {
		return nil, err
	}
	if err := s.checkReturnable(d, c.Firmware, c.Certificate); err != nil {
		return nil, err
	}
	var lines []LicenseLine
	for _, l := range d.Licenses {
		if s.Catalog.LicenseTypes[l.Type].Category == CategoryPBX && l.Origin == OriginPurchased {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, Errorf(KindRejected, "nothing-to-return", "device %s has no purchased PBX licenses to return", d.MAC)
	}
	conf := fmt.Sprintf("INV-%s-%d", strings.ReplaceAll(string(d.MAC), "-", ""), len(d.Invalidations)+1)
	return []Event{LicensesReturned{MAC: d.MAC, Company: c.Company, Project: pl.Project, Lines: lines,
		Confirmation: conf, Date: now.UTC().Format(time.DateOnly)}}, nil
}

func (s *State) checkReturnable(d *Device, firmware int, cert bool) error {
	if t, _ := s.Catalog.DeviceType(d.Type); !t.Hardware() {
		return Errorf(KindRejected, "virtual-device", "licenses of a virtual device (IPVA) cannot be returned")
	}
	if firmware < MinReturnFirmware {
		return Errorf(KindRejected, "firmware-too-old", "invalidation needs firmware V%d or later", MinReturnFirmware)
	}
	if !cert {
		return Errorf(KindRejected, "no-device-certificate", "the device has no device certificate; request one first")
	}
	for _, l := range d.Licenses {
		if s.Catalog.LicenseTypes[l.Type].Category == CategoryInHouse {
			return Errorf(KindRejected, "in-house-licenses", "a device with in-house licenses cannot return licenses")
		}
	}
	if d.ReturnLocked {
		return Errorf(KindRejected, "returning-locked", "licenses of this device were downloaded unencrypted and cannot be returned")
	}
	return nil
}

// companyDevice resolves a device of a company the caller may license in.
func (s *State) companyDevice(by Principal, c CompanyID, mac string) (*Device, *Placement, error) {
	if err := s.CanLicense(by, c); err != nil {
		return nil, nil, err
	}
	m, err := ParseMAC(mac)
	if err != nil {
		return nil, nil, err
	}
	pl, err := s.placement(c, m)
	if err != nil {
		return nil, nil, err
	}
	return s.Devices[m], pl, nil
}

// BindFreeLicenses binds lines of the project's free pool to a device of
// the project; bind date, SSA end and external key are kept, and the
// device type's consistency check applies. Refusals in order: those of
// deviceInProject, invalid-lines, free-license-not-found, then the
// consistency check's (license-not-for-device, device-maximum-exceeded,
// voicemail-standby-mismatch, registration-exceeds-pbx,
// floating-exclusive).
type BindFreeLicenses struct {
	Project ProjectID
	MAC     string
	IDs     []int64
}

// CommandType implements Command.
func (BindFreeLicenses) CommandType() string { return "BindFreeLicenses" }

func (c BindFreeLicenses) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	p, d, err := s.deviceInProject(by, c.Project, c.MAC)
	if err != nil {
		return nil, err
	}
	if len(c.IDs) == 0 || len(c.IDs) > MaxKeyLines {
		return nil, Errorf(KindInvalid, "invalid-lines", "name 1 to %d free license lines", MaxKeyLines)
	}
	pool := map[int64]LicenseLine{}
	for _, l := range s.Free[p.ID] {
		pool[l.ID] = l
	}
	lines := make([]LicenseLine, 0, len(c.IDs))
	for _, id := range c.IDs {
		l, ok := pool[id]
		if !ok {
			return nil, Errorf(KindNotFound, "free-license-not-found", "license line %d is not in the free pool of project %d", id, p.ID)
		}
		delete(pool, id) // the same id twice is refused on its second mention
		lines = append(lines, l)
	}
	if err := s.checkDeviceFits(d, quantities(lines)); err != nil {
		return nil, err
	}
	// Under automatic SSA the lines get the project's SSA end, the
	// difference invoiced (SSAOnArrival).
	pre, post, err := s.SSAOnArrival(by, p, Arrival{Cause: "bind", Lines: map[MAC][]LicenseLine{d.MAC: lines}, Optional: true,
		Available: p.Balance[sscItem]}, DayOf(now))
	if err != nil {
		return nil, err
	}
	bound := FreeLicensesBound{MAC: d.MAC, Company: p.Company, Project: p.ID, Lines: lines}
	return append(append(pre, bound), post...), nil
}

func quantities(ls []LicenseLine) []Line {
	b := Balance{}
	for _, l := range ls {
		b[l.Item] += l.Quantity
	}
	return b.Lines()
}

// MoveLicenses moves a device's licenses (all but warranty extensions,
// which belong to the hardware) to another device of the company that has
// no licenses; the source becomes an RMA device. Administrators move any
// time; the Licenses right suffices once the source is a received RMA
// device. Refusals in order: the caller's right, invalid-mac,
// device-not-in-company, same-device, move-needs-rma, device-in-rma
// (target), target-has-licenses, nothing-to-move, the target type's
// consistency check.
type MoveLicenses struct {
	Company CompanyID
	From    string
	To      string
}

// CommandType implements Command.
func (MoveLicenses) CommandType() string { return "MoveLicenses" }

func (c MoveLicenses) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	from, _, err := s.companyDevice(by, c.Company, c.From)
	if err != nil {
		return nil, err
	}
	to, _, err := s.companyDevice(by, c.Company, c.To)
	if err != nil {
		return nil, err
	}
	if from == to {
		return nil, Errorf(KindInvalid, "same-device", "source and target are the same device")
	}
	if s.IsAdministrator(by, c.Company) != nil && from.RMA != RMAReceived {
		return nil, Errorf(KindForbidden, "move-needs-rma", "only administrators move licenses of a device that is not a received RMA device")
	}
	if to.RMA != RMANone {
		return nil, Errorf(KindRejected, "device-in-rma", "the target %s is in RMA", to.MAC)
	}
	if len(to.Licenses) > 0 {
		return nil, Errorf(KindRejected, "target-has-licenses", "licenses move only to a device without licenses")
	}
	lines := s.movableLines(from)
	if len(lines) == 0 {
		return nil, Errorf(KindRejected, "nothing-to-move", "device %s has no licenses to move", from.MAC)
	}
	if err := s.checkDeviceFits(to, quantities(lines)); err != nil {
		return nil, err
	}
	return []Event{LicensesMoved{From: from.MAC, To: to.MAC, Company: c.Company, Lines: lines}}, nil
}

// movableLines are a device's lines except warranty extensions and
// rental licenses (these stay bound until the Devices App removes them,
// and never reach a free pool).
func (s *State) movableLines(d *Device) []LicenseLine {
	var out []LicenseLine
	for _, l := range d.Licenses {
		if s.Catalog.LicenseTypes[l.Type].Category != CategoryWarranty && l.Origin != OriginRental {
			out = append(out, l)
		}
	}
	return out
}

// ReshipRMA is the vendor reshipping a received RMA device. Its licenses
// that were not moved go to the free pool of the requesting company's
// Freed_RMA_licenses project, created on first use. Refusals: vendor-only,
// invalid-mac, device-not-found, rma-not-received, company-not-found.
type ReshipRMA struct {
	MAC string
}

// CommandType implements Command.
func (ReshipRMA) CommandType() string { return "ReshipRMA" }

func (c ReshipRMA) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	d, err := s.vendorRMADevice(by, c.MAC, RMAReceived, "rma-not-received", "device %s is not a received RMA device")
	if err != nil {
		return nil, err
	}
	m := d.MAC
	co, ok := s.Companies[d.RMACompany]
	if !ok {
		return nil, Errorf(KindNotFound, "company-not-found", "the company that requested RMA no longer exists")
	}
	var out []Event
	pid := s.freedRMAProject(co)
	if pid == 0 {
		pid = s.LastProject + 1
		out = append(out, ProjectCreated{Project: pid, Company: co.ID, Name: FreedRMAProjectName})
	}
	return append(out, RMAReshipped{MAC: m, Company: co.ID, Project: pid, Lines: s.movableLines(d)}), nil
}

func (s *State) freedRMAProject(co *Company) ProjectID {
	for id := range co.Projects {
		if IsFreedRMAProject(s.Projects[id].Name) {
			return id
		}
	}
	return 0
}
